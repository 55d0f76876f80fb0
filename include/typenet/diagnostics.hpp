#pragma once
// How typenet reports a broken model: every rule is checked by a layer's `check<In, Diagnose>()`.
// With Diagnose == false it is a plain predicate (used by `accepts`, `well_formed`, the in-process
// negative tests); with Diagnose == true the first broken rule fires a static_assert whose message
// names the API and the rule, followed by `detail::shape_mismatch<Where, values...>`, an incomplete
// type whose name shows the layer that failed and the offending numbers on every compiler. Later rules and later layers are not
// checked once one fails, so one mistake gives one error.
namespace typenet::detail {

template <class Where, auto... Values>
struct shape_mismatch;  // never defined: naming it in an error prints the layer and the values

}  // namespace typenet::detail
