#pragma once
// What max_pool and avg_pool share: pool_options (the readable way to spell a window), the window
// attributes, the checks of their rules, their geometry, their kernel call, and the reading of
// their template arguments. Each pool names its own rules (their texts say which API broke them).
#include <memory>
#include <type_traits>

#include "../hw.hpp"
#include "../kernels/geometry.hpp"
#include "../layer.hpp"

namespace typenet {

// The window of a pool after its kernel, spelled by name:
//   avg_pool<3, pool_options{.stride = 1, .padding = 1, .ceil_mode = true, .count_include_pad = false}>
// stride {0, 0} (the default) means the kernel, as PyTorch's stride=None; count_include_pad is
// avg_pool's alone. Given as the second argument, it replaces the positional ones after it.
struct pool_options {
  hw stride = hw{0, 0};
  hw padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
};

namespace detail {

// A pool's attributes, per axis.
struct pool_window {
  hw kernel = 0, stride = 0, padding = 0;
  bool ceil_mode = false, count_include_pad = true;
};

constexpr pool_window window_with(hw kernel, const pool_options& o) {
  return {kernel, o.stride == hw{0, 0} ? kernel : o.stride, o.padding, o.ceil_mode, o.count_include_pad};
}

// The attributes of a static pool from its template arguments: Stride is an int, an hw or a
// pool_options; after pool_options, the positional arguments must keep their defaults
// (OptionsRule says so, in the context of the layer type Layer).
template <class OptionsRule, class Layer, hw Kernel, auto Stride, hw Padding, bool CeilMode, bool CountIncludePad>
constexpr pool_window pool_window_of() {
  using stride_type = std::remove_cvref_t<decltype(Stride)>;
  if constexpr (std::is_same_v<stride_type, pool_options>) {
    if constexpr (!(Padding == hw{0} && !CeilMode && CountIncludePad)) OptionsRule::template fail<Layer>();
    return window_with(Kernel, Stride);
  } else {
    // Exactly these: a bool or a char would convert to a stride silently.
    static_assert(std::is_same_v<stride_type, int> || std::is_same_v<stride_type, hw>,
                  "typenet pools: Stride must be an int, an hw or a pool_options");
    return {Kernel, hw(Stride), Padding, CeilMode, CountIncludePad};
  }
}

// A pool's rules, checked per axis; the numbers are those of the axis that breaks the rule
// (height first), so that a square window reads as PyTorch's single numbers.
template <class Positive, class Padding, class Fits>
struct window_op {
  using attributes = pool_window;
  using rules = rule_list<Positive, Padding, Fits>;
  static constexpr runtime::fusion_traits fusion{.slice_inputs = 1, .slice_output = true};  // the fast kernels'

  static constexpr verdict check(const attributes& a, dims in) {
    const int k[2] = {a.kernel.h, a.kernel.w}, s[2] = {a.stride.h, a.stride.w}, p[2] = {a.padding.h, a.padding.w};
    const int padded[2] = {in.height + 2 * a.padding.h, in.width + 2 * a.padding.w};
    for (int i = 0; i < 2; ++i)
      if (!(k[i] > 0 && s[i] > 0 && p[i] >= 0)) return rules::template broken<Positive>({k[i], s[i], p[i]});
    for (int i = 0; i < 2; ++i)
      if (2 * p[i] > k[i]) return rules::template broken<Padding>({p[i], k[i]});
    for (int i = 0; i < 2; ++i)
      if (k[i] > padded[i]) return rules::template broken<Fits>({k[i], padded[0], padded[1]});
    return {};
  }
  static constexpr kernels::pool_geometry geometry(const attributes& a, dims in) {
    return kernels::make_pool_geometry(in.channels, in.height, in.width, a.kernel.h, a.kernel.w, a.stride.h, a.stride.w,
                                       a.padding.h, a.padding.w, a.ceil_mode, a.count_include_pad);
  }
  static constexpr dims output(const attributes& a, dims in) {
    const auto g = geometry(a, in);
    return {in.channels, g.out_h, g.out_w};
  }
};

// The call of a pool: the fast kernel on part p of the planes, or the reference one per image.
// Max: a max pool (a stem before it may apply it: kernels::stem_max_pool).
template <auto Fast, auto Reference, bool Max>
class pool_call final : public runtime::call {
 public:
  explicit pool_call(kernels::pool_geometry g) : g_(g) {}
  void run(const runtime::io& x, int batch, kernels::part p) const override {
    if (fast_) {
      kernels::pool_geometry g = g_;
      g.in_image_stride = x.in_stride[0], g.out_image_stride = x.out_stride;
      return Fast(g, x.in[0], x.out, batch, p);
    }
    for (int n = p.begin(batch); n < p.end(batch); ++n) Reference(g_, x.in[0] + n * g_.in_size(), x.out + n * g_.out_size(), 1);
  }
  void prepare(bool fast) override { fast_ = fast; }
  const kernels::pool_geometry* as_max_pool() const override { return Max ? &g_ : nullptr; }
  int slice_inputs() const override { return 1; }  // slices are placed on the fast path only
  bool slice_output() const override { return true; }

 private:
  kernels::pool_geometry g_;
  bool fast_ = false;
};

template <class Op, auto Fast, auto Reference, bool Max = false>
runtime::value emit_pool(const pool_window& a, ir::emit_context& ctx) {
  return ctx.add(std::make_shared<pool_call<Fast, Reference, Max>>(Op::geometry(a, ctx.in)));
}

}  // namespace detail
}  // namespace typenet
