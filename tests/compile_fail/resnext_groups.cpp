// EXPECT: resnext::block: Filters must be divisible by Groups.*shape_mismatch<.*>, 100, 32>
// 100 filters cannot be split into 32 groups.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<64, 56, 56>, resnext::block<100, 1, true>>;
constexpr long p = param_count_v<broken>;
