#pragma once
// Compile-time budgets: a deployment's limits on parameters, MACs per image and activation memory
// per image, checked by the compiler against a model type.
//   static_assert(typenet::within<models::resnet50, typenet::budget{.params = 26'000'000,
//                                                                    .macs = 4'300'000'000,
//                                                                    .activation_bytes = 8'000'000}>);
// A model over budget does not compile: the error names the exceeded quantity with both numbers
// (detail::over_budget<quantity, the model's, the budget's>), like the shape rules. fits<M, B> is
// the same test as a plain predicate, for choosing among models.
#include <limits>

#include "memory.hpp"

namespace typenet {

// Limits per model (params) or per image (MACs, activation bytes); a limit left out is unlimited.
struct budget {
  static constexpr long unlimited = std::numeric_limits<long>::max();
  long params = unlimited;
  long macs = unlimited;
  long activation_bytes = unlimited;  // activation_bytes_v<M>: the executor's arena per image
};

namespace rule {
TYPENET_RULE(budget_params, "typenet::within: the model has more parameters than the budget", "params {}, budget {}");
TYPENET_RULE(budget_macs, "typenet::within: the model needs more MACs per image than the budget", "MACs {}, budget {}");
TYPENET_RULE(budget_activation_bytes, "typenet::within: the model needs more activation bytes per image than the budget",
             "activation bytes {}, budget {}");
}  // namespace rule

namespace detail {
namespace quantity {
struct params;
struct macs;
struct activation_bytes;
}  // namespace quantity

// Never defined: the context of a broken budget, whose arguments the compiler prints.
template <class Quantity, long Model, long Budget>
struct over_budget;

// The first quantity over budget, reported once (an ill-formed M has reported its broken rule).
template <class M, bool Report>
constexpr bool model_checked() {
  if constexpr (Report) return model_ok<M>; else return well_formed<M>;  // model_ok reports a broken rule
}

// With Report, the check reports and then gives true: one mistake, one error (the caller's
// static_assert does not fail a second time).
template <class M, budget B, bool Report>
constexpr bool check_budget() {
  if constexpr (!model_checked<M, Report>()) {
    return Report;
  } else if constexpr (param_count_v<M> > B.params) {
    if constexpr (Report) rule::budget_params::fail<over_budget<quantity::params, param_count_v<M>, B.params>>();
    return Report;
  } else if constexpr (macs_v<M> > B.macs) {
    if constexpr (Report) rule::budget_macs::fail<over_budget<quantity::macs, macs_v<M>, B.macs>>();
    return Report;
  } else if constexpr (B.activation_bytes == budget::unlimited) {  // the plan is not computed for nothing
    return true;
  } else if constexpr (activation_bytes_v<M> > B.activation_bytes) {
    if constexpr (Report) rule::budget_activation_bytes::fail<over_budget<quantity::activation_bytes, activation_bytes_v<M>, B.activation_bytes>>();
    return Report;
  } else {
    return true;
  }
}
}  // namespace detail

// Whether M is within B: a predicate, never a compile error.
template <model_type M, budget B>
inline constexpr bool fits = detail::check_budget<M, B, false>();

// M within B: true, or a compile error naming the first quantity over budget with both numbers
// (or, for an ill-formed M, its first broken rule).
template <model_type M, budget B>
inline constexpr bool within = detail::check_budget<M, B, true>();

}  // namespace typenet
