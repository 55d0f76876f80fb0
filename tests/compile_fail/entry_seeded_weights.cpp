// EXPECT: static assertion failed: conv2d: kernel larger than the padded input.*shape_mismatch<typenet::fixed_string<[0-9]+>{"layer3\.1\.conv2"}, typenet::fixed_string<[0-9]+>{"kernel 7x7, padded input 4x4"}, typenet::conv2d<128, typenet::hw{7, 7}, 1, typenet::hw{0, 0}, 1, false>, 7, 7, 4, 4>
// EXPECT-CLANG: static_assert failed due to requirement '.*shape_mismatch<typenet::conv2d<128, {7, 7}, 1, {0, 0}, 1, false>, 7, 7, 4, 4>>'.*conv2d: kernel larger than the padded input
// RULE: conv2d: kernel larger than the padded input
// PATH: layer3.1.conv2
// Entry point seeded_weights<M>(seed), on a 32x32 net whose layer3.1.conv2 is a 7x7 conv without padding on a 4x4 map.
// It must report the rule (line 3) once, first, with its numbers, and on GCC the path (line 4).
// tools/check_diagnostics.py (test diagnostics.budget) also holds it to <= 2 errors, < 30 KB.
#include <typenet/runtime/weights.hpp>
#include "broken_models.hpp"
using net = broken_models::small_net_large_kernel;
typenet::weight_store demo_weights() { return typenet::seeded_weights<net>(42); }
