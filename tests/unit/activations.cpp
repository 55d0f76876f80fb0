// The pointwise activations against their PyTorch definitions, written out here in double, on
// both paths (fast float, reference double) and both front ends.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>
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

namespace {
// conv -> batch_norm -> Act: the fused path makes it one call ("conv+bn+act": the batch norm
// folded into the conv, the activation applied in its store) that equals the unfused reference
// path to float rounding, NaN where the reference has NaN, on both front ends. A dense conv and a
// depthwise one (their fast kernels differ).
template <class Act>
void check_fused_into_conv() {
  using dense = model<input<8, 9, 11>, named<"conv", conv2d<16, 3, 1, 1>>, named<"bn", batch_norm>, named<"act", Act>>;
  using depthwise = model<input<8, 9, 11>, named<"conv", conv2d<8, 3, conv_options{.stride = 2, .padding = 1, .groups = 8}>>,
                          named<"bn", batch_norm>, named<"act", Act>>;
  auto check = [](auto tag) {
    using m = typename decltype(tag)::type;
    const auto w = seeded_weights<m>(5);
    const auto dm = dynamic::model::of<m>();
    const auto dw = dynamic::seeded_weights(dm, 5);
    std::vector<float> x(2 * 8 * 9 * 11);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 3.0f * std::sin(0.7f * float(i));  // -3 .. 3
    x[40] = std::numeric_limits<float>::quiet_NaN();
    executor<m> fused(w, {.threads = 2, .max_batch = 2});
    executor<m> unfused(w, {.threads = 2, .max_batch = 2, .fused = false});
    dynamic::executor dynamic_fused(dm, dw, {.threads = 2, .max_batch = 2});
    REQUIRE(fused.op_count() == 1);
    CHECK(fused.plan()[0].name == "conv+bn+act");
    CHECK(dynamic_fused.op_count() == 1);
    CHECK(unfused.op_count() == 3);
    const std::size_t n = std::size_t(2 * dynamic_fused.output_size());
    std::vector<float> got(n), dyn(n), want(n);
    fused.forward(x.data(), got.data(), 2);
    dynamic_fused.forward(x.data(), dyn.data(), 2);
    unfused.forward(x.data(), want.data(), 2);
    double scale = 1.0;
    for (float v : want) scale = std::isnan(v) ? scale : std::max(scale, double(std::fabs(v)));
    int nans = 0;
    for (std::size_t i = 0; i < n; ++i) {
      INFO(Act::kind << " " << fused.plan()[0].name << " output " << i << ": fused " << got[i] << ", unfused " << want[i]);
      nans += std::isnan(want[i]);
      if (std::isnan(want[i])) {
        CHECK(std::isnan(got[i]));
      } else {
        CHECK(std::fabs(got[i] - want[i]) <= 1e-5 * scale);
      }
      CHECK((dyn[i] == got[i] || (std::isnan(dyn[i]) && std::isnan(got[i]))));
    }
    CHECK(nans > 0);  // the NaN input reached the output
  };
  check(boost::hana::type_c<dense>);
  check(boost::hana::type_c<depthwise>);
}
}  // namespace

TEST_CASE("a conv absorbs batch norm and each activation into its store", "[activations][fusion]") {
  check_fused_into_conv<relu>();
  check_fused_into_conv<relu6>();
  check_fused_into_conv<hardsigmoid>();
  check_fused_into_conv<hardswish>();
  check_fused_into_conv<sigmoid>();
  check_fused_into_conv<silu>();
}
