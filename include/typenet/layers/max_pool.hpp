#pragma once
// max_pool: PyTorch semantics (floor mode; padding never wins the max).
#include "../kernels/pool.hpp"
#include "../kernels/reference.hpp"
#include "../layer.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(max_pool_positive, "max_pool: Kernel and Stride must be positive and Padding non-negative",
             "Kernel {}, Stride {}, Padding {}");
TYPENET_RULE(max_pool_padding, "max_pool: Padding must be at most half the kernel", "Padding {}, Kernel {}");
TYPENET_RULE(max_pool_kernel_fits, "max_pool: kernel larger than the padded input", "kernel {}, padded input {}x{}");
}  // namespace rule

namespace ops {
struct max_pool {
  static constexpr std::string_view kind = "max_pool";
  struct attributes {
    int kernel = 0, stride = 0, padding = 0;
  };
  using rules = rule_list<rule::max_pool_positive, rule::max_pool_padding, rule::max_pool_kernel_fits>;

  static constexpr verdict check(const attributes& a, dims in) {
    if (!(a.kernel > 0 && a.stride > 0 && a.padding >= 0))
      return rules::broken<rule::max_pool_positive>({a.kernel, a.stride, a.padding});
    if (2 * a.padding > a.kernel) return rules::broken<rule::max_pool_padding>({a.padding, a.kernel});
    if (a.kernel > in.height + 2 * a.padding || a.kernel > in.width + 2 * a.padding)
      return rules::broken<rule::max_pool_kernel_fits>({a.kernel, in.height + 2 * a.padding, in.width + 2 * a.padding});
    return {};
  }
  static constexpr kernels::pool_geometry geometry(const attributes& a, dims in) {
    return kernels::make_pool_geometry(in.channels, in.height, in.width, a.kernel, a.stride, a.padding);
  }
  static constexpr dims output(const attributes& a, dims in) {
    const auto g = geometry(a, in);
    return {in.channels, g.out_h, g.out_w};
  }

  class call final : public runtime::call {
   public:
    explicit call(kernels::pool_geometry g) : g_(g) {}
    void run(const runtime::io& x, int batch, kernels::part p) const override {
      if (fast_) return kernels::max_pool(g_, x.in[0], x.out, batch, p);
      for (int n = p.begin(batch); n < p.end(batch); ++n)
        kernels::reference::max_pool(g_, x.in[0] + n * g_.in_size(), x.out + n * g_.out_size(), 1);
    }
    void prepare(bool fast) override { fast_ = fast; }

   private:
    kernels::pool_geometry g_;
    bool fast_ = false;
  };

  static runtime::value emit(const attributes& a, ir::emit_context& ctx) {
    return ctx.add(std::make_shared<call>(geometry(a, ctx.in)));
  }
};
}  // namespace ops

// max_pool<Kernel, Stride = Kernel, Padding = 0>
template <int Kernel, int Stride = Kernel, int Padding = 0>
struct max_pool : layer_of<ops::max_pool> {
  static constexpr ops::max_pool::attributes attrs{Kernel, Stride, Padding};
};

namespace dynamic {
inline layer max_pool(int kernel, int stride, int padding = 0) { return ir::make<ops::max_pool>({kernel, stride, padding}); }
inline layer max_pool(int kernel) { return max_pool(kernel, kernel, 0); }
}  // namespace dynamic

}  // namespace typenet
