#pragma once
// relu6: y = min(max(x, 0), 6) (MobileNets).
#include <algorithm>

#include "../kernels/elementwise.hpp"
#include "../layer.hpp"

namespace typenet {

namespace ops {
struct relu6 {
  static constexpr std::string_view kind = "relu6";
  struct attributes {};
  using rules = rule_list<>;

  class call final : public runtime::call {
   public:
    explicit call(long size) : size_(size) {}
    void run(const runtime::io& x, int batch, kernels::part p) const override {
      long begin, end;
      runtime::element_range(size_ * batch, p, begin, end);
      if (fast_) return kernels::clamp(end - begin, x.in[0] + begin, 0.0f, 6.0f, x.out + begin);
      for (long i = begin; i < end; ++i) x.out[i] = std::min(std::max(x.in[0][i], 0.0f), 6.0f);
    }
    void prepare(bool fast) override { fast_ = fast; }

   private:
    long size_;
    bool fast_ = false;
  };

  static runtime::value emit(const attributes&, ir::emit_context& ctx) { return ctx.add(std::make_shared<call>(ctx.in.size())); }
};
}  // namespace ops

struct relu6 : layer_of<ops::relu6> {};

namespace dynamic {
inline layer relu6() { return ir::make<ops::relu6>({}); }
}  // namespace dynamic

}  // namespace typenet
