#pragma once
// max_pool: PyTorch's MaxPool2d (padding never wins the max; a window holding a NaN gives NaN;
// ceil_mode as PyTorch's). Windows, strides and paddings per axis (hw).
#include "../kernels/pool.hpp"
#include "../kernels/stem.hpp"
#include "../kernels/reference.hpp"
#include "pool_window.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(max_pool_positive, "max_pool: Kernel and Stride must be positive and Padding non-negative",
             "Kernel {}, Stride {}, Padding {}");
TYPENET_RULE(max_pool_padding, "max_pool: Padding must be at most half the kernel", "Padding {}, Kernel {}");
TYPENET_RULE(max_pool_kernel_fits, "max_pool: kernel larger than the padded input", "kernel {}, padded input {}x{}");
TYPENET_RULE(max_pool_count_include_pad,
             "max_pool: count_include_pad is avg_pool's option (padding never wins a max); leave it true", "");
TYPENET_RULE(max_pool_options_form,
             "max_pool: after pool_options, leave Padding and CeilMode out (set .padding and .ceil_mode in the options)", "");
}  // namespace rule

namespace ops {
struct max_pool : typenet::detail::window_op<rule::max_pool_positive, rule::max_pool_padding, rule::max_pool_kernel_fits> {
  using window = typenet::detail::window_op<rule::max_pool_positive, rule::max_pool_padding, rule::max_pool_kernel_fits>;
  using rules = rule_list<rule::max_pool_positive, rule::max_pool_padding, rule::max_pool_kernel_fits,
                          rule::max_pool_count_include_pad>;
  static constexpr std::string_view kind = "max_pool";
  // The window's rules first (their indices are the same in both lists), then max_pool's own.
  static constexpr verdict check(const attributes& a, dims in) {
    if (const verdict v = window::check(a, in); !v.ok()) return v;
    if (!a.count_include_pad) return rules::template broken<rule::max_pool_count_include_pad>({});
    return {};
  }
  static constexpr runtime::fusion_traits fusion_of(const attributes& a, dims in) {
    runtime::fusion_traits f = fusion;
    f.stem_pool = kernels::stem_pool_window(geometry(a, in));
    return f;
  }
  static runtime::value emit(const attributes& a, ir::emit_context& ctx) {
    return typenet::detail::emit_pool<max_pool, &kernels::max_pool, &kernels::reference::max_pool, true>(a, ctx);
  }
};
}  // namespace ops

// max_pool<Kernel, Stride = Kernel, Padding = 0, CeilMode = false>, or
// max_pool<Kernel, pool_options{.stride = 2, .padding = 1, .ceil_mode = true}>.
// Kernel and Padding are hw (an int is the square pair); Stride an int, an hw or a pool_options.
template <hw Kernel, auto Stride = Kernel, hw Padding = 0, bool CeilMode = false>
struct max_pool : layer_of<ops::max_pool> {
  static constexpr ops::max_pool::attributes attrs =
      detail::pool_window_of<rule::max_pool_options_form, max_pool, Kernel, Stride, Padding, CeilMode, true>();
};

namespace dynamic {
inline layer max_pool(int kernel, int stride, int padding = 0, bool ceil_mode = false) {
  return ir::make<ops::max_pool>({kernel, stride, padding, ceil_mode});
}
inline layer max_pool(int kernel) { return max_pool(kernel, kernel, 0); }
inline layer max_pool(hw kernel, pool_options options) { return ir::make<ops::max_pool>(detail::window_with(kernel, options)); }
}  // namespace dynamic

}  // namespace typenet
