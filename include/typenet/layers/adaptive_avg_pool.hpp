#pragma once
// adaptive_avg_pool<H, W>: average pooling to a fixed H x W whatever the input size, PyTorch
// semantics (cell (i, j) averages rows [floor(i*In/H), ceil((i+1)*In/H)), likewise columns).
#include "../kernels/pool.hpp"
#include "../kernels/reference.hpp"
#include "../layer.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(adaptive_avg_pool_positive, "adaptive_avg_pool: H and W must be positive", "H {}, W {}");
}  // namespace rule

namespace ops {
struct adaptive_avg_pool {
  static constexpr std::string_view kind = "adaptive_avg_pool";
  struct attributes {
    int height = 1, width = 1;
  };
  using rules = rule_list<rule::adaptive_avg_pool_positive>;
  static constexpr verdict check(const attributes& a, dims) {
    if (!(a.height > 0 && a.width > 0)) return rules::broken<rule::adaptive_avg_pool_positive>({a.height, a.width});
    return {};
  }
  static constexpr dims output(const attributes& a, dims in) { return {in.channels, a.height, a.width}; }

  class call final : public runtime::call {
   public:
    call(dims in, dims out) : in_(in), out_(out) {}
    void run(const runtime::io& x, int batch, kernels::part p) const override {
      if (fast_)
        return kernels::adaptive_avg_pool(in_.channels, in_.height, in_.width, out_.height, out_.width, x.in[0], x.out, batch, p);
      for (int n = p.begin(batch); n < p.end(batch); ++n)
        kernels::reference::adaptive_avg_pool(in_.channels, in_.height, in_.width, out_.height, out_.width,
                                              x.in[0] + n * in_.size(), x.out + n * out_.size(), 1);
    }
    void prepare(bool fast) override { fast_ = fast; }

   private:
    dims in_, out_;
    bool fast_ = false;
  };

  static runtime::value emit(const attributes&, ir::emit_context& ctx) { return ctx.add(std::make_shared<call>(ctx.in, ctx.out)); }
};
}  // namespace ops

template <int H, int W = H>
struct adaptive_avg_pool : layer_of<ops::adaptive_avg_pool> {
  static constexpr ops::adaptive_avg_pool::attributes attrs{H, W};
};

namespace dynamic {
inline layer adaptive_avg_pool(int height, int width) { return ir::make<ops::adaptive_avg_pool>({height, width}); }
}  // namespace dynamic

}  // namespace typenet
