// Squeeze-excitation without its own pass: the fusion pass folds the scale x * gate into the dense
// 1x1 conv that is its only reader, W (g . x) = (W diag(g)) x, the packed weights' input-channel
// columns scaled per image (kernels::scale_weight_columns). Here: that kernel against the
// reference conv of the scaled input, then models fused (folded) against the reference path (a
// scale of its own), on both front ends, with the cases that must keep the scale.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include <typenet/dynamic/executor.hpp>
#include <typenet/kernels/conv2d.hpp>
#include <typenet/kernels/fold.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace {
using namespace typenet;
namespace k = typenet::kernels;
namespace ref = typenet::kernels::reference;

std::vector<float> random_floats(long n, unsigned seed, float lo = -1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, 1.0f);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = d(rng);
  return v;
}

double worst_error(const std::vector<float>& got, const std::vector<float>& want, double& scale) {
  scale = 1.0;
  for (float v : want) scale = std::max(scale, double(std::fabs(v)));
  double worst = 0.0;
  for (std::size_t i = 0; i < want.size(); ++i) worst = std::max(worst, double(std::fabs(got[i] - want[i])));
  return worst;
}

// The gate folded into the packed weights, then the fast conv, against the reference conv of x * gate.
void check_folded_conv(int in_c, int h, int w, int out_c, int parts) {
  INFO(in_c << "x" << h << "x" << w << " -> " << out_c << ", parts " << parts);
  const auto g = k::make_conv_geometry(in_c, h, w, out_c, 1, 1, 0, 1);
  const auto x = random_floats(g.in_size(), 1), weight = random_floats(g.weight_size(), 2), bias = random_floats(out_c, 3);
  const auto gate = random_floats(in_c, 4, 0.0f);
  std::vector<float> scaled(x.size()), want(std::size_t(g.out_size()));
  k::scale_channels(in_c, long(h) * w, x.data(), gate.data(), scaled.data(), 1);
  ref::conv2d(g, scaled.data(), weight.data(), bias.data(), want.data(), 1);

  std::vector<float> packed(std::size_t(k::packed_conv_weight_size(g))), folded(packed.size()), got(want.size());
  k::pack_conv_weights(g, weight.data(), packed.data());
  for (int i = 0; i < parts; ++i)
    k::scale_weight_columns(k::conv_blocks_per_group(g), in_c, k::conv_block(g), packed.data(), gate.data(), folded.data(), {i, parts});
  for (int i = 0; i < parts; ++i) k::conv2d(g, x.data(), folded.data(), {bias.data(), nullptr, k::activation::none}, got.data(), 1, {i, parts});
  double scale = 1.0;
  const double worst = worst_error(got, want, scale);
  INFO("max error " << worst << ", scale " << scale);
  CHECK(worst <= 2e-5 * scale);
}

// M fused (gate folded where it can be) against its reference path, batch 3, both front ends;
// `gates` scales stay in the fused plan and `folded` convs took one.
template <class M>
void check_model(int gates, int folded) {
  const auto w = seeded_weights<M>(7);
  const auto x = random_floats(3 * M::input_shape::size, 8, -2.0f);
  executor<M> reference(w, {.threads = 2, .max_batch = 3, .fused = false});
  executor<M> fused(w, {.threads = 2, .max_batch = 3});
  dynamic::executor fused_dynamic(dynamic::model::of<M>(), w, {.threads = 2, .max_batch = 3});
  std::vector<float> want(std::size_t(3 * executor<M>::output_size)), got(want.size()), got_dynamic(want.size());
  reference.forward(x.data(), want.data(), 3);
  fused.forward(x.data(), got.data(), 3);
  fused_dynamic.forward(x.data(), got_dynamic.data(), 3);
  double scale = 1.0;
  const double worst = worst_error(got, want, scale);
  INFO("max |fused - reference| " << worst << ", scale " << scale);
  CHECK(worst <= 1e-5 * scale);
  CHECK(got_dynamic == got);
  int gate_ops = 0, gated = 0;
  for (const runtime::op& o : fused.plan()) {
    gate_ops += o.body->is_gate();
    gated += o.body->phases(3) == 6;
  }
  CHECK(gate_ops == gates);
  CHECK(gated == folded);
  CHECK(fused.memory() == memory_plan_v<M>);
}

using se = squeeze_excitation<16, 8, relu, hardsigmoid>;
}  // namespace

TEST_CASE("a gate folded into packed 1x1 weights equals the conv of the scaled input", "[gate][kernels][fast][conv]") {
  check_folded_conv(20, 7, 7, 13, 2);   // spatial 7, a partial weight block
  check_folded_conv(37, 1, 1, 5, 3);    // spatial 1, blocks of 8 with 3 rows unused
  check_folded_conv(96, 14, 14, 24, 2); // MobileNetV3's shapes
  check_folded_conv(16, 5, 3, 3, 1);    // blocks of 4
}

TEST_CASE("squeeze-excitation folds into the 1x1 projection after it", "[gate][executor][dynamic]") {
  // MobileNetV3's block end: SE, then the projection and its batch norm (16x15 output of the stem:
  // the packed weights, 16 x 16 floats, are at most a quarter of the input, 16 x 240).
  using mobile = model<input<3, 31, 29>, conv2d<16, 3, 2, 1>, batch_norm, hardswish, se, conv2d<12, 1>, batch_norm, global_avg_pool,
                       linear<4>>;
  check_model<mobile>(0, 1);
  // RegNetY's: SE, then conv3 + batch norm + the residual add + ReLU, all in one call.
  using regnet = model<input<16, 12, 11>,
                       residual<sequential<conv2d<16, 1>, batch_norm, relu, squeeze_excitation<16, 4>, conv2d<16, 1>, batch_norm>, identity>,
                       relu, global_avg_pool, linear<3>>;
  check_model<regnet>(0, 1);
}

TEST_CASE("squeeze-excitation keeps its own pass where the fold does not apply", "[gate][executor][dynamic]") {
  // The scale's output has a second reader (the residual add).
  using shared = model<input<16, 12, 11>, se, residual<conv2d<16, 1>, identity>, global_avg_pool, linear<3>>;
  check_model<shared>(1, 0);
  // A 3x3 conv after it, and a strided 1x1.
  using kernel3 = model<input<16, 12, 11>, se, conv2d<8, 3, 1, 1>, global_avg_pool, linear<3>>;
  check_model<kernel3>(1, 0);
  using strided = model<input<16, 12, 11>, se, conv2d<8, 1, 2>, global_avg_pool, linear<3>>;
  check_model<strided>(1, 0);
  // Packed weights more than a quarter of the input: 16 x 16 against 16 x 49 at spatial 7, 8 x 16
  // against 16 at spatial 1.
  using seven = model<input<16, 7, 7>, se, conv2d<16, 1>, global_avg_pool, linear<3>>;
  check_model<seven>(1, 0);
  using tiny = model<input<16, 1, 1>, se, conv2d<8, 1>, global_avg_pool, linear<3>>;
  check_model<tiny>(1, 0);
}
