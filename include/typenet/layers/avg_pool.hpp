#pragma once
// avg_pool: PyTorch's AvgPool2d (zero padding; ceil_mode and count_include_pad as PyTorch's: the
// divisor is the window clipped to the padded input, or its real elements without
// count_include_pad). Windows, strides and paddings per axis (hw).
#include "../kernels/pool.hpp"
#include "../kernels/reference.hpp"
#include "pool_window.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(avg_pool_positive, "avg_pool: Kernel and Stride must be positive and Padding non-negative",
             "Kernel {}, Stride {}, Padding {}");
TYPENET_RULE(avg_pool_padding, "avg_pool: Padding must be at most half the kernel", "Padding {}, Kernel {}");
TYPENET_RULE(avg_pool_kernel_fits, "avg_pool: kernel larger than the padded input", "kernel {}, padded input {}x{}");
TYPENET_RULE(avg_pool_options_form,
             "avg_pool: after pool_options, leave Padding, CeilMode and CountIncludePad out (set them in the options)", "");
}  // namespace rule

namespace ops {
struct avg_pool : typenet::detail::window_op<rule::avg_pool_positive, rule::avg_pool_padding, rule::avg_pool_kernel_fits> {
  static constexpr std::string_view kind = "avg_pool";
  static runtime::value emit(const attributes& a, ir::emit_context& ctx) {
    return typenet::detail::emit_pool<avg_pool, &kernels::avg_pool, &kernels::reference::avg_pool>(a, ctx);
  }
};
}  // namespace ops

// avg_pool<Kernel, Stride = Kernel, Padding = 0, CeilMode = false, CountIncludePad = true>, or
// avg_pool<Kernel, pool_options{.stride = 1, .padding = 1, .count_include_pad = false}>.
// Kernel and Padding are hw (an int is the square pair); Stride an int, an hw or a pool_options.
template <hw Kernel, auto Stride = Kernel, hw Padding = 0, bool CeilMode = false, bool CountIncludePad = true>
struct avg_pool : layer_of<ops::avg_pool> {
  static constexpr ops::avg_pool::attributes attrs =
      detail::pool_window_of<rule::avg_pool_options_form, avg_pool, Kernel, Stride, Padding, CeilMode, CountIncludePad>();
};

namespace dynamic {
inline layer avg_pool(int kernel, int stride, int padding = 0, bool ceil_mode = false, bool count_include_pad = true) {
  return ir::make<ops::avg_pool>({kernel, stride, padding, ceil_mode, count_include_pad});
}
inline layer avg_pool(int kernel) { return avg_pool(kernel, kernel); }
inline layer avg_pool(hw kernel, pool_options options) { return ir::make<ops::avg_pool>(detail::window_with(kernel, options)); }
}  // namespace dynamic

}  // namespace typenet
