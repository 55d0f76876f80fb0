#pragma once
// A model's layer table, computed by the compiler (summary_v<M> is a constexpr std::array) and
// printed like Keras' model.summary().
#include <array>
#include <boost/hana/at.hpp>
#include <boost/hana/length.hpp>
#include <cstdio>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "model.hpp"

namespace typenet {

struct summary_row {
  std::string_view name;  // own name; empty for index-named children (see index)
  int index;              // position in the parent when unnamed
  int depth;              // 0 for the model's layers, +1 per enclosing (visible) composite
  std::string_view kind;
  int channels, height, width;  // output shape
  long params, macs;
  bool composite;
};

namespace detail {
template <class L>
constexpr std::string_view own_name() {
  if constexpr (is_named<L>) return L::name; else return {};
}
template <class L>
inline constexpr bool is_hidden = own_name<L>().empty() && is_named<L>;

template <class L>
constexpr int row_count() {
  int rows = is_hidden<L> ? 0 : 1;
  if constexpr (composite_layer<L>)
    rows += hana::unpack(L::children, [](auto... c) { return (0 + ... + row_count<type_of<decltype(c)>>()); });
  return rows;
}

template <class L, class In>
constexpr void write_rows(summary_row*& out, int index, int depth) {
  if constexpr (!is_hidden<L>) {
    using Out = typename L::template output<In>;
    *out++ = summary_row{own_name<L>(), index, depth, L::kind, Out::channels, Out::height, Out::width,
                         layer_params_v<L, In>, layer_macs_v<L, In>, composite_layer<L>};
  }
  if constexpr (composite_layer<L>) {
    constexpr auto inputs = L::template child_inputs<In>();
    const int child_depth = is_hidden<L> ? depth : depth + 1;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (write_rows<type_of<decltype(hana::at_c<I>(L::children))>, type_of<decltype(hana::at_c<I>(inputs))>>(
           out, int(I), child_depth),
       ...);
    }(std::make_index_sequence<decltype(hana::length(L::children))::value>{});
  }
}

template <class M>
constexpr auto make_summary() {
  using body = typename M::body;
  std::array<summary_row, row_count<body>() - 1> rows{};  // the body itself is not a row
  summary_row* out = rows.data();
  constexpr auto inputs = body::template child_inputs<typename M::input_shape>();
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (write_rows<type_of<decltype(hana::at_c<I>(body::children))>, type_of<decltype(hana::at_c<I>(inputs))>>(out, int(I), 0),
     ...);
  }(std::make_index_sequence<decltype(hana::length(body::children))::value>{});
  return rows;
}

inline std::string with_commas(long v) {
  std::string digits = std::to_string(v), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}
}  // namespace detail

// One row per visible layer, depth-first, for a well-formed model M.
template <model_type M>
  requires(!std::is_same_v<output_shape_t<M>, detail::invalid_shape>)
inline constexpr auto summary_v = detail::make_summary<M>();

// Prints M's layer table down to max_depth (0: the model's own layers; -1: every layer), with
// dotted names as in torchvision's state_dict ("layer1.0.conv2").
template <model_type M>
void print_summary(std::ostream& os, std::string_view title = "model", int max_depth = -1) {
  using in = typename M::input_shape;
  using out = output_shape_t<M>;
  const std::string rule(96, '_'), double_rule(96, '=');
  char line[256];
  os << "Model: " << title << "  (input " << in::channels << "x" << in::height << "x" << in::width << ")\n" << rule << "\n";
  std::snprintf(line, sizeof line, "%-44s %-18s %14s %16s\n", "Layer (type)", "Output Shape", "Param #", "MACs");
  os << line << double_rule << "\n";
  std::vector<std::string> path;  // the dotted name's parts, by depth
  for (const summary_row& r : summary_v<M>) {
    path.resize(std::size_t(r.depth) + 1);
    path[std::size_t(r.depth)] = r.name.empty() ? std::to_string(r.index) : std::string(r.name);
    if (max_depth >= 0 && r.depth > max_depth) continue;
    std::string name;
    for (std::size_t d = 0; d < path.size(); ++d) name += (d ? "." : "") + path[d];
    name += " (" + std::string(r.kind) + ")";
    const std::string shape = "(" + std::to_string(r.channels) + ", " + std::to_string(r.height) + ", " + std::to_string(r.width) + ")";
    std::snprintf(line, sizeof line, "%-44s %-18s %14s %16s\n", name.c_str(), shape.c_str(),
                  detail::with_commas(r.params).c_str(), detail::with_commas(r.macs).c_str());
    os << line;
  }
  os << double_rule << "\n"
     << "Total params: " << detail::with_commas(param_count_v<M>) << "\n"
     << "Total MACs:   " << detail::with_commas(macs_v<M>) << " per image (" << double(macs_v<M>) / 1e9 << " G)\n"
     << "Output shape: (" << out::channels << ", " << out::height << ", " << out::width << ")\n"
     << rule << "\n";
}

}  // namespace typenet
