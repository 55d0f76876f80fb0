// EXPECT: static assertion failed: typenet::within: the model needs more activation bytes per image than the budget.*over_budget<typenet::detail::quantity::activation_bytes, 6422528, 6000000>
// EXPECT-CLANG: static_assert failed due to requirement .*over_budget<typenet::detail::quantity::activation_bytes, 6422528, 6000000>.*typenet::within: the model needs more activation bytes per image than the budget
// ResNet-50 (6,422,528 activation bytes per image in its memory plan) against 6 MB; its
// parameters and MACs fit.
#include <typenet/typenet.hpp>
static_assert(typenet::within<typenet::models::resnet50, typenet::budget{.params = 26'000'000, .macs = 4'300'000'000, .activation_bytes = 6'000'000}>);
