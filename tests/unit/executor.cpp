// The static executor: the fused path (BN folded, fused epilogues, fast kernels, threads) against
// the unfused reference path, on small models and on ResNeXt-50 itself.
#include <catch2/catch.hpp>

#include "random_input.hpp"
#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>
#include <typenet/dynamic/executor.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

#include "scoped_env.hpp"
#include "temp_file.hpp"

namespace {
using namespace typenet;
namespace dy = typenet::dynamic;

// Every layer kind and every fusion pattern: conv+bn+relu, conv+bn, conv with bias, a lone batch
// norm, residual+relu with a projection, an identity residual without a following relu, pools.
using small = model<input<3, 19, 17>,
                    named<"stem", conv2d<16, 3, 2, 1, 1, true>>, named<"bn", batch_norm>, relu, max_pool<3, 2, 1>,
                    named<"b1", resnext::block<16, 2, true, 4>>,
                    named<"b2", resnext::block<16, 1, false, 4>>,
                    named<"r", residual<sequential<conv2d<32, 3, 1, 1, 8>, batch_norm>, identity>>,
                    named<"lone", batch_norm>, relu,
                    global_avg_pool, named<"fc", linear<7>>>;

// The torchvision zoo's pools, in one chain (shapes in the comments, from PyTorch's formulas).
using pools = model<input<3, 19, 17>,
                    named<"stem", conv2d<8, 3, 1, 1, 1, true>>, relu,                 // 8x19x17
                    max_pool<3, 2, 0, true>,                                          // SqueezeNet: 8x9x8
                    avg_pool<3, 1, 1>,                                                // Inception-v3 branch: 8x9x8
                    avg_pool<hw{1, 3}, pool_options{.stride = hw{1, 2}, .padding = hw{0, 1}, .ceil_mode = true,
                                                    .count_include_pad = false}>,   // 8x9x5
                    max_pool<hw{2, 1}, pool_options{.stride = 1}>,                    // 8x8x5
                    avg_pool<2, 2, 0, true>,                                          // DenseNet transition, ceil: 8x4x3
                    global_avg_pool, named<"fc", linear<5>>>;

static_assert(std::is_same_v<output_shape_t<pools>, shape<5, 1, 1>>);
static_assert(param_count_v<pools> == (8 * 3 * 9 + 8) + (5 * 8 + 5));  // the pools have none
static_assert(macs_v<pools> == 8L * 3 * 9 * 19 * 17 + 5 * 8);          // nor MACs, as every pool counts them

// The same model built by hand with the dynamic front end's functions.
dy::model dynamic_pools() {
  return dy::model({3, 19, 17}, dy::sequential({dy::named("stem", dy::conv2d(8, 3, 1, 1, 1, true)), dy::relu(),
                                                dy::max_pool(3, 2, 0, true), dy::avg_pool(3, 1, 1),
                                                dy::avg_pool(hw{1, 3}, {.stride = hw{1, 2}, .padding = hw{0, 1}, .ceil_mode = true,
                                                                        .count_include_pad = false}),
                                                dy::max_pool(hw{2, 1}, {.stride = 1}), dy::avg_pool(2, 2, 0, true),
                                                dy::global_avg_pool(), dy::named("fc", dy::linear(5))}));
}

using test::random_input;

template <class M>
std::vector<float> run(const weight_store& w, executor_options opt, const std::vector<float>& x, int batch) {
  executor<M> e(w, opt);
  std::vector<float> y(std::size_t(batch * executor<M>::output_size));
  e.forward(x.data(), y.data(), batch);
  return y;
}

double max_abs(const std::vector<float>& v) {
  double m = 0;
  for (float x : v) m = std::max(m, double(std::fabs(x)));
  return m;
}

void require_close(const std::vector<float>& a, const std::vector<float>& b, double rel) {
  REQUIRE(a.size() == b.size());
  const double tol = rel * std::max(1.0, max_abs(b));
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::fabs(a[i] - b[i])));
  INFO("max |fused - reference| = " << worst << ", tolerance " << tol);
  REQUIRE(worst <= tol);
}
}  // namespace

TEST_CASE("fused executor matches the reference path on every layer kind", "[executor][threads]") {
  const auto w = seeded_weights<small>(7);
  const int batch = 3;
  const auto x = random_input(batch * small::input_shape::size, 11);
  const auto expected = run<small>(w, {.threads = 1, .max_batch = batch, .fused = false}, x, batch);
  REQUIRE(max_abs(expected) > 1e-3);  // not a trivially zero network
  for (int threads : {1, 2, 3}) {
    INFO("threads " << threads);
    require_close(run<small>(w, {.threads = threads, .max_batch = 4, .fused = true}, x, batch), expected, 1e-5);
  }
}

TEST_CASE("the plan fuses batch norm, ReLU and the residual add into convolutions", "[executor]") {
  const auto w = seeded_weights<small>(1);
  executor<small> fused(w, {.threads = 1});
  executor<small> reference(w, {.threads = 1, .fused = false});
  CHECK(fused.op_count() < reference.op_count());
  int with_residual = 0;
  for (const auto& o : fused.plan()) with_residual += o.inputs.size() == 2;
  CHECK(with_residual == 3);  // b1, b2 and r: every residual add happens in a conv's store
  // Each writes into a buffer of its own: at this size every residual is under
  // runtime::residual_in_place_floats (tests/unit/memory_plan.cpp has where they are written over).
  int over_residual = 0;
  for (const auto& o : fused.plan()) over_residual += o.inputs.size() == 2 && o.out_buffer == o.in_buffers[1];
  CHECK(over_residual == 0);
}

TEST_CASE("ResNeXt-50 fused equals ResNeXt-50 reference", "[executor][resnext50][threads]") {
  using m = models::resnext50_32x4d_t<64, 64>;  // the full network at a size the reference runs fast
  const auto w = seeded_weights<m>(3);
  const auto x = random_input(2 * m::input_shape::size, 5);
  const auto expected = run<m>(w, {.threads = 2, .max_batch = 2, .fused = false}, x, 2);
  const auto got = run<m>(w, {.threads = 2, .max_batch = 2}, x, 2);
  require_close(got, expected, 1e-4);
  for (int n = 0; n < 2; ++n) {
    auto arg = [&](const std::vector<float>& v) { return std::max_element(v.begin() + n * 1000, v.begin() + (n + 1) * 1000) - v.begin(); };
    CHECK(arg(got) == arg(expected));
  }
}

// Blocked layouts (kernels/layout.hpp) where each image runs on one thread, and, forced, where two
// threads split an image: the same answer as the reference path.
TEST_CASE("ResNeXt-50 fused equals ResNeXt-50 reference in either activation layout", "[executor][resnext50][threads][layout]") {
  using m = models::resnext50_32x4d_t<64, 64>;
  const auto w = seeded_weights<m>(3);
  const auto x = random_input(m::input_shape::size, 6);
  const auto expected = run<m>(w, {.threads = 1, .fused = false}, x, 1);
  for (const char* blocked : {"0", "1"})
    for (int threads : {1, 2}) {
      const test::scoped_env env("TYPENET_BLOCKED", blocked);
      INFO("TYPENET_BLOCKED=" << blocked << ", threads " << threads);
      require_close(run<m>(w, {.threads = threads}, x, 1), expected, 1e-4);
    }
}

// Which values the plan lays out in nChw16c: in every bottleneck, the residual stream (conv3's and
// the projection's outputs, read by the next conv1, projection and conv3, and the global pool),
// never the grouped 3x3's input or output, nor the stem's output, nor the model's result.
TEST_CASE("the plan lays the bottlenecks' residual stream out in nChw16c where each image has one thread", "[executor][layout]") {
  using m = models::resnext50_32x4d_t<64, 64>;
  const auto w = seeded_weights<m>(1);
  const bool takes = kernels::pointwise_takes_layout(kernels::make_conv_geometry(256, 16, 16, 128, 1, 1, 0, 1));
  const auto blocked = [](const runtime::op& o, std::size_t k) { return o.in_layouts.at(k) == kernels::layout::nchw16c; };
  const auto find = [](const auto& plan, const std::string& name) {
    const auto it = std::find_if(plan.begin(), plan.end(), [&](const runtime::op& o) { return o.name.rfind(name, 0) == 0; });
    REQUIRE(it != plan.end());
    return *it;
  };
  const test::scoped_env env("TYPENET_STRASSEN", "0");
  executor<m> one(w, {.threads = 1});
  const auto& plan = one.plan();
  const runtime::op conv3 = find(plan, "layer1.1.conv3"), conv1 = find(plan, "layer1.1.conv1"), conv2 = find(plan, "layer1.1.conv2");
  CHECK((conv3.out_layout == kernels::layout::nchw16c) == takes);
  CHECK(blocked(conv3, 1) == takes);  // its residual
  CHECK_FALSE(blocked(conv3, 0));    // the grouped 3x3's output
  CHECK(blocked(conv1, 0) == takes);
  CHECK(conv1.out_layout == kernels::layout::nchw);
  CHECK_FALSE(blocked(conv2, 0));
  CHECK(find(plan, "layer1.0.downsample").out_layout == conv3.out_layout);
  CHECK_FALSE(blocked(find(plan, "layer1.0.downsample"), 0));  // the stem's output
  CHECK(blocked(find(plan, "layer4.0.downsample"), 0) == takes);
  CHECK(blocked(find(plan, "avgpool"), 0) == takes);
  CHECK(plan.back().out_layout == kernels::layout::nchw);
  // Two threads on one image: only values over 14x14 (they read each other's halves; at 14x14 and
  // 7x7 the conv1s that read a blocked stream lose more than the conv3s gain): here stage 1's
  // 16x16 stream, not stage 2's 8x8 one; a batch: every value again.
  const executor<m> two(w, {.threads = 2});
  CHECK((find(two.plan(), "layer1.1.conv3").out_layout == kernels::layout::nchw16c) == takes);
  for (const char* name : {"layer2.0.downsample", "layer2.1.conv3", "layer3.1.conv3", "layer4.2.conv3"}) {
    INFO(name);
    CHECK(find(two.plan(), name).out_layout == kernels::layout::nchw);
  }
  CHECK((find(executor<m>(w, {.threads = 2, .max_batch = 2}).plan(), "layer2.0.conv3").out_layout == kernels::layout::nchw16c) == takes);
  // At 224x224 stage 1's conv1s (56x56 outputs) would read a blocked stream and store NCHW through
  // the tile's transpose, slower than the pixel tile there: stage 1 stays NCHW, stage 2 on is blocked.
  {
    using full = models::resnext50_32x4d;
    const executor<full> e(seeded_weights<full>(1), {.threads = 1});
    const auto& big = e.plan();
    CHECK(find(big, "layer1.1.conv3").out_layout == kernels::layout::nchw);
    CHECK_FALSE(blocked(find(big, "layer1.1.conv1"), 0));
    CHECK_FALSE(blocked(find(big, "layer2.0.downsample"), 0));
    CHECK((find(big, "layer2.0.downsample").out_layout == kernels::layout::nchw16c) == takes);
    CHECK((find(big, "layer2.1.conv3").out_layout == kernels::layout::nchw16c) == takes);
    // two threads on one image: stage 2's 28x28 stream only
    const executor<full> shared(seeded_weights<full>(1), {.threads = 2});
    CHECK((find(shared.plan(), "layer2.1.conv3").out_layout == kernels::layout::nchw16c) == takes);
    CHECK(find(shared.plan(), "layer3.1.conv3").out_layout == kernels::layout::nchw);
    CHECK_FALSE(blocked(find(shared.plan(), "layer4.0.downsample"), 0));
  }
  // TYPENET_BLOCKED: the switch, and a bad value named.
  const test::scoped_env off("TYPENET_BLOCKED", "0");
  const executor<m> unblocked(w, {.threads = 1});
  for (const auto& o : unblocked.plan()) CHECK(o.out_layout == kernels::layout::nchw);
  off.set("on");
  CHECK_THROWS_WITH(executor<m>(w, {.threads = 1}), Catch::Contains("TYPENET_BLOCKED must be 0 or 1, got 'on'"));
}

TEST_CASE("batch size is checked against max_batch", "[executor]") {
  executor<small> e(seeded_weights<small>(1), {.threads = 1, .max_batch = 2});
  std::vector<float> x(3 * small::input_shape::size), y(3 * 7);
  REQUIRE_THROWS_WITH(e.forward(x.data(), y.data(), 3), Catch::Contains("batch 3 outside 1..2"));
  REQUIRE_THROWS_WITH(e.forward(x.data(), y.data(), 0), Catch::Contains("batch 0 outside"));
  REQUIRE_THROWS_AS((executor<small>(seeded_weights<small>(1), {.threads = -1})), std::invalid_argument);
}

TEST_CASE("one batch gives the same answer as its images one by one", "[executor][threads]") {
  const auto w = seeded_weights<small>(2);
  const auto x = random_input(2 * small::input_shape::size, 3);
  executor<small> e(w, {.threads = 2, .max_batch = 2});
  std::vector<float> both(14), one(7);
  e.forward(x.data(), both.data(), 2);
  e.forward(x.data() + small::input_shape::size, one.data(), 1);
  for (int i = 0; i < 7; ++i) CHECK(one[i] == Approx(both[7 + i]).epsilon(1e-6).margin(1e-6));
}

namespace {
// A batch of 3 through executors that run their first n ops image by image, for every n (and the
// automatic choice): each image's answer is the one it gets alone. Values live across the split
// (a residual stream, DenseNet's growing features in one buffer) move from the one-image arenas
// into the batch's. With 2 threads images 0 and 1 run side by side (one per thread, each in its
// own arena) and image 2 on both threads; with 3 threads all three side by side.
template <class M>
void check_every_split(const dynamic::model& dm) {
  const auto w = seeded_weights<M>(5);
  constexpr long in = M::input_shape::size, out = output_shape_t<M>::size;
  const auto x = random_input(3 * in, 7);
  std::vector<float> alone(std::size_t(3 * out));
  executor<M> one(w, {.threads = 2});
  for (int n = 0; n < 3; ++n) one.forward(x.data() + n * in, alone.data() + n * out, 1);
  const int ops = int(one.op_count());
  for (int threads : {2, 3}) {
    for (int split = -1; split <= ops + 1; ++split) {
      INFO("image_by_image " << split << " of " << ops << " ops, " << threads << " threads");
      const executor_options opt{.threads = threads, .max_batch = 3, .image_by_image = split};
      std::vector<float> y(alone.size()), yd(alone.size());
      executor<M>(w, opt).forward(x.data(), y.data(), 3);
      dynamic::executor(dm, w, opt).forward(x.data(), yd.data(), 3);
      for (std::size_t i = 0; i < y.size(); ++i) {
        REQUIRE(y[i] == Approx(alone[i]).epsilon(1e-5).margin(1e-5));
        REQUIRE(yd[i] == y[i]);
      }
    }
  }
}
}  // namespace

TEST_CASE("a batch runs its first ops image by image: any split gives each image its own answer", "[executor][threads]") {
  check_every_split<small>(dynamic::model::of<small>());
  using dense = model<input<3, 15, 13>, conv2d<6, 3, 2, 1>, batch_norm, relu, max_pool<3, 2, 1>, densenet::block<3, 4, 2>,
                      densenet::transition<9>, batch_norm, relu, global_avg_pool, linear<5>>;
  check_every_split<dense>(dynamic::model::of<dense>());
  // A squeeze-excitation folded into the 1x1 conv after it: per image, the conv scales its packed
  // weights by the image's gate into working memory of its run (io::scratch), so two images side
  // by side must not share it.
  using gated = model<input<3, 31, 29>, conv2d<16, 3, 2, 1>, batch_norm, hardswish, squeeze_excitation<16, 8, relu, hardsigmoid>,
                      conv2d<12, 1>, batch_norm, global_avg_pool, linear<5>>;
  const auto ops = executor<gated>(seeded_weights<gated>(1)).plan();
  REQUIRE(std::any_of(ops.begin(), ops.end(), [](const runtime::op& o) { return o.name == "3+4+5" && o.body->scratch_floats() > 0; }));
  check_every_split<gated>(dynamic::model::of<gated>());
  REQUIRE_THROWS_WITH((executor<small>(seeded_weights<small>(1), {.image_by_image = -2})),
                      Catch::Contains("image_by_image must be -1 (automatic) or a number of ops, got -2"));
}

TEST_CASE("a profile times every op, images side by side included, and changes no result", "[executor][threads]") {
  // On 2 threads: batch 2 runs its image-by-image ops only side by side (thread 0's times count);
  // batch 3 runs image 2 on both threads too; the ops after the split run on the whole batch.
  const auto w = seeded_weights<small>(4);
  const auto x = random_input(3 * small::input_shape::size, 9);
  for (int batch : {2, 3})
    for (int split : {-1, 0, 3}) {
      INFO("batch " << batch << ", image_by_image " << split);
      executor<small> e(w, {.threads = 2, .max_batch = 3, .image_by_image = split});
      std::vector<float> plain(std::size_t(batch * executor<small>::output_size)), profiled(plain.size());
      std::vector<double> seconds(e.op_count(), 0.0);
      e.forward(x.data(), plain.data(), batch);
      e.forward(x.data(), profiled.data(), batch, seconds.data());
      CHECK(profiled == plain);
      for (std::size_t i = 0; i < seconds.size(); ++i) {
        INFO("op " << i << " '" << e.plan()[i].name << "'");
        if (e.plan()[i].elided) CHECK(seconds[i] == 0.0); else CHECK(seconds[i] > 0.0);
      }
    }
}

TEST_CASE("seeded weights are deterministic and cover the model", "[weights]") {
  const auto a = seeded_weights<models::resnext50_32x4d>(9), b = seeded_weights<models::resnext50_32x4d>(9);
  CHECK(a.size() == 267);  // 320 state_dict entries minus 53 num_batches_tracked
  CHECK(a.at("layer2.0.conv2.weight").shape == std::vector<long>{256, 8, 3, 3});
  CHECK(a.at("fc.weight").data == b.at("fc.weight").data);
  CHECK(a.at("fc.weight").data != seeded_weights<models::resnext50_32x4d>(10).at("fc.weight").data);
}

TEST_CASE("weights that do not fit the model are reported by name and shape", "[weights]") {
  const auto good = seeded_weights<small>(1);
  std::vector<std::unique_ptr<test::temp_file>> files;
  auto write = [&](const std::string& suffix, auto&& edit) {
    std::vector<io::tensor_view> views;
    std::vector<std::vector<float>> keep;
    for (const auto& [name, t] : good.tensors()) views.push_back({name, t.shape, t.data.data()});
    edit(views, keep);
    files.push_back(std::make_unique<test::temp_file>(suffix));
    io::write_safetensors(files.back()->path, views);
    return files.back()->path;
  };
  using views_t = std::vector<io::tensor_view>;
  using keep_t = std::vector<std::vector<float>>;

  const auto ok = write("ok.safetensors", [](views_t&, keep_t&) {});
  CHECK(load_weights<small>(ok).size() == good.size());

  const auto missing = write("missing.safetensors", [](views_t& v, keep_t&) {
    std::erase_if(v, [](const auto& t) { return t.name == "b1.conv2.weight"; });
  });
  REQUIRE_THROWS_WITH(load_weights<small>(missing), Catch::Contains("missing tensor 'b1.conv2.weight' (the model needs [16, 4, 3, 3])"));

  const auto shape = write("shape.safetensors", [](views_t& v, keep_t& keep) {
    for (auto& t : v)
      if (t.name == "fc.weight") keep.emplace_back(7 * 31), t.shape = {7, 31}, t.data = keep.back().data();
  });
  REQUIRE_THROWS_WITH(load_weights<small>(shape), Catch::Contains("tensor 'fc.weight' has shape [7, 31], the model needs [7, 32]"));

  const auto extra = write("extra.safetensors", [](views_t& v, keep_t& keep) {
    keep.emplace_back(5);
    v.push_back({"head.weight", {5}, keep.back().data()});
  });
  REQUIRE_THROWS_WITH(load_weights<small>(extra), Catch::Contains("unexpected tensor 'head.weight' [5] is not part of the model"));

  const test::temp_file absent(".safetensors");
  REQUIRE_THROWS_AS(load_weights<small>(absent.path), io::io_error);
}

TEST_CASE("a tensor of another dtype is reported by name", "[weights]") {
  using one_conv = model<input<1, 4, 4>, named<"c", conv2d<2, 1>>>;
  const test::temp_file file(".safetensors");
  const std::string header = R"({"c.weight":{"dtype":"F16","shape":[2,1,1,1],"data_offsets":[0,4]}})";
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[std::size_t(i)] = char((header.size() >> (8 * i)) & 0xff);
  test::write_bytes(file.path, bytes + header + std::string(4, '\0'));
  REQUIRE_THROWS_WITH(load_weights<one_conv>(file.path), Catch::Contains("tensor 'c.weight' has dtype F16, typenet reads F32"));
}

TEST_CASE("a profiled forward pass times every op and gives the same answer", "[executor]") {
  const auto w = seeded_weights<small>(4);
  const auto x = random_input(small::input_shape::size, 8);
  executor<small> e(w, {.threads = 2});
  std::vector<float> plain(7), profiled(7);
  std::vector<double> seconds(e.op_count(), 0.0);
  e.forward(x.data(), plain.data(), 1);
  e.forward(x.data(), profiled.data(), 1, seconds.data());
  CHECK(plain == profiled);
  CHECK(std::all_of(seconds.begin(), seconds.end(), [](double s) { return s > 0; }));
  long macs = 0;
  for (const auto& o : e.plan()) macs += o.macs;
  CHECK(macs == macs_v<small>);  // every conv and linear op carries its MACs
}

// An executor owns everything its plan reads: built from a temporary weight store (destroyed at
// the end of the full expression), it still runs, and gives what one built from a kept store gives.
// Run under AddressSanitizer by the sanitize.* tests.
TEST_CASE("an executor built from a temporary weight store owns its parameters", "[executor][lifetime]") {
  const auto x = random_input(2 * small::input_shape::size, 12);
  const auto kept = seeded_weights<small>(42);
  for (bool fused : {true, false}) {
    INFO((fused ? "fused" : "reference") << " path");
    executor<small> from_temporary(seeded_weights<small>(42), {.threads = 2, .max_batch = 2, .fused = fused});
    std::vector<float> got(14), want(14);
    from_temporary.forward(x.data(), got.data(), 2);
    executor<small>(kept, {.threads = 1, .max_batch = 2, .fused = fused}).forward(x.data(), want.data(), 2);
    CHECK(got == want);

    const auto dm = dynamic::model::of<small>();
    dynamic::executor dynamic_from_temporary(dynamic::model::of<small>(), dynamic::seeded_weights(dm, 42),
                                             {.threads = 2, .max_batch = 2, .fused = fused});
    std::vector<float> dyn(14);
    dynamic_from_temporary.forward(x.data(), dyn.data(), 2);
    CHECK(dyn == want);
  }
}

// The plan of the fused path: the fusion pass folds every batch norm that follows a conv, applies
// every ReLU and residual add in a conv's store where it can, and leaves the rest as ops.
// runtime/cpu.hpp: the instruction sets this build's kernels were compiled for are found on the
// CPU that built and runs the tests (a wrong feature name or macro would report one missing; a
// binary built with -mavx512f on an AVX2 machine stops before main with the message, exit code 2).
TEST_CASE("the CPU check finds this build's instruction sets on this CPU", "[runtime][cpu]") {
  const char* missing = runtime::missing_cpu_feature();
  INFO((missing ? missing : "none missing"));
  CHECK(missing == nullptr);
}

// CPUID as the kernel choices read it: an x86-64 test machine is AMD or Intel, with a family.
TEST_CASE("the CPU identity names this CPU's vendor and family", "[runtime][cpu]") {
  const runtime::cpu_identity& c = runtime::this_cpu();
  INFO("amd " << c.amd << ", intel " << c.intel << ", family " << c.family << ", model " << c.model);
  CHECK(c.amd != c.intel);
  CHECK(c.family >= 6);
  CHECK(&runtime::this_cpu() == &c);  // identified once
}

// The environment's word on Strassen's products, read at set-up; anything but 0 or 1 is an error
// that names the variable.
TEST_CASE("TYPENET_STRASSEN chooses Strassen's products or names a bad value", "[runtime][cpu]") {
  const test::scoped_env env("TYPENET_STRASSEN", "1");
  CHECK(typenet::detail::strassen_chosen());
  env.set("0");
  CHECK_FALSE(typenet::detail::strassen_chosen());
  env.set("yes");
  CHECK_THROWS_WITH(typenet::detail::strassen_chosen(), Catch::Contains("TYPENET_STRASSEN must be 0 or 1, got 'yes'"));
  env.set(nullptr);
  const runtime::cpu_identity& c = runtime::this_cpu();
  CHECK(typenet::detail::strassen_chosen() == kernels::strassen_pays_on(c.amd, c.family));
}

// The switch reaches the layers: a 1x1 layer Strassen takes (512 input channels, 8x8 pixels) sums
// in another order with it, so the outputs differ in their last bits and agree within rounding.
// (Both settings matching PyTorch, as the parity test checks, would not show that.)
TEST_CASE("TYPENET_STRASSEN switches a layer Strassen takes between its two kernels", "[runtime][cpu]") {
  using m = model<input<512, 8, 8>, conv2d<64, 1>>;
  STATIC_REQUIRE(kernels::strassen_fast(kernels::make_conv_geometry(512, 8, 8, 64, 1, 1, 0, 1)));
  const auto w = seeded_weights<m>(3);
  const auto x = random_input(m::input_shape::size, 4);
  const test::scoped_env env("TYPENET_STRASSEN", "0");
  const auto direct = run<m>(w, {.threads = 1}, x, 1);
  env.set("1");
  const auto strassen = run<m>(w, {.threads = 1}, x, 1);
  REQUIRE(max_abs(direct) > 1e-3);
  CHECK(direct != strassen);
  require_close(strassen, direct, 2e-5);
}

TEST_CASE("the fusion pass leaves one op per conv on ResNeXt-50", "[executor][fusion]") {
  using m = models::resnext50_32x4d_t<64, 64>;
  const auto w = seeded_weights<m>(1);
  executor<m> fused(w, {.threads = 1});
  executor<m> reference(w, {.threads = 1, .fused = false});
  // 53 convs (the stem with its max pool, where kernels::stem_max_pool is compiled in: AVX-512)
  // + global pool + fc; the reference path has every bn, relu, add and the max pool too.
  const bool pooled = kernels::stem_pool_conv(kernels::make_conv_geometry(3, 64, 64, 64, 7, 2, 3, 1));
  CHECK(fused.op_count() == (pooled ? 55 : 56));
  CHECK(reference.op_count() == 53 + 53 + 49 + 16 + 3);
  int residual_in_store = 0;
  for (const auto& o : fused.plan()) residual_in_store += o.inputs.size() == 2;
  CHECK(residual_in_store == 16);
  CHECK(fused.plan()[0].name == (pooled ? "conv1+bn1+relu+maxpool" : "conv1+bn1+relu"));  // kernels::stem_max_pool
  CHECK(fused.plan()[1].name == (pooled ? "layer1.0.downsample.0+1" : "maxpool"));
}

TEST_CASE("avg_pool and max_pool run fused as their reference path, both front ends", "[pools][executor][dynamic]") {
  const auto w = seeded_weights<pools>(5);
  const int batch = 3;
  const auto x = random_input(batch * pools::input_shape::size, 9);
  const auto expected = run<pools>(w, {.threads = 1, .max_batch = batch, .fused = false}, x, batch);
  REQUIRE(max_abs(expected) > 1e-3);
  for (int threads : {1, 2}) {
    INFO("threads " << threads);
    require_close(run<pools>(w, {.threads = threads, .max_batch = batch, .fused = true}, x, batch), expected, 1e-5);
  }

  // The dynamic twin, built by hand: the same description, so the same outputs bit for bit.
  const auto dm = dynamic_pools();
  CHECK(dm.output_shape() == dims{5, 1, 1});
  CHECK(dm.param_count() == param_count_v<pools>);
  CHECK(dm.macs() == macs_v<pools>);
  std::vector<float> dref(expected.size()), dfused(expected.size()), sfused = run<pools>(w, {.threads = 2, .max_batch = batch}, x, batch);
  dy::executor(dm, w, {.threads = 1, .max_batch = batch, .fused = false}).forward(x.data(), dref.data(), batch);
  dy::executor(dm, w, {.threads = 2, .max_batch = batch}).forward(x.data(), dfused.data(), batch);
  CHECK(dref == expected);
  CHECK(dfused == sfused);
}

TEST_CASE("the summary shows the pools with their output shapes, no parameters, no MACs", "[pools][summary]") {
  std::ostringstream st, dn;
  print_summary<pools>(st, "pools");
  dy::print_summary(dynamic_pools(), dn, "pools");
  CHECK(st.str() == dn.str());
  const std::string s = st.str();
  INFO(s);
  CHECK(s.find("2 (max_pool)                                 (8, 9, 8)                       0                0") !=
        std::string::npos);
  CHECK(s.find("4 (avg_pool)                                 (8, 9, 5)                       0                0") !=
        std::string::npos);
  CHECK(s.find("6 (avg_pool)                                 (8, 4, 3)") != std::string::npos);
  const auto rows = summary_v<pools>;
  CHECK(rows[3].kind == "avg_pool");
  CHECK(rows[5].kind == "max_pool");
}
