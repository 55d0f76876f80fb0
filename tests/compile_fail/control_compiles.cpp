// EXPECT: static assertion failed: control: a 3x3 conv from 64 to 128 channels
// EXPECT-CLANG: static_assert failed.*control: a 3x3 conv from 64 to 128 channels
// Control case: valid code. Its compile_fail test must not find the diagnostic (WILL_FAIL), which
// proves the harness can report a file that compiles; its `.builds` test proves it does compile.
#include <typenet/kernels/geometry.hpp>

constexpr typenet::kernels::conv_geometry control_conv{64, 56, 56, 128, 56, 56, 3, 3, 1, 1, 1, 1, 1};
static_assert(control_conv.weight_size() == 128 * 64 * 3 * 3,
              "control: a 3x3 conv from 64 to 128 channels has 73728 weights");
