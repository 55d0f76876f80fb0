// EXPECT: inception::block_a: PoolFeatures must be positive.*shape_mismatch<.*>, 0>
// InceptionA whose pool branch projects to no channels.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<192, 35, 35>, inception::block_a<0>>;
constexpr long p = param_count_v<broken>;
