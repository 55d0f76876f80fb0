// Parity with PyTorch: torchvision models with random weights and randomised batch-norm statistics
// (exported by tools/export_torchvision.py, never seen by typenet before), batch 2 at the model's
// native size (its type's input: 224x224, inception_v3 299x299), and for the dynamic front end
// also at 160x192 with the same weights. Logits must agree within
// 1e-4 x max(1, max|logit|), with identical argmax.
#include <catch2/catch.hpp>
#include <cmath>
#include <utility>
#include <typenet/io/npy.hpp>
#include <typenet/dynamic/executor.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

#include "scoped_env.hpp"

namespace {
const std::string dir = TYPENET_FIXTURE_DIR;

// The forward pass of `run` on the fixture `input_file` against PyTorch's `logits_file`.
template <class Run>
void compare(const std::string& what, const std::string& input_file, const std::string& logits_file, Run run) {
  const auto x = typenet::io::read_npy(dir + "/" + input_file, 4);
  const auto expected = typenet::io::read_npy(dir + "/" + logits_file, 2);
  const int batch = int(x.shape[0]);
  REQUIRE(expected.shape == std::vector<long>{batch, 1000});
  std::vector<float> y(expected.data.size());
  run(x, y.data(), batch);

  double largest = 0, worst = 0;
  for (float v : expected.data) largest = std::max(largest, double(std::fabs(v)));
  for (std::size_t i = 0; i < y.size(); ++i) worst = std::max(worst, double(std::fabs(y[i] - expected.data[i])));
  const double tolerance = 1e-4 * std::max(1.0, largest);
  INFO(what << ": max|logit| " << largest << ", max error " << worst << ", tolerance " << tolerance);
  CHECK(worst <= tolerance);
  for (int n = 0; n < batch; ++n) {
    const auto b = expected.data.begin() + n * 1000;
    const auto yb = y.begin() + n * 1000;
    CHECK(std::max_element(yb, yb + 1000) - yb == std::max_element(b, b + 1000) - b);
  }
}

// (On one thread the layers that strassen_fast takes run Strassen's products, kernels/strassen.hpp,
// where detail::strassen_chosen() says so; on two, only those that run image by image.)
template <class M>
void check_parity(const std::string& name, bool fused, int threads = 2) {
  const auto weights = typenet::load_weights<M>(dir + "/" + name + ".safetensors");
  compare(name + (fused ? " static fused" : " static reference") + " on " + std::to_string(threads) + " threads",
          name + "_input.npy", name + "_logits.npy", [&](const typenet::io::array& x, float* y, int batch) {
            typenet::executor<M>(weights, {.threads = threads, .max_batch = batch, .fused = fused}).forward(x.data.data(), y, batch);
          });
}

std::string size_text(typenet::dims d) { return std::to_string(d.height) + "x" + std::to_string(d.width); }

// Both front ends, fused: the static type at its native size, its dynamic twin at that size and
// at 160x192 (fixtures <name>_input.npy and <name>_input_160x192.npy).
template <class M>
void check_both_front_ends(const std::string& name) {
  check_parity<M>(name, true);
  const auto native = typenet::dynamic::model::of<M>();
  const auto other = typenet::dynamic::model({3, 160, 192}, typenet::lower<typename M::body>());
  const auto weights = typenet::dynamic::load_weights(native, dir + "/" + name + ".safetensors");
  for (const auto* m : {&native, &other}) {
    const std::string suffix = m == &native ? "" : "_" + size_text(m->input_shape());
    compare(name + " dynamic " + size_text(m->input_shape()), name + "_input" + suffix + ".npy", name + "_logits" + suffix + ".npy",
            [&](const typenet::io::array& x, float* y, int batch) {
              REQUIRE(x.shape == std::vector<long>{batch, 3, m->input_shape().height, m->input_shape().width});
              typenet::dynamic::executor(*m, weights, {.threads = 2, .max_batch = batch}).forward(x.data.data(), y, batch);
            });
  }
}
}  // namespace

TEST_CASE("resnext50_32x4d matches torchvision (both front ends)", "[torch][parity]") {
  check_both_front_ends<typenet::models::resnext50_32x4d>("resnext50_32x4d");
  // One thread, with and without Strassen's products (the CPU's choice is one of the two), with
  // and without blocked layouts (where Strassen runs, stage 3 stays NCHW).
  for (auto [strassen, blocked] : {std::pair{"0", "1"}, std::pair{"1", "1"}, std::pair{"0", "0"}}) {
    const typenet::test::scoped_env env("TYPENET_STRASSEN", strassen), layouts("TYPENET_BLOCKED", blocked);
    INFO("TYPENET_STRASSEN=" << strassen << " TYPENET_BLOCKED=" << blocked);
    check_parity<typenet::models::resnext50_32x4d>("resnext50_32x4d", true, 1);
  }
}
TEST_CASE("resnext50_32x4d matches torchvision (reference kernels)", "[torch][parity]") {
  check_parity<typenet::models::resnext50_32x4d>("resnext50_32x4d", false);
}
TEST_CASE("resnet50 matches torchvision (both front ends)", "[torch][parity]") {
  check_both_front_ends<typenet::models::resnet50>("resnet50");
  check_parity<typenet::models::resnet50>("resnet50", true, 1);
}

// The rest of the zoo: the same kernels, so not repeated under the sanitizers.
#define TYPENET_ZOO_PARITY(name)                                                              \
  TEST_CASE(#name " matches torchvision (both front ends)", "[torch][parity][zoo]") {         \
    check_both_front_ends<typenet::models::name>(#name);                                      \
  }
TYPENET_ZOO_PARITY(resnet18)
TYPENET_ZOO_PARITY(resnet34)
TYPENET_ZOO_PARITY(resnet101)
TYPENET_ZOO_PARITY(resnet152)
TYPENET_ZOO_PARITY(wide_resnet50_2)
TYPENET_ZOO_PARITY(resnext101_32x8d)
TYPENET_ZOO_PARITY(resnext101_64x4d)
TYPENET_ZOO_PARITY(mobilenet_v2)
TYPENET_ZOO_PARITY(vgg11_bn)
TYPENET_ZOO_PARITY(vgg16_bn)
TYPENET_ZOO_PARITY(alexnet)
TYPENET_ZOO_PARITY(densenet121)
TYPENET_ZOO_PARITY(regnet_x_400mf)
TYPENET_ZOO_PARITY(regnet_y_400mf)
TYPENET_ZOO_PARITY(mnasnet1_0)
TYPENET_ZOO_PARITY(shufflenet_v2_x1_0)
TYPENET_ZOO_PARITY(mobilenet_v3_small)
TYPENET_ZOO_PARITY(mobilenet_v3_large)
TYPENET_ZOO_PARITY(efficientnet_b0)
TYPENET_ZOO_PARITY(efficientnet_v2_s)
TYPENET_ZOO_PARITY(squeezenet1_1)
TYPENET_ZOO_PARITY(googlenet)
TYPENET_ZOO_PARITY(inception_v3)
