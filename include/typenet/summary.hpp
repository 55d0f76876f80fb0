#pragma once
// A model's layer table, like Keras' model.summary(): for a static model computed by the compiler
// (summary_v<M> is a constexpr std::array), for a dynamic one from its description; one printer.
#include <algorithm>
#include <array>
#include <cstdio>
#include <ostream>
#include <span>
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
constexpr int row_count();
template <class... C>
constexpr int row_count_all(type_list<C...>) {
  return (0 + ... + row_count<C>());
}
template <class L>
constexpr int row_count() {
  int rows = is_hidden<L> ? 0 : 1;
  if constexpr (composite_layer<L>) rows += row_count_all(children_t<L>{});
  return rows;
}

template <class L>
constexpr void write_rows(summary_row*& out, dims in, int index, int depth);
template <class L, class... C>
constexpr void write_child_rows(summary_row*& out, dims in, int depth, type_list<C...>) {
  dims cur = in;
  int i = 0;
  ((write_rows<C>(out, L::op::flow == ir::flow::chain ? cur : in, i, depth),
    cur = walk<C>(L::op::flow == ir::flow::chain ? cur : in).out, ++i),
   ...);
}
template <class L>
constexpr void write_rows(summary_row*& out, dims in, int index, int depth) {
  if (!is_hidden<L> && depth >= 0) {  // the model's body (depth -1) is not a row
    const facts f = walk<L>(in);
    *out++ = summary_row{own_name<L>(), index, depth, L::kind, f.out.channels, f.out.height, f.out.width,
                         f.params, f.macs, composite_layer<L>};
  }
  if constexpr (composite_layer<L>) write_child_rows<L>(out, in, is_hidden<L> ? depth : depth + 1, children_t<L>{});
}

template <class M, bool Ok>
constexpr auto make_summary() {
  using body = typename M::body;
  if constexpr (!Ok) {
    return std::array<summary_row, 0>{};
  } else {
    std::array<summary_row, row_count<body>() - 1> rows{};  // the body itself is not a row
    summary_row* out = rows.data();
    write_rows<body>(out, M::input_shape::dims, 0, -1);
    return rows;
  }
}

// The same rows from a resolved description (the dynamic front end).
inline void write_rows(const ir::resolved& r, std::vector<summary_row>& rows, int index, int depth) {
  const ir::node& n = *r.n;
  const bool hidden = n.name && n.name->empty();
  if (!hidden && depth >= 0)
    rows.push_back({n.name ? std::string_view(*n.name) : std::string_view{}, index, depth, n.kind(), r.out.channels,
                    r.out.height, r.out.width, r.params, r.macs, n.op->composite()});
  const int child_depth = hidden ? depth : depth + 1;
  for (std::size_t i = 0; i < r.children.size(); ++i) write_rows(r.children[i], rows, int(i), child_depth);
}

inline std::string with_commas(long v) {
  std::string digits = std::to_string(v), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The table: rows down to max_depth (0: the model's own layers; -1: every layer), with dotted
// names as in torchvision's state_dict ("layer1.0.conv2").
inline void print_table(std::ostream& os, std::string_view title, dims in, dims out, std::span<const summary_row> rows,
                        long params, long macs, int max_depth) {
  // Each row's dotted name and kind first: the name column widens to the longest one (deep
  // blocks such as "features.11.block.2.scale_activation (hardsigmoid)").
  std::vector<std::string> names;
  std::vector<std::string> path;  // the dotted name's parts, by depth
  std::size_t name_width = 44;
  for (const summary_row& r : rows) {
    path.resize(std::size_t(r.depth) + 1);
    path[std::size_t(r.depth)] = r.name.empty() ? std::to_string(r.index) : std::string(r.name);
    if (max_depth >= 0 && r.depth > max_depth) continue;
    std::string name;
    for (std::size_t d = 0; d < path.size(); ++d) name += (d ? "." : "") + path[d];
    name += " (" + std::string(r.kind) + ")";
    name_width = std::max(name_width, name.size());
    names.push_back(std::move(name));
  }
  const int w = int(name_width);
  const std::string rule(std::size_t(w) + 52, '_'), double_rule(std::size_t(w) + 52, '=');
  std::vector<char> line(std::size_t(w) + 128);
  os << "Model: " << title << "  (input " << in.channels << "x" << in.height << "x" << in.width << ")\n" << rule << "\n";
  std::snprintf(line.data(), line.size(), "%-*s %-18s %14s %16s\n", w, "Layer (type)", "Output Shape", "Param #", "MACs");
  os << line.data() << double_rule << "\n";
  std::size_t i = 0;
  for (const summary_row& r : rows) {
    if (max_depth >= 0 && r.depth > max_depth) continue;
    const std::string shape = "(" + std::to_string(r.channels) + ", " + std::to_string(r.height) + ", " + std::to_string(r.width) + ")";
    std::snprintf(line.data(), line.size(), "%-*s %-18s %14s %16s\n", w, names[i++].c_str(), shape.c_str(),
                  with_commas(r.params).c_str(), with_commas(r.macs).c_str());
    os << line.data();
  }
  os << double_rule << "\n"
     << "Total params: " << with_commas(params) << "\n"
     << "Total MACs:   " << with_commas(macs) << " per image (" << double(macs) / 1e9 << " G)\n"
     << "Output shape: (" << out.channels << ", " << out.height << ", " << out.width << ")\n"
     << rule << "\n";
}
}  // namespace detail

// One row per visible layer, depth-first, for a well-formed model M (ill-formed: its first broken
// rule is the compile error, and the table is empty).
template <model_type M>
inline constexpr auto summary_v = detail::make_summary<M, detail::model_ok<M>>();

// Prints M's layer table down to max_depth (0: the model's own layers; -1: every layer).
template <model_type M>
void print_summary(std::ostream& os, std::string_view title = "model", int max_depth = -1) {
  if constexpr (detail::model_ok<M>) {
    using in = typename M::input_shape;
    using out = output_shape_t<M>;
    detail::print_table(os, title, in::dims, out::dims, summary_v<M>, param_count_v<M>, macs_v<M>, max_depth);
  }
}

}  // namespace typenet
