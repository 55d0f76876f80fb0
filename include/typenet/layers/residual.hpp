#pragma once
#include "../layer.hpp"

namespace typenet {

// y = Branch(x) + Shortcut(x): both children see the same input and must agree on the output shape.
// Keras' Add raises "Inputs have incompatible shapes" at graph build and dlib's add_prev zero-pads
// silently; here a mismatch does not compile.
template <layer Branch, layer Shortcut>
struct residual {
  static constexpr std::string_view kind = "residual";
  static constexpr auto children = hana::tuple_t<Branch, Shortcut>;

  template <class In>
  static constexpr auto child_inputs() { return hana::make_tuple(hana::type_c<In>, hana::type_c<In>); }

  template <class In, bool Diagnose = false>
  static constexpr bool check() {
    using B = detail::step_t<Diagnose, Branch, In>;
    using S = detail::step_t<Diagnose, Shortcut, In>;
    if constexpr (std::is_same_v<B, detail::invalid_shape> || std::is_same_v<S, detail::invalid_shape>) {
      return false;  // the child has reported already
    } else if constexpr (B::channels != S::channels) {
      if constexpr (Diagnose) {
        static_assert(B::channels == S::channels, "residual: branch and shortcut must give the same channels");
        (void)sizeof(detail::shape_mismatch<residual, B::channels, S::channels>);
      }
      return false;
    } else if constexpr (B::height != S::height || B::width != S::width) {
      if constexpr (Diagnose) {
        static_assert(B::height == S::height && B::width == S::width,
                      "residual: branch and shortcut must give the same height and width");
        (void)sizeof(detail::shape_mismatch<residual, B::height, B::width, S::height, S::width>);
      }
      return false;
    } else {
      return true;
    }
  }

  template <class In>
  using output = typename Branch::template output<In>;
  template <class In>
  static constexpr long params = layer_params_v<Branch, In> + layer_params_v<Shortcut, In>;
  template <class In>
  static constexpr long macs = layer_macs_v<Branch, In> + layer_macs_v<Shortcut, In>;
};

}  // namespace typenet
