// Rectangular convolutions through both front ends and both paths: a small Inception-like model
// (1x7 / 7x1 and 1x3 / 3x1 pairs, a (2, 1) stride, options by name) run fused against the
// reference path, and its hand-built dynamic twin against the static executor.
#include <catch2/catch.hpp>

#include "random_input.hpp"
#include <cmath>
#include <typenet/dynamic/executor.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace {
using namespace typenet;
namespace dy = typenet::dynamic;

// Every conv is followed by what the fusion pass folds into it (batch norm, ReLU, a residual add),
// so the fused path runs the fast kernel on each rectangular geometry with each epilogue.
using inception_like =
    model<input<3, 19, 17>,
          named<"stem", conv2d<16, 3, conv_options{.stride = 2, .padding = 1, .bias = true}>>, named<"stem_bn", batch_norm>, relu,
          named<"a", conv2d<24, hw{1, 7}, 1, hw{0, 3}>>, named<"a_bn", batch_norm>, relu,
          named<"b", conv2d<24, hw{7, 1}, conv_options{.padding = hw{3, 0}}>>, named<"b_bn", batch_norm>, relu,
          named<"r", residual<sequential<conv2d<24, hw{1, 3}, 1, hw{0, 1}, 1, true>, batch_norm, relu,
                                         conv2d<24, hw{3, 1}, 1, hw{1, 0}, 4>, batch_norm>,
                              identity>>,
          relu,
          named<"s", conv2d<12, hw{3, 5}, hw{2, 1}, hw{1, 2}, 2, true>>, relu,
          global_avg_pool, named<"fc", linear<5>>>;

// The same model built at run time: ints where the static one has ints, hw and options elsewhere.
dy::model inception_like_dynamic() {
  using dy::named;
  return dy::model(
      {3, 19, 17},
      dy::sequential({named("stem", dy::conv2d(16, 3, {.stride = 2, .padding = 1, .bias = true})), named("stem_bn", dy::batch_norm()),
                      dy::relu(), named("a", dy::conv2d(24, {1, 7}, {.padding = {0, 3}})), named("a_bn", dy::batch_norm()),
                      dy::relu(), named("b", dy::conv2d(24, {7, 1}, {.padding = {3, 0}})), named("b_bn", dy::batch_norm()),
                      dy::relu(),
                      named("r", dy::residual(dy::sequential({dy::conv2d(24, {1, 3}, {.padding = {0, 1}, .bias = true}), dy::batch_norm(),
                                                              dy::relu(), dy::conv2d(24, {3, 1}, {.padding = {1, 0}, .groups = 4}),
                                                              dy::batch_norm()}),
                                              dy::identity())),
                      dy::relu(), named("s", dy::conv2d(12, {3, 5}, {.stride = {2, 1}, .padding = {1, 2}, .groups = 2, .bias = true})),
                      dy::relu(), dy::global_avg_pool(), named("fc", dy::linear(5))}));
}

using test::random_input;

const tensor_spec* find_spec(const std::vector<tensor_spec>& specs, const std::string& name) {
  for (const auto& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

// Shapes: 3x19x17 -> stem 16x10x9 -> a, b, r keep 24x10x9 -> s (stride (2, 1)) 12x5x9.
constexpr long conv_params = 16 * 3 * 9 + 16 + 24 * 16 * 7 + 24 * 24 * 7 + (24 * 24 * 3 + 24) + 24 * 6 * 3 + (12 * 12 * 15 + 12);
constexpr long conv_macs = 16L * 3 * 9 * 10 * 9 + 24L * 16 * 7 * 90 + 24L * 24 * 7 * 90 + 24L * 24 * 3 * 90 + 24L * 6 * 3 * 90 +
                           12L * 12 * 15 * 5 * 9;
static_assert(std::is_same_v<output_t<sequential<conv2d<16, 3, 2, 1>, conv2d<12, hw{3, 5}, hw{2, 1}, hw{1, 2}, 2>>, shape<3, 19, 17>>,
                             shape<12, 5, 9>>);
static_assert(param_count_v<inception_like> == conv_params + 2 * 16 + 4 * 2 * 24 + 12 * 5 + 5);  // + batch norms, fc
static_assert(macs_v<inception_like> == conv_macs + 12 * 5);
}  // namespace

TEST_CASE("rectangular convs: state_dict shapes are [out][in/groups][kh][kw]", "[conv2d][rectangular]") {
  const auto specs = tensor_specs<inception_like>();
  const std::pair<const char*, std::vector<long>> want[] = {
      {"stem.weight", {16, 3, 3, 3}}, {"stem.bias", {16}},         {"a.weight", {24, 16, 1, 7}},
      {"b.weight", {24, 24, 7, 1}},   {"r.0.0.weight", {24, 24, 1, 3}}, {"r.0.0.bias", {24}},
      {"r.0.3.weight", {24, 6, 3, 1}},  {"s.weight", {12, 12, 3, 5}}, {"s.bias", {12}}};
  for (const auto& [name, shape] : want) {
    INFO(name);
    const tensor_spec* s = find_spec(specs, name);
    REQUIRE(s != nullptr);
    CHECK(s->shape == shape);
  }
  CHECK(find_spec(specs, "a.bias") == nullptr);
}

TEST_CASE("rectangular convs: fused executor matches the reference path", "[conv2d][rectangular][executor]") {
  const auto w = seeded_weights<inception_like>(5);
  const int batch = 3;
  const auto x = random_input(batch * inception_like::input_shape::size, 9);
  std::vector<float> want(std::size_t(batch * executor<inception_like>::output_size));
  executor<inception_like>(w, {.threads = 1, .max_batch = batch, .fused = false}).forward(x.data(), want.data(), batch);
  double largest = 0;
  for (float v : want) largest = std::max(largest, double(std::fabs(v)));
  REQUIRE(largest > 1e-3);  // not a trivially zero network
  for (int threads : {1, 2, 3}) {
    INFO("threads " << threads);
    executor<inception_like> fused(w, {.threads = threads, .max_batch = 4});
    CHECK(fused.op_count() == 8);  // 6 convs with everything folded in, the pool, fc
    std::vector<float> got(want.size(), -1.0f);
    fused.forward(x.data(), got.data(), batch);
    for (std::size_t i = 0; i < want.size(); ++i) CHECK(got[i] == Approx(want[i]).epsilon(1e-5).margin(1e-5 * largest));
  }
}

TEST_CASE("rectangular convs: the dynamic twin has the same figures and outputs", "[conv2d][rectangular][dynamic]") {
  const auto dm = inception_like_dynamic();
  CHECK(dm.param_count() == param_count_v<inception_like>);
  CHECK(dm.macs() == macs_v<inception_like>);
  CHECK(dm.output_shape() == dy::dims{5, 1, 1});
  const auto specs = dm.tensor_specs(), static_specs = tensor_specs<inception_like>();
  REQUIRE(specs.size() == static_specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    CHECK(specs[i].name == static_specs[i].name);
    CHECK(specs[i].shape == static_specs[i].shape);
  }
  const auto w = seeded_weights<inception_like>(5);
  const int batch = 3;
  const auto x = random_input(batch * inception_like::input_shape::size, 9);
  for (bool fused : {true, false}) {
    INFO((fused ? "fused" : "reference") << " path");
    const executor_options opt{.threads = 2, .max_batch = batch, .fused = fused};
    std::vector<float> ys(std::size_t(batch * executor<inception_like>::output_size)), yd(ys.size(), -1.0f);
    executor<inception_like>(w, opt).forward(x.data(), ys.data(), batch);
    dy::executor(dm, w, opt).forward(x.data(), yd.data(), batch);
    CHECK(ys == yd);  // the same kernels on the same geometry: bit-identical
  }
}

TEST_CASE("rectangular convs: the dynamic front end names both axes in its errors", "[conv2d][rectangular][dynamic]") {
  auto error_of = [](dy::dims in, dy::layer body) -> std::string {
    try {
      dy::model m(in, std::move(body));
    } catch (const dy::shape_error& e) {
      return e.what();
    }
    return "";
  };
  CHECK(error_of({8, 9, 5}, dy::conv2d(8, {1, 7}, {})) == "model: conv2d: kernel larger than the padded input (kernel 1x7, padded input 9x5)");
  CHECK(error_of({8, 9, 5}, dy::conv2d(8, {1, 7}, {.padding = {0, 1}})).empty());
  CHECK(error_of({8, 9, 9}, dy::conv2d(8, {3, 1}, {.stride = {1, 0}})) ==
        "model: conv2d: Out, Kernel, Stride and Groups must be positive and Padding non-negative "
        "(Out 8, Kernel 3x1, Stride 1x0, Padding 0x0, Groups 1)");
}
