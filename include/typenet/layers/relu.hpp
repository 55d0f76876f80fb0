#pragma once
// relu: y = max(x, 0). The planner lets the op before it apply it in its store.
#include "../kernels/elementwise.hpp"
#include "../kernels/reference.hpp"
#include "../layer.hpp"

namespace typenet {

namespace ops {
struct relu {
  static constexpr std::string_view kind = "relu";
  struct attributes {};
  using rules = rule_list<>;

  class call final : public runtime::call {
   public:
    explicit call(long size) : size_(size) {}
    void run(const runtime::io& x, int batch, kernels::part p) const override {
      if (fast_) return kernels::relu(size_ * batch, x.in[0], x.out, p);
      long begin, end;
      runtime::element_range(size_ * batch, p, begin, end);
      kernels::reference::relu(end - begin, x.in[0] + begin, x.out + begin);
    }
    void prepare(bool fast) override { fast_ = fast; }
    bool is_relu() const override { return true; }

   private:
    long size_;
    bool fast_ = false;
  };

  static runtime::value emit(const attributes&, ir::emit_context& ctx) { return ctx.add(std::make_shared<call>(ctx.in.size())); }
};
}  // namespace ops

struct relu : layer_of<ops::relu> {};

namespace dynamic {
inline layer relu() { return ir::make<ops::relu>({}); }
}  // namespace dynamic

}  // namespace typenet
