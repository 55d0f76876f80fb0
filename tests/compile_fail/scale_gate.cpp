// EXPECT: scale: the gate must give \(C, 1, 1\) with C the input's channels.*shape_mismatch<.*>, 16, 1, 1, 32>
// A hand-written squeeze-excitation whose excitation conv restores the wrong width.
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<32, 7, 7>, scale<sequential<global_avg_pool, conv2d<8, 1>, relu, conv2d<16, 1>, sigmoid>>>;
output_shape_t<broken> out;
