#pragma once
#include "layers/sequential.hpp"

namespace typenet {

namespace detail {
template <class T>
inline constexpr bool is_input = false;
template <int C, int H, int W>
inline constexpr bool is_input<input<C, H, W>> = true;
}  // namespace detail

// A network: an input shape and the layers applied to it in order. The type is the whole model;
// its shapes, parameter count and MACs are compile-time constants.
template <class Input, layer... Layers>
struct model {
  static_assert(detail::is_input<Input>, "typenet::model: the first argument must be typenet::input<C, H, W>");
  using input_shape = typename Input::shape_type;
  using body = sequential<Layers...>;
};

namespace detail {
template <class T>
inline constexpr bool is_model = false;
template <class Input, class... Layers>
inline constexpr bool is_model<model<Input, Layers...>> = true;
}  // namespace detail

template <class M>
concept model_type = detail::is_model<M>;

// Whether every layer of M accepts its input: a predicate, never a compile error.
template <model_type M>
inline constexpr bool well_formed = accepts<typename M::body, typename M::input_shape>;

// M's output shape per image; for an ill-formed M, the first broken rule is the compile error.
template <model_type M>
using output_shape_t = output_t<typename M::body, typename M::input_shape>;

namespace detail {
template <class M, class Metric>
constexpr long checked_total(Metric metric) {
  if constexpr (std::is_same_v<output_shape_t<M>, invalid_shape>)
    return 0;  // output_shape_t has reported the error
  else
    return metric(hana::type_c<typename M::body>, hana::type_c<typename M::input_shape>);
}
}  // namespace detail

template <model_type M>
inline constexpr long param_count_v = detail::checked_total<M>([](auto l, auto in) {
  return layer_params_v<detail::type_of<decltype(l)>, detail::type_of<decltype(in)>>;
});

template <model_type M>
inline constexpr long macs_v = detail::checked_total<M>([](auto l, auto in) {
  return layer_macs_v<detail::type_of<decltype(l)>, detail::type_of<decltype(in)>>;
});

}  // namespace typenet
