#pragma once
// The layer protocol. A layer L is a type with
//   L::kind                        its name in summaries and diagnostics,
//   L::check<In, Diagnose>()       whether it accepts input shape In (see diagnostics.hpp),
//   L::output<In>                  its output shape (named only after check passed),
//   L::params<In>, L::macs<In>     learnable parameters and multiply-accumulates per image,
// and a composite layer also has
//   L::children                    a hana::tuple_t of its child layers,
//   L::child_inputs<In>()          a hana::tuple of the child layers' input shapes (hana::type).
// Everything here is evaluated by the compiler; nothing exists at run time.
#include <boost/hana/basic_tuple.hpp>
#include <boost/hana/fold_left.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>
#include <boost/hana/unpack.hpp>
#include <string_view>

#include "diagnostics.hpp"
#include "fixed_string.hpp"
#include "shape.hpp"

namespace typenet {
namespace hana = boost::hana;

template <class L>
concept layer = requires {
  { L::kind } -> std::convertible_to<std::string_view>;
};

template <class L>
concept composite_layer = layer<L> && requires { L::children; };

namespace detail {
// The type a hana::type value (or a reference to one) stands for.
template <class HanaType>
using type_of = typename std::remove_cvref_t<HanaType>::type;

// One step of shape propagation: where cascades stop (an invalid input is passed on unchecked).
template <bool Diagnose, class L, class In>
constexpr auto step(hana::basic_type<L>, hana::basic_type<In>) {
  if constexpr (std::is_same_v<In, invalid_shape>)
    return hana::type_c<invalid_shape>;
  else if constexpr (L::template check<In, false>())
    return hana::type_c<typename L::template output<In>>;
  else {
    // Not a constant evaluation: the failed static_assert is the one error, not a cascade of
    // "called in a constant expression" ones.
    if constexpr (Diagnose) L::template check<In, true>();
    return hana::type_c<invalid_shape>;
  }
}

template <bool Diagnose, class L, class In>
using step_t = typename decltype(step<Diagnose>(hana::type_c<L>, hana::type_c<In>))::type;
}  // namespace detail

// Does layer L accept input shape In? A plain predicate: never a compile error.
template <class L, class In>
inline constexpr bool accepts = shape_type<In> && !std::is_same_v<detail::step_t<false, L, In>, detail::invalid_shape>;

// The output shape of L on In; naming it for an invalid pair is a compile error that says why.
template <class L, class In>
using output_t = detail::step_t<true, L, In>;

template <class L, class In>
inline constexpr long layer_params_v = L::template params<In>;
template <class L, class In>
inline constexpr long layer_macs_v = L::template macs<In>;

// named<"conv1", L>: L under the name torchvision's state_dict uses for it. An empty name makes
// a node transparent: its children take its place in names and summaries.
template <fixed_string Name, layer L>
struct named : L {
  using layer_type = L;
  static constexpr std::string_view name = Name.view();
};

namespace detail {
template <class L>
inline constexpr bool is_named = false;
template <fixed_string Name, class L>
inline constexpr bool is_named<named<Name, L>> = true;

template <class L>
using transparent = named<"", L>;

// Sum a metric over the children of a composite layer, each at its own input shape.
template <class L, class In, class Metric>
constexpr long sum_over_children(Metric metric) {
  return hana::unpack(L::template child_inputs<In>(), [&](auto... ins) {
    return hana::unpack(L::children, [&](auto... children) { return (0L + ... + metric(children, ins)); });
  });
}
}  // namespace detail

}  // namespace typenet
