// The pointwise activations against their PyTorch definitions, written out here in double, on
// both paths (fast float, reference double) and both front ends.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <typenet/dynamic/executor.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace {
using namespace typenet;

double relu6_of(double x) { return std::min(std::max(x, 0.0), 6.0); }

template <class Act>
void check_activation(dynamic::layer dynamic_twin, const std::function<double(double)>& definition) {
  using m = model<input<3, 5, 7>, named<"act", Act>>;
  std::vector<float> x(2 * 105);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = -9.0f + 18.0f * float(i) / float(x.size() - 1);  // -9 .. 9
  const weight_store none;
  const dynamic::model dm({3, 5, 7}, dynamic::named("act", std::move(dynamic_twin)));
  CHECK(dm.summary().at(0).kind == Act::kind);
  for (bool fused : {true, false}) {
    std::vector<float> ys(x.size()), yd(x.size());
    executor<m>(none, {.threads = 2, .max_batch = 2, .fused = fused}).forward(x.data(), ys.data(), 2);
    dynamic::executor(dm, none, {.threads = 2, .max_batch = 2, .fused = fused}).forward(x.data(), yd.data(), 2);
    for (std::size_t i = 0; i < x.size(); ++i) {
      INFO(Act::kind << (fused ? " fast" : " reference") << " at x = " << x[i]);
      const double want = definition(double(x[i]));
      CHECK(ys[i] == Approx(want).epsilon(1e-6).margin(1e-6));
      CHECK(yd[i] == ys[i]);
    }
  }
}
}  // namespace

TEST_CASE("activations match PyTorch's definitions", "[activations]") {
  check_activation<relu6>(dynamic::relu6(), relu6_of);
  check_activation<sigmoid>(dynamic::sigmoid(), [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
  check_activation<silu>(dynamic::silu(), [](double x) { return x / (1.0 + std::exp(-x)); });
  check_activation<hardsigmoid>(dynamic::hardsigmoid(), [](double x) { return relu6_of(x + 3.0) / 6.0; });
  check_activation<hardswish>(dynamic::hardswish(), [](double x) { return x * relu6_of(x + 3.0) / 6.0; });
}
