#pragma once
// The op-kind protocol: the one description of a layer kind, read by the static front end (at
// compile time), the dynamic front end (at run time) and the planner. One struct per kind:
//
//   struct my_op {
//     static constexpr std::string_view kind = "my_op";   // its name in summaries
//     struct attributes { int k; ... };                    // its numbers (a literal type)
//     using rules = rule_list<rule_a, rule_b>;             // every rule check() can report
//     static constexpr verdict check(const attributes&, dims in);   // optional: ok by default
//     // a leaf:
//     static constexpr dims output(const attributes&, dims in);     // optional: the input shape
//     static runtime::value emit(const attributes&, ir::emit_context&);   // its kernel calls
//     // a composite (children given by the layer): how they are wired
//     static constexpr ir::flow flow = ir::flow::chain;    // or parallel: every child sees the input
//     static constexpr outcome join(const attributes&, dims in, const dims* outs, int n);  // optional for chains
//     static runtime::value emit(const attributes&, ir::emit_context&);   // optional for chains
//     // optional for both (0 / none by default): own parameters, MACs per image and
//     // state_dict tensors, children not included
//     static constexpr long params(const attributes&, dims in);
//     static constexpr long macs(const attributes&, dims in);
//     static void tensors(const attributes&, dims in, ir::tensor_list&);
//     // optional, for the plans made without emitting (the compile-time memory plan): how emit()
//     // wires its calls, if not the default (a leaf: one call on its input; a chain: its children;
//     // a parallel composite: its children on the input, then one call on their outputs), and
//     // what its call offers the fusion pass (runtime/plan.hpp); the executor checks both
//     static constexpr ir::wiring wiring{.call = false};          // e.g. a leaf that returns its input
//     static constexpr runtime::fusion_traits fusion{.relu = true};
//     // or, where it depends on the attributes and the input shape:
//     static constexpr runtime::fusion_traits fusion_of(const attributes&, dims in);
//   };
#include <concepts>
#include <string_view>

#include "diagnostics.hpp"
#include "shape.hpp"

namespace typenet {

namespace ir {
enum class flow { chain, parallel };

// How an op kind's emit() wires its calls (see the protocol above).
struct wiring {
  bool call = true;          // it appends one call (after its children); false: a leaf returns its input,
                             // a composite chains its children
  bool reversed = false;     // a parallel composite emits its children last to first
  bool input_first = false;  // the call reads the layer's input, then the children's outputs
};
}  // namespace ir

// What a composite's join gives: its rules after its children, and its output shape.
struct outcome {
  verdict v;
  dims out;
};

template <class Op>
concept op_kind = requires {
  { Op::kind } -> std::convertible_to<std::string_view>;
  typename Op::attributes;
  typename Op::rules;
};

template <class Op>
concept composite_op_kind = op_kind<Op> && requires {
  { Op::flow } -> std::convertible_to<ir::flow>;
};

namespace detail {
// The protocol's defaults, so that a kind writes only what it has.
template <op_kind Op>
constexpr verdict op_check(const typename Op::attributes& a, dims in) {
  if constexpr (requires { Op::check(a, in); }) return Op::check(a, in); else return {};
}
template <op_kind Op>
constexpr dims op_output(const typename Op::attributes& a, dims in) {
  if constexpr (requires { Op::output(a, in); }) return Op::output(a, in); else return in;
}
template <op_kind Op>
constexpr outcome op_join(const typename Op::attributes& a, dims in, const dims* outs, int n) {
  if constexpr (requires { Op::join(a, in, outs, n); })
    return Op::join(a, in, outs, n);
  else
    return {{}, n > 0 ? outs[n - 1] : in};  // a chain gives its last child's output
}
template <op_kind Op>
constexpr long op_params(const typename Op::attributes& a, dims in) {
  if constexpr (requires { Op::params(a, in); }) return Op::params(a, in); else return 0;
}
template <op_kind Op>
constexpr long op_macs(const typename Op::attributes& a, dims in) {
  if constexpr (requires { Op::macs(a, in); }) return Op::macs(a, in); else return 0;
}
}  // namespace detail

}  // namespace typenet
