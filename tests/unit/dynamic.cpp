// The dynamic-graph twin: the static DSL's rules at run time (same texts), the same figures and
// tensor specs as the static twin, and the same outputs from the same kernels.
#include <catch2/catch.hpp>

#include "random_input.hpp"
#include <cmath>
#include <typenet/dynamic/executor.hpp>
#include <typenet/typenet.hpp>
#include <sstream>

#include "temp_file.hpp"

namespace {
using namespace typenet;
namespace dy = typenet::dynamic;

// The message of the shape_error that constructing the model throws ("" if none).
std::string error_of(dy::dims in, dy::layer body) {
  try {
    dy::model m(in, std::move(body));
  } catch (const dy::shape_error& e) {
    return e.what();
  }
  return "";
}

using test::random_input;

bool same_specs(const std::vector<tensor_spec>& a, const std::vector<tensor_spec>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].shape != b[i].shape) return false;
  return true;
}
}  // namespace

// One CHECK per rule, the same cases as tests/compile_fail/*.cpp, the same rule texts, the numbers
// labelled. Blocks come from their static types (typenet::lower<>): one description.
TEST_CASE("the dynamic model rejects every rule of the static DSL with its message", "[dynamic]") {
  using dy::sequential;
  CHECK(error_of({3, 224, 224},
                 sequential({dy::conv2d(64, 7, 2, 3), dy::batch_norm(), dy::relu(), dy::max_pool(3, 2, 1),
                             dy::named("layer1", sequential({lower<resnext::block<128, 1, false>>(), lower<resnext::block<128, 1, false>>()}))})) ==
        "layer1.0: resnext::block: identity shortcut needs input channels == 2*Filters (input channels 64, 2*Filters 256)");
  CHECK(error_of({256, 56, 56}, lower<resnext::block<128, 2, false>>()) ==
        "model: resnext::block: identity shortcut cannot downsample (Stride must be 1) (Stride 2)");
  CHECK(error_of({64, 56, 56}, sequential({dy::named("b", lower<resnext::block<100, 1, true>>())})) ==
        "b: resnext::block: Filters must be divisible by Groups (Filters 100, Groups 32)");
  CHECK(error_of({64, 56, 56}, lower<resnext::block<128, 0, true>>()) ==
        "model: resnext::block: Filters, Stride and Groups must be positive (Filters 128, Stride 0, Groups 32)");
  CHECK(error_of({64, 56, 56}, lower<resnext::stack<128, 0, 1>>()) == "model: resnext::stack: needs at least one block (0 blocks)");
  CHECK(error_of({64, 56, 56}, lower<resnet::stack<64, 0, 1>>()) == "model: resnet::stack: needs at least one block (0 blocks)");
  CHECK(error_of({64, 56, 56}, sequential({lower<resnet::block<64, 1, false>>()})) ==
        "0: bottleneck: identity shortcut needs input channels == Out (input channels 64, Out 256)");
  CHECK(error_of({256, 56, 56}, lower<bottleneck<64, 256, 2, 1, false>>()) ==
        "model: bottleneck: identity shortcut cannot downsample (Stride must be 1) (Stride 2)");
  CHECK(error_of({3, 32, 32}, sequential({dy::named("c", dy::conv2d(64, 3, 1, 1, 32))})) ==
        "c: conv2d: input channels must be divisible by Groups (input channels 3, Groups 32)");
  CHECK(error_of({8, 32, 32}, dy::conv2d(30, 3, 1, 1, 4)) == "model: conv2d: output channels must be divisible by Groups (Out 30, Groups 4)");
  CHECK(error_of({8, 5, 5}, dy::conv2d(8, 7)) == "model: conv2d: kernel larger than the padded input (kernel 7x7, padded input 5x5)");
  CHECK(error_of({3, 16, 16}, sequential({dy::conv2d(8, 3, 2, 1), dy::conv2d(8, 3, 2, 1), dy::conv2d(8, 3, 2, 1),
                                          dy::conv2d(8, 3, 2, 1), dy::conv2d(8, 7)})) ==
        "4: conv2d: kernel larger than the padded input (kernel 7x7, padded input 1x1)");
  CHECK(error_of({8, 32, 32}, dy::conv2d(16, 3, 0)) ==
        "model: conv2d: Out, Kernel, Stride and Groups must be positive and Padding non-negative (Out 16, Kernel 3x3, Stride 0x0, Padding 0x0, Groups 1)");
  CHECK(error_of({8, 32, 32}, dy::max_pool(3, 2, 2)) == "model: max_pool: Padding must be at most half the kernel (Padding 2, Kernel 3)");
  CHECK(error_of({8, 2, 2}, dy::max_pool(3)) == "model: max_pool: kernel larger than the padded input (kernel 3, padded input 2x2)");
  CHECK(error_of({8, 8, 8}, dy::max_pool(0)) ==
        "model: max_pool: Kernel and Stride must be positive and Padding non-negative (Kernel 0, Stride 0, Padding 0)");
  CHECK(error_of({16, 8, 8}, dy::residual(sequential({dy::conv2d(32, 1), dy::batch_norm()}), dy::identity())) ==
        "model: residual: branch and shortcut must give the same channels (branch 32 channels, shortcut 16 channels)");
  CHECK(error_of({16, 8, 8}, sequential({dy::named("layer3", sequential({dy::named("0", dy::residual(dy::conv2d(16, 3, 2, 1), dy::identity()))}))})) ==
        "layer3.0: residual: branch and shortcut must give the same height and width (branch 4x4, shortcut 8x8)");
  CHECK(error_of({8, 1, 1}, dy::linear(0)) == "model: linear: Out must be positive (Out 0)");
  CHECK(error_of({3, 8, 8}, sequential({dy::named("bn", dy::batch_norm(0.0f))})) == "bn: batch_norm: Eps must be positive (Eps 0 x 1e-12)");
  CHECK(error_of({3, 0, 224}, dy::relu()) == "input: typenet::input: every dimension must be positive (3x0x224)");
  CHECK(error_of({3, 8, 8}, sequential({})) == "model: sequential: needs at least one layer (0 layers)");
  // One mistake, one error: the first broken rule in model order, later layers unchecked.
  CHECK(error_of({8, 5, 5}, sequential({dy::conv2d(8, 7), dy::linear(0)})) ==
        "0: conv2d: kernel larger than the padded input (kernel 7x7, padded input 5x5)");
  CHECK_THROWS_AS(dy::model({3, 8, 8}, dy::linear(0)), std::invalid_argument);  // shape_error is an invalid_argument
  CHECK(error_of({3, 8, 8}, sequential({dy::conv2d(8, 3, 1, 1), dy::relu(), dy::global_avg_pool(), dy::linear(4)})).empty());
}

TEST_CASE("dynamic ResNeXt-50 and ResNet-50 have the static twin's figures and tensors", "[dynamic]") {
  const auto rx = dy::resnext50_32x4d();
  CHECK(rx.param_count() == param_count_v<models::resnext50_32x4d>);
  CHECK(rx.param_count() == 25'028'904);
  CHECK(rx.macs() == macs_v<models::resnext50_32x4d>);
  CHECK(rx.output_shape() == dy::dims{1000, 1, 1});
  CHECK(same_specs(rx.tensor_specs(), tensor_specs<models::resnext50_32x4d>()));

  const auto r = dy::resnet50();
  CHECK(r.param_count() == param_count_v<models::resnet50>);
  CHECK(r.macs() == macs_v<models::resnet50>);
  CHECK(same_specs(r.tensor_specs(), tensor_specs<models::resnet50>()));

  const auto small = dy::resnext50_32x4d(64, 64, 10);
  using small_t = models::resnext50_32x4d_t<64, 64, 10>;
  CHECK(small.macs() == macs_v<small_t>);
  CHECK(small.param_count() == param_count_v<small_t>);
  CHECK(same_specs(small.tensor_specs(), tensor_specs<small_t>()));
  CHECK(same_specs(dy::resnet50(97, 131).tensor_specs(), tensor_specs<models::resnet50_t<97, 131>>()));
  CHECK(dy::resnet50(97, 131).macs() == macs_v<models::resnet50_t<97, 131>>);
}

TEST_CASE("dynamic forward equals static forward bit for bit on ResNeXt-50", "[dynamic][resnext50]") {
  using m = models::resnext50_32x4d_t<64, 64>;
  const auto dm = dy::resnext50_32x4d(64, 64);
  const auto w = seeded_weights<m>(3);
  const int batch = 2;
  const auto x = random_input(batch * m::input_shape::size, 5);
  for (bool fused : {true, false}) {
    for (int threads : {1, 2}) {
      INFO((fused ? "fused" : "reference") << ", threads " << threads);
      const executor_options opt{.threads = threads, .max_batch = batch, .fused = fused};
      executor<m> s(w, opt);
      dy::executor d(dm, w, opt);
      REQUIRE(d.op_count() == s.op_count());
      for (std::size_t i = 0; i < s.op_count(); ++i) {
        CHECK(d.plan()[i].name == s.plan()[i].name);
        CHECK(d.plan()[i].macs == s.plan()[i].macs);
        CHECK(d.plan()[i].inputs == s.plan()[i].inputs);
      }
      REQUIRE(d.input_size() == s.input_size);
      REQUIRE(d.output_size() == s.output_size);
      std::vector<float> ys(std::size_t(batch * s.output_size)), yd(ys.size(), -1.0f);
      s.forward(x.data(), ys.data(), batch);
      d.forward(x.data(), yd.data(), batch);
      double worst = 0, largest = 0;
      for (std::size_t i = 0; i < ys.size(); ++i)
        worst = std::max(worst, double(std::fabs(ys[i] - yd[i]))), largest = std::max(largest, double(std::fabs(ys[i])));
      INFO("max |static - dynamic| = " << worst);
      CHECK(worst <= 1e-6 * std::max(1.0, largest));
      CHECK(ys == yd);  // the same kernels on the same geometry: bit-identical
    }
  }
}

TEST_CASE("the dynamic executor checks the weights and the batch", "[dynamic]") {
  const auto dm = dy::model({3, 9, 9}, dy::sequential({dy::named("c", dy::conv2d(4, 3, 1, 1, 1, true)), dy::named("bn", dy::batch_norm()),
                                                       dy::relu(), dy::global_avg_pool(), dy::named("fc", dy::linear(5))}));
  auto w = dy::seeded_weights(dm, 1);
  CHECK(w.size() == 8);
  dy::executor ok(dm, w, {.threads = 1, .max_batch = 2});
  std::vector<float> x(3 * 81, 0.5f), y(3 * 5);
  REQUIRE_THROWS_WITH(ok.forward(x.data(), y.data(), 3), Catch::Contains("batch 3 outside 1..2"));

  auto missing = w;
  weight_store partial;
  for (const auto& [name, t] : w.tensors())
    if (name != "bn.running_var") partial.set(name, t.shape, t.data);
  REQUIRE_THROWS_WITH((dy::executor(dm, partial)), Catch::Contains("missing tensor 'bn.running_var' (the model needs [4])"));

  auto wrong = w;
  wrong.set("fc.weight", {5, 3}, std::vector<float>(15));
  REQUIRE_THROWS_WITH((dy::executor(dm, wrong)), Catch::Contains("tensor 'fc.weight' has shape [5, 3], the model needs [5, 4]"));

  auto extra = w;
  extra.set("head.weight", {2}, {1.0f, 2.0f});
  REQUIRE_THROWS_WITH((dy::executor(dm, extra)), Catch::Contains("unexpected tensor 'head.weight' [2] is not part of the model"));
  REQUIRE_THROWS_AS((dy::executor(dm, w, {.threads = -1})), std::invalid_argument);
}

TEST_CASE("a small dynamic model runs fused as its reference path", "[dynamic]") {
  // The executor test's small model, every fusion pattern, on a run-time graph.
  const auto dm = dy::model(
      {3, 19, 17},
      dy::sequential({dy::named("stem", dy::conv2d(16, 3, 2, 1, 1, true)), dy::named("bn", dy::batch_norm()), dy::relu(),
                      dy::max_pool(3, 2, 1), dy::named("b1", lower<resnext::block<16, 2, true, 4>>()),
                      dy::named("b2", lower<resnext::block<16, 1, false, 4>>()),
                      dy::named("r", dy::residual(dy::sequential({dy::conv2d(32, 3, 1, 1, 8), dy::batch_norm()}), dy::identity())),
                      dy::named("lone", dy::batch_norm()), dy::relu(), dy::global_avg_pool(), dy::named("fc", dy::linear(7))}));
  const auto w = dy::seeded_weights(dm, 7);
  const auto x = random_input(3 * dm.input_shape().size(), 11);
  std::vector<float> ref(21), got(21);
  dy::executor(dm, w, {.threads = 1, .max_batch = 3, .fused = false}).forward(x.data(), ref.data(), 3);
  dy::executor fused(dm, w, {.threads = 2, .max_batch = 3});
  fused.forward(x.data(), got.data(), 3);
  for (std::size_t i = 0; i < ref.size(); ++i) CHECK(got[i] == Approx(ref[i]).epsilon(1e-5).margin(1e-5));
  int with_residual = 0;
  long macs = 0;
  for (const auto& o : fused.plan()) with_residual += o.inputs.size() == 2, macs += o.macs;
  CHECK(with_residual == 3);
  CHECK(macs == dm.macs());
}

TEST_CASE("the dynamic twin prints the static summary and loads safetensors files", "[dynamic]") {
  using m = models::resnext50_32x4d_t<64, 64>;
  const auto dm = dy::model::of<m>();
  std::ostringstream st, dn;
  print_summary<m>(st, "twin");
  dy::print_summary(dm, dn, "twin");
  CHECK(st.str() == dn.str());
  const auto rows = dm.summary();
  REQUIRE(rows.size() == summary_v<m>.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i].name == summary_v<m>[i].name);
    CHECK(rows[i].kind == summary_v<m>[i].kind);
    CHECK(rows[i].params == summary_v<m>[i].params);
    CHECK(rows[i].macs == summary_v<m>[i].macs);
  }

  // A file written from the seeded weights loads back with every check of load_weights<M>.
  const auto small = dy::model({3, 9, 9}, dy::sequential({dy::named("c", dy::conv2d(4, 3, 1, 1)), dy::named("bn", dy::batch_norm()),
                                                          dy::relu(), dy::global_avg_pool(), dy::named("fc", dy::linear(5))}));
  const auto w = dy::seeded_weights(small, 4);
  std::vector<io::tensor_view> views;
  for (const auto& [name, t] : w.tensors()) views.push_back({name, t.shape, t.data.data()});
  test::temp_file good(".safetensors");
  io::write_safetensors(good.path, views);
  const auto loaded = dy::load_weights(small, good.path);
  CHECK(loaded.size() == w.size());
  CHECK(loaded.at("fc.weight").data == w.at("fc.weight").data);

  views.pop_back();  // drop one tensor
  test::temp_file short_file(".safetensors");
  io::write_safetensors(short_file.path, views);
  REQUIRE_THROWS_WITH(dy::load_weights(small, short_file.path), Catch::Contains("missing tensor"));
}

TEST_CASE("the dynamic pools report each rule with the numbers of the axis that breaks it", "[pools][dynamic]") {
  CHECK(error_of({4, 8, 8}, dy::avg_pool(0)) ==
        "model: avg_pool: Kernel and Stride must be positive and Padding non-negative (Kernel 0, Stride 0, Padding 0)");
  CHECK(error_of({4, 8, 8}, dy::avg_pool(hw{3, 2}, {.stride = hw{1, -1}})) ==
        "model: avg_pool: Kernel and Stride must be positive and Padding non-negative (Kernel 2, Stride -1, Padding 0)");
  CHECK(error_of({4, 8, 8}, dy::avg_pool(3, 1, 2)) == "model: avg_pool: Padding must be at most half the kernel (Padding 2, Kernel 3)");
  CHECK(error_of({4, 8, 8}, dy::avg_pool(hw{5, 3}, {.padding = hw{2, 2}})) ==
        "model: avg_pool: Padding must be at most half the kernel (Padding 2, Kernel 3)");
  CHECK(error_of({4, 2, 2}, dy::avg_pool(3)) == "model: avg_pool: kernel larger than the padded input (kernel 3, padded input 2x2)");
  CHECK(error_of({4, 9, 8}, dy::max_pool(hw{1, 9}, {})) ==
        "model: max_pool: kernel larger than the padded input (kernel 9, padded input 9x8)");
  CHECK(error_of({4, 8, 8}, dy::max_pool(hw{1, 3}, {.stride = 2, .padding = hw{0, 1}, .ceil_mode = true})).empty());
  CHECK(error_of({4, 8, 8}, dy::max_pool(3, {.count_include_pad = false})) ==
        "model: max_pool: count_include_pad is avg_pool's option (padding never wins a max); leave it true");
}
