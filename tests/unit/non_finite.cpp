// The non-finite policy (issue 9): weights holding a NaN, an infinity or a negative batch-norm
// variance are refused (tensor and first bad index named) at load, on both front ends; inputs are
// checked by check_finite; and a NaN that gets through anyway propagates as in PyTorch
// (relu(NaN) = NaN, relu(-0) = -0) on the reference and the fast path, never turning into a number.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <typenet/dynamic/executor.hpp>
#include <typenet/io/safetensors.hpp>
#include <typenet/kernels/elementwise.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/runtime/finite.hpp>
#include <typenet/typenet.hpp>

#include "temp_file.hpp"

namespace {
using namespace typenet;
using Catch::Contains;

constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();
constexpr float inf_f = std::numeric_limits<float>::infinity();

using conv_bn = model<input<3, 6, 6>, named<"conv1", conv2d<4, 3, 1, 1>>, named<"bn1", batch_norm>, relu,
                      global_avg_pool, named<"fc", linear<5>>>;

void save(const weight_store& w, const std::string& path) {
  std::vector<io::tensor_view> views;
  for (const auto& [name, t] : w.tensors()) views.push_back({name, t.shape, t.data.data()});
  io::write_safetensors(path, views);
}

// -0.0f, NaN and infinities among ordinary values, at positions that hit both the vector loops
// and their scalar tails.
std::vector<float> specials(std::size_t n) {
  std::vector<float> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = float(int(i % 7) - 3) * 0.75f;
  for (std::size_t i = 0; i < n; i += 5) x[i] = nan_f;
  for (std::size_t i = 1; i < n; i += 11) x[i] = -0.0f;
  for (std::size_t i = 2; i < n; i += 13) x[i] = -inf_f;
  for (std::size_t i = 3; i < n; i += 17) x[i] = inf_f;
  return x;
}

// PyTorch's relu bit for bit: NaN stays NaN, -0 stays -0, negatives become +0.
void require_torch_relu(const std::vector<float>& in, const std::vector<float>& out) {
  REQUIRE(in.size() == out.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    INFO("element " << i << ": relu(" << in[i] << ") gave " << out[i]);
    if (std::isnan(in[i])) REQUIRE(std::isnan(out[i]));
    else if (in[i] < 0) REQUIRE((out[i] == 0.0f && !std::signbit(out[i])));
    else REQUIRE((out[i] == in[i] && std::signbit(out[i]) == std::signbit(in[i])));
  }
}
}  // namespace

TEST_CASE("check_finite names the first NaN or infinity", "[finite]") {
  std::vector<float> v(24, 1.0f);
  CHECK_NOTHROW(check_finite(v, "x"));
  v[13] = inf_f;
  v[20] = nan_f;
  REQUIRE_THROWS_AS(check_finite(v, "x"), non_finite_error);
  REQUIRE_THROWS_WITH(check_finite(v, "x.npy: input"), "x.npy: input: element 13 is inf (only finite values are accepted)");
  REQUIRE_THROWS_WITH(check_finite(v, "x", {2, 3, 4}), "x: element 13 (index [1, 0, 1]) is inf (only finite values are accepted)");
  // Positions at the edges of the scan's blocks.
  std::vector<float> big(1000, 0.5f);
  for (std::size_t i : {0, 255, 256, 511, 999}) {
    big[i] = -inf_f;
    REQUIRE_THROWS_WITH(check_finite(big, "b"), Contains("b: element " + std::to_string(i) + " is -inf"));
    big[i] = nan_f;
    REQUIRE_THROWS_WITH(check_finite(big, "b"), Contains("b: element " + std::to_string(i) + " is nan"));
    big[i] = 0.5f;
  }
  CHECK_NOTHROW(check_finite(big, "b"));
  CHECK_NOTHROW(check_finite({}, "empty"));
}

// A NaN in conv1's weight or a running_var of -1 gave exit 0 and 1000 finite logits (PyTorch: all
// NaN). Now the weights are refused, naming the tensor and the first bad element.
TEST_CASE("weights with a NaN, an infinity or a negative variance are refused", "[finite][weights]") {
  auto w = seeded_weights<conv_bn>(3);
  CHECK_NOTHROW(check_weights<conv_bn>(w));
  const test::temp_file file(".safetensors");
  std::string expected;
  SECTION("a NaN in conv1.weight") {
    w.mutable_data("conv1.weight")[17] = nan_f;
    expected = "tensor 'conv1.weight' [4, 3, 3, 3]: element 17 (index [0, 1, 2, 2]) is nan (only finite values are accepted)";
  }
  SECTION("an infinity in fc.bias") {
    w.mutable_data("fc.bias")[4] = -inf_f;
    expected = "tensor 'fc.bias' [5]: element 4 is -inf (only finite values are accepted)";
  }
  SECTION("a NaN running_mean") {
    w.mutable_data("bn1.running_mean")[0] = nan_f;
    expected = "tensor 'bn1.running_mean' [4]: element 0 is nan (only finite values are accepted)";
  }
  SECTION("a running_var of -1") {
    w.mutable_data("bn1.running_var")[2] = -1.0f;
    expected = "tensor 'bn1.running_var' [4]: element 2 is -1, but a variance must be >= 0";
  }
  REQUIRE_THROWS_AS(check_weights<conv_bn>(w), weights_error);
  REQUIRE_THROWS_WITH(check_weights<conv_bn>(w), "weights: " + expected);
  // Every executor checks what it is given; load_weights checks the file, on both front ends.
  REQUIRE_THROWS_WITH((executor<conv_bn>(w, {})), Contains(expected));
  const auto dm = dynamic::model::of<conv_bn>();
  REQUIRE_THROWS_WITH((dynamic::executor(dm, w, {})), Contains(expected));
  save(w, file.path);
  REQUIRE_THROWS_AS(load_weights<conv_bn>(file.path), weights_error);
  REQUIRE_THROWS_WITH(load_weights<conv_bn>(file.path), file.path + ": " + expected);
  REQUIRE_THROWS_WITH(dynamic::load_weights(dm, file.path), file.path + ": " + expected);
}

TEST_CASE("a running_var of 0 and -0 is a variance", "[finite][weights]") {
  auto w = seeded_weights<conv_bn>(3);
  w.mutable_data("bn1.running_var")[0] = 0.0f;
  w.mutable_data("bn1.running_var")[1] = -0.0f;
  CHECK_NOTHROW(check_weights<conv_bn>(w));
}

TEST_CASE("relu kernels propagate NaN and keep -0 as PyTorch does", "[finite][kernels]") {
  for (std::size_t n : {std::size_t(1), std::size_t(7), std::size_t(64), std::size_t(203)}) {
    INFO("n = " << n);
    const std::vector<float> x = specials(n);
    std::vector<float> y(n), zero(n, 0.0f);
    kernels::relu(long(n), x.data(), y.data());
    require_torch_relu(x, y);
    kernels::reference::relu(long(n), x.data(), y.data());
    require_torch_relu(x, y);
    kernels::add_relu(long(n), x.data(), zero.data(), y.data());  // x + 0 keeps NaN; -0 + 0 is +0
    for (std::size_t i = 0; i < n; ++i) {
      if (std::isnan(x[i])) REQUIRE(std::isnan(y[i]));
      else REQUIRE(y[i] == std::max(x[i] + 0.0f, 0.0f));
    }
    kernels::clamp(long(n), x.data(), 0.0f, 6.0f, y.data());  // relu6, hardtanh
    for (std::size_t i = 0; i < n; ++i) {
      if (std::isnan(x[i])) REQUIRE(std::isnan(y[i]));
      else REQUIRE(y[i] == std::min(std::max(x[i], 0.0f), 6.0f));
    }
  }
}

// Every activation on both paths and both front ends: NaN in, NaN out.
TEST_CASE("activations map NaN to NaN on both paths", "[finite][activations]") {
  const auto check = [](auto act, dynamic::layer twin) {
    using Act = decltype(act);
    using m = model<input<2, 5, 7>, named<"act", Act>>;
    const std::vector<float> x = specials(2 * 70);
    const weight_store none;
    const dynamic::model dm({2, 5, 7}, dynamic::named("act", std::move(twin)));
    for (bool fused : {true, false}) {
      std::vector<float> ys(x.size()), yd(x.size());
      executor<m>(none, {.threads = 2, .max_batch = 2, .fused = fused}).forward(x.data(), ys.data(), 2);
      dynamic::executor(dm, none, {.threads = 2, .max_batch = 2, .fused = fused}).forward(x.data(), yd.data(), 2);
      for (std::size_t i = 0; i < x.size(); ++i) {
        INFO(Act::kind << (fused ? " fast" : " reference") << " at element " << i);
        if (std::isnan(x[i])) {
          REQUIRE(std::isnan(ys[i]));
          REQUIRE(std::isnan(yd[i]));
        }
      }
      if constexpr (std::is_same_v<Act, relu>) require_torch_relu(x, ys);
    }
  };
  check(relu{}, dynamic::relu());
  check(relu6{}, dynamic::relu6());
  check(hardsigmoid{}, dynamic::hardsigmoid());
  check(hardswish{}, dynamic::hardswish());
  check(sigmoid{}, dynamic::sigmoid());
  check(silu{}, dynamic::silu());
}

// The residual add with its fused relu (the fast add_relu and the reference add then relu).
TEST_CASE("a NaN through residual + relu stays NaN on both paths", "[finite][executor]") {
  using m = model<input<4, 4, 4>, named<"r", residual<identity, identity>>, relu>;
  std::vector<float> x(64, -1.0f);
  x[5] = nan_f;
  x[40] = nan_f;
  for (bool fused : {true, false}) {
    std::vector<float> y(64);
    executor<m>(weight_store{}, {.threads = 2, .fused = fused}).forward(x.data(), y.data(), 1);
    INFO((fused ? "fast" : "reference"));
    for (std::size_t i = 0; i < x.size(); ++i) REQUIRE((std::isnan(x[i]) ? std::isnan(y[i]) : y[i] == 0.0f));
  }
}

// A conv whose store applies the ReLU (fused) must keep NaN too: 1x1 (the flat and tail paths),
// 3x3 and a grouped 3x3, with a NaN in one input pixel of one channel.
TEST_CASE("a NaN through a conv with its fused relu stays NaN on both paths", "[finite][executor]") {
  const auto check = [](auto conv) {
    using Conv = decltype(conv);
    using m = model<input<8, 9, 9>, named<"conv", Conv>, relu>;
    const auto w = seeded_weights<m>(4);
    std::vector<float> x(8 * 81, 0.5f);
    x[3 * 81 + 40] = nan_f;  // channel 3, the centre pixel
    for (bool fused : {true, false}) {
      std::vector<float> y(static_cast<std::size_t>(output_shape_t<m>::size));
      executor<m>(w, {.threads = 2, .fused = fused}).forward(x.data(), y.data(), 1);
      long nans = 0;
      for (float v : y) nans += std::isnan(v);
      INFO((fused ? "fast " : "reference ") << Conv::kernel.h << "x" << Conv::kernel.w << " groups " << Conv::groups);
      // Every output channel that reads input channel 3 is NaN at the pixels whose window holds the centre.
      const long reading = Conv::groups == 1 ? Conv::out_channels : Conv::out_channels / Conv::groups;
      CHECK(nans == reading * Conv::kernel.h * Conv::kernel.w);
    }
  };
  check(conv2d<16, 1>{});
  check(conv2d<16, 3, 1, 1>{});
  check(conv2d<16, 3, 1, 1, 4>{});
}
