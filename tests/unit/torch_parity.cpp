// Parity with PyTorch: torchvision models with random weights and randomised batch-norm statistics
// (exported by tools/export_torchvision.py, never seen by typenet before), batch 2 at 224x224.
// Logits must agree within 1e-4 x max(1, max|logit|), with identical argmax.
#include <catch2/catch.hpp>
#include <cmath>
#include <typenet/io/npy.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace {
template <class M>
void check_parity(const std::string& name, bool fused) {
  const std::string dir = TYPENET_FIXTURE_DIR;
  const auto weights = typenet::load_weights<M>(dir + "/" + name + ".safetensors");
  const auto x = typenet::io::read_npy(dir + "/" + name + "_input.npy", 4);
  const auto expected = typenet::io::read_npy(dir + "/" + name + "_logits.npy", 2);
  const int batch = int(x.shape[0]);
  REQUIRE(expected.shape == std::vector<long>{batch, 1000});

  typenet::executor<M> e(weights, {.threads = 2, .max_batch = batch, .fused = fused});
  std::vector<float> y(expected.data.size());
  e.forward(x.data.data(), y.data(), batch);

  double largest = 0, worst = 0;
  for (float v : expected.data) largest = std::max(largest, double(std::fabs(v)));
  for (std::size_t i = 0; i < y.size(); ++i) worst = std::max(worst, double(std::fabs(y[i] - expected.data[i])));
  const double tolerance = 1e-4 * std::max(1.0, largest);
  INFO(name << (fused ? " fused" : " reference") << ": max|logit| " << largest << ", max error " << worst
            << ", tolerance " << tolerance);
  CHECK(worst <= tolerance);
  for (int n = 0; n < batch; ++n) {
    const auto b = expected.data.begin() + n * 1000;
    const auto yb = y.begin() + n * 1000;
    CHECK(std::max_element(yb, yb + 1000) - yb == std::max_element(b, b + 1000) - b);
  }
}
}  // namespace

TEST_CASE("resnext50_32x4d matches torchvision (fused kernels)", "[torch][parity]") {
  check_parity<typenet::models::resnext50_32x4d>("resnext50_32x4d", true);
}
TEST_CASE("resnext50_32x4d matches torchvision (reference kernels)", "[torch][parity]") {
  check_parity<typenet::models::resnext50_32x4d>("resnext50_32x4d", false);
}
TEST_CASE("resnet50 matches torchvision (fused kernels)", "[torch][parity]") {
  check_parity<typenet::models::resnet50>("resnet50", true);
}
