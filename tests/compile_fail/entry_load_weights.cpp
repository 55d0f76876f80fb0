// EXPECT: static assertion failed: residual: branch and shortcut must give the same channels.*shape_mismatch<typenet::fixed_string<[0-9]+>{"layer2\.0"}, typenet::fixed_string<[0-9]+>{"branch 128 channels, shortcut 64 channels"}, typenet::residual<.*>, 128, 64>
// EXPECT-CLANG: static_assert failed due to requirement '.*shape_mismatch<typenet::residual<.*>, 128, 64>>'.*residual: branch and shortcut must give the same channels
// RULE: residual: branch and shortcut must give the same channels
// PATH: layer2.0
// Entry point load_weights<M>(path), on ResNet-18 with an identity shortcut at layer2.0 (64 -> 128 channels, stride 2).
// It must report the rule (line 3) once, first, with its numbers, and on GCC the path (line 4).
// tools/check_diagnostics.py (test diagnostics.budget) also holds it to <= 2 errors, < 30 KB.
#include <typenet/runtime/weights.hpp>
#include "broken_models.hpp"
using net = broken_models::resnet18_identity_layer2;
typenet::weight_store load(const std::string& path) { return typenet::load_weights<net>(path); }
