#pragma once
// model<input<C, H, W>, Layers...>: a whole network as a type, and the compile-time facts about
// it. Every entry point (here, summary, weights, executor) checks the model first through the
// same step, so a broken model reports its first broken rule, once, wherever it is used.
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

namespace detail {
// The step every entry point takes first: true for a well-formed M; for an ill-formed one, the
// one diagnostic (its first broken rule), then false.
template <class M>
inline constexpr bool model_ok = !std::is_same_v<type_of<decltype(diagnose<typename M::body, typename M::input_shape>())>, invalid_shape>;

}  // namespace detail

// M's output shape per image; for an ill-formed M, the first broken rule is the compile error.
template <model_type M>
using output_shape_t = output_t<typename M::body, typename M::input_shape>;

template <model_type M>
inline constexpr long param_count_v =
    detail::checked_total<typename M::body, typename M::input_shape, false>(detail::diagnose<typename M::body, typename M::input_shape>());

template <model_type M>
inline constexpr long macs_v =
    detail::checked_total<typename M::body, typename M::input_shape, true>(detail::diagnose<typename M::body, typename M::input_shape>());

}  // namespace typenet
