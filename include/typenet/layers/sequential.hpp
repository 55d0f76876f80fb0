#pragma once
#include <boost/hana/back.hpp>
#include <boost/hana/drop_back.hpp>
#include <boost/hana/scan_left.hpp>

#include "../layer.hpp"

namespace typenet {

// Layers applied one after the other. Children are named by index ("0", "1", ...) unless wrapped
// in named<>, like torch.nn.Sequential.
template <layer... Layers>
struct sequential {
  static_assert(sizeof...(Layers) > 0, "sequential: needs at least one layer");
  static constexpr std::string_view kind = "sequential";
  static constexpr auto children = hana::tuple_t<Layers...>;

  // The shapes flowing between the children: In, then each child's output (hana::type each);
  // invalid_shape from the first child that rejects its input on.
  template <class In, bool Diagnose = false>
  static constexpr auto trace() {
    return hana::scan_left(children, hana::type_c<In>,
                           [](auto in, auto l) { return hana::type_c<detail::step_t<Diagnose, detail::type_of<decltype(l)>, detail::type_of<decltype(in)>>>; });
  }

  template <class In>
  static constexpr auto child_inputs() {
    return hana::drop_back(trace<In>());
  }

  template <class In, bool Diagnose = false>
  static constexpr bool check() {
    return !std::is_same_v<detail::type_of<decltype(hana::back(trace<In, Diagnose>()))>, detail::invalid_shape>;
  }
  template <class In>
  using output = detail::type_of<decltype(hana::back(trace<In>()))>;

  template <class In>
  static constexpr long params = detail::sum_over_children<sequential, In>([](auto l, auto in) {
    return layer_params_v<detail::type_of<decltype(l)>, detail::type_of<decltype(in)>>;
  });
  template <class In>
  static constexpr long macs = detail::sum_over_children<sequential, In>([](auto l, auto in) {
    return layer_macs_v<detail::type_of<decltype(l)>, detail::type_of<decltype(in)>>;
  });
};

}  // namespace typenet
