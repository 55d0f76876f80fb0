// EXPECT: static assertion failed: typenet::within: the model has more parameters than the budget.*over_budget<typenet::detail::quantity::params, 25557032, 20000000>
// EXPECT-CLANG: static_assert failed due to requirement .*over_budget<typenet::detail::quantity::params, 25557032, 20000000>.*typenet::within: the model has more parameters than the budget
// ResNet-50 (25,557,032 parameters) against a 20 M parameter budget.
#include <typenet/typenet.hpp>
static_assert(typenet::within<typenet::models::resnet50, typenet::budget{.params = 20'000'000}>);
