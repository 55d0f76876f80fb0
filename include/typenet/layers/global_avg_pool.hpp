#pragma once
// global_avg_pool: the mean over height and width, (C, H, W) -> (C, 1, 1).
#include "../kernels/pool.hpp"
#include "../kernels/reference.hpp"
#include "../layer.hpp"

namespace typenet {

namespace ops {
struct global_avg_pool {
  static constexpr std::string_view kind = "global_avg_pool";
  struct attributes {};
  using rules = rule_list<>;
  static constexpr dims output(const attributes&, dims in) { return {in.channels, 1, 1}; }

  class call final : public runtime::call {
   public:
    explicit call(dims in) : in_(in) {}
    void run(const runtime::io& x, int batch, kernels::part p) const override {
      const int spatial = in_.height * in_.width;
      if (fast_ && blocked_) return kernels::global_avg_pool_blocked(in_.channels, spatial, x.in[0], x.out, batch, p);
      if (fast_) return kernels::global_avg_pool(in_.channels, spatial, x.in[0], x.out, batch, p);
      for (int n = p.begin(batch); n < p.end(batch); ++n)
        kernels::reference::global_avg_pool(in_.channels, spatial, x.in[0] + n * in_.size(), x.out + n * in_.channels, 1);
    }
    void prepare(bool fast) override { fast_ = fast; }
    bool reads_blocked(int, kernels::layout) const override { return in_.channels % kernels::layout_block == 0; }
    void set_layouts(const std::vector<kernels::layout>& in, kernels::layout) override {
      blocked_ = in[0] == kernels::layout::nchw16c;
    }

   private:
    dims in_;
    bool fast_ = false;
    bool blocked_ = false;  // the input is nChw16c
  };

  static runtime::value emit(const attributes&, ir::emit_context& ctx) { return ctx.add(std::make_shared<call>(ctx.in)); }
};
}  // namespace ops

struct global_avg_pool : layer_of<ops::global_avg_pool> {};

namespace dynamic {
inline layer global_avg_pool() { return ir::make<ops::global_avg_pool>({}); }
}  // namespace dynamic

}  // namespace typenet
