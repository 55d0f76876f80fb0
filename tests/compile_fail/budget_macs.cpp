// EXPECT: static assertion failed: typenet::within: the model needs more MACs per image than the budget.*over_budget<typenet::detail::quantity::macs, 4089184256, 4000000000>
// EXPECT-CLANG: static_assert failed due to requirement .*over_budget<typenet::detail::quantity::macs, 4089184256, 4000000000>.*typenet::within: the model needs more MACs per image than the budget
// ResNet-50 (4,089,184,256 MACs per image) against a 4 G MAC budget; its parameters fit.
#include <typenet/typenet.hpp>
static_assert(typenet::within<typenet::models::resnet50, typenet::budget{.params = 26'000'000, .macs = 4'000'000'000}>);
