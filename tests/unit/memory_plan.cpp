// The memory plan: the compile-time one (memory_plan_v<M>) against the run-time one of the same
// description (dynamic::model::memory()) on every zoo model, against hand-computed figures on
// small models, and against what the executor actually allocates and runs.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdint>
#include <sstream>
#include <typenet/dynamic/executor.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/models/zoo.hpp>
#include <typenet/typenet.hpp>

namespace {
using namespace typenet;

// Compile-time and run-time plans of M agree; the plan is no worse than the naive figure and no
// better than the live peak (a lower bound for any placement).
template <class M>
void check_zoo_model(const char* name) {
  constexpr memory_plan compile_time = memory_plan_v<M>;
  static_assert(compile_time.bytes == activation_bytes_v<M> && compile_time.bytes > 0);
  const memory_plan run_time = dynamic::model::of<M>().memory();
  INFO(name << ": compile time " << compile_time.bytes << " bytes, run time " << run_time.bytes);
  CHECK(run_time == compile_time);
  CHECK(compile_time.live_bytes <= compile_time.bytes);
  CHECK(compile_time.bytes <= compile_time.naive_bytes);
}

// y = conv(x) -> 4x8x8, then bn, relu, conv -> 2x8x8, relu.
using chain = model<input<1, 8, 8>, conv2d<4, 3, 1, 1>, batch_norm, relu, conv2d<2, 3, 1, 1>, relu>;
// A residual whose shortcut is the first conv's output, then a concat of two 1x1 convs.
// An op kind that emits no call (it returns its input) but does not say so (wiring{.call = false}).
struct silent_op {
  static constexpr std::string_view kind = "silent";
  struct attributes {};
  using rules = rule_list<>;
  static runtime::value emit(const attributes&, ir::emit_context& ctx) { return ctx.x; }
};
struct silent : layer_of<silent_op> {};
using branches = model<input<4, 8, 8>, conv2d<8, 1>, residual<sequential<conv2d<8, 3, 1, 1>, batch_norm>, identity>, relu,
                       concat<conv2d<4, 1>, conv2d<2, 1>>>;
}  // namespace

// Every model of the registry (models/zoo.hpp), at its native size, and the DenseNets it does not list.
template <class... Entries>
void check_zoo(typenet::detail::type_list<Entries...>) {
  (check_zoo_model<typename Entries::type>(Entries::name.data()), ...);
}

TEST_CASE("the compile-time and run-time memory plans agree on every zoo model", "[memory]") {
  check_zoo(models::zoo{});
  check_zoo_model<models::densenet161>("densenet161");
  check_zoo_model<models::densenet169>("densenet169");
  check_zoo_model<models::densenet201>("densenet201");
}

// Figures measured once and checked by hand: ResNet-50's peak is at layer2.0's conv1 (its input
// 256x56x56, kept for conv1; the projection's output 512x28x28, kept for the residual; conv1's
// output 128x56x56; each conv3 writes over its residual), the naive plan three buffers of the
// largest activation (64x112x112 = 256x56x56 floats).
static_assert(activation_bytes_v<models::resnet50> == 4 * (802'816 + 401'408 + 401'408));
static_assert(memory_plan_v<models::resnet50>.naive_bytes == 3 * 4 * 802'816);

TEST_CASE("a chain: fused, one scratch buffer; unfused, values reuse the arena by liveness", "[memory]") {
  // Fused: conv+bn+relu -> v (4x8x8 = 256 floats), conv+relu -> the caller's output.
  constexpr memory_plan fused = memory_plan_v<chain>;
  STATIC_REQUIRE(fused.bytes == 4 * 256);
  STATIC_REQUIRE(fused.live_bytes == 4 * 256);
  STATIC_REQUIRE(fused.buffers == 1);
  STATIC_REQUIRE(fused.naive_bytes == 4 * 256);
  // Unfused: conv a, bn b, relu c (256 floats each), conv d (128): a and b, b and c, c and d are
  // live together, so c reuses a's range and d b's: two ranges of 256.
  const memory_plan reference = ir::plan_memory(lower<chain::body>(), chain::input_shape::dims, false);
  CHECK(reference.bytes == 4 * 512);
  CHECK(reference.live_bytes == 4 * 512);
  CHECK(reference.buffers == 2);
}

TEST_CASE("residual lifetimes and concat inputs are live until their reader", "[memory]") {
  // Fused calls: conv0 x -> v1 (512); conv1(v1) + bn + residual v1 + relu -> v5 (512); conv a
  // v5 -> v6 (256); conv b v5 -> v7 (128); concat(v6, v7) -> the output. v6 and v7 are written
  // straight into their channel slices of the caller's output (the concat copies nothing), so
  // only v1 (calls 0-1) and v5 (1-3) take scratch, both live at call 1.
  constexpr memory_plan m = memory_plan_v<branches>;
  STATIC_REQUIRE(m.bytes == 4 * 1024);
  STATIC_REQUIRE(m.live_bytes == 4 * 1024);
  STATIC_REQUIRE(m.buffers == 2);                // v1 and v5 at the second call
  STATIC_REQUIRE(m.naive_bytes == 2 * 4 * 512);  // two buffers of the largest activation
  // The reference path places no slices: v6 and v7 are buffers of their own, copied by the concat.
  const memory_plan reference = ir::plan_memory(lower<branches::body>(), branches::input_shape::dims, false);
  CHECK(reference.buffers > m.buffers);
}

TEST_CASE("a conv that adds a residual writes over it where it reads it last", "[memory]") {
  // Fused calls: conv0 x -> v1 (16x128x128 floats: 1 MiB, as large as runtime::residual_in_place_floats
  // asks); conv a v1 -> v2 (4x128x128); conv b v2 + bn + residual v1 + relu -> over v1 (v1 is read
  // last there); conv c -> the caller's output. Two buffers where a separate output would take three.
  using bottleneck_like = model<input<4, 128, 128>, conv2d<16, 1>, relu,
                                residual<sequential<conv2d<4, 1>, relu, conv2d<16, 3, 1, 1>, batch_norm>, identity>, relu, conv2d<2, 1>>;
  constexpr memory_plan m = memory_plan_v<bottleneck_like>;
  STATIC_REQUIRE(16 * 128 * 128 == runtime::residual_in_place_floats);
  STATIC_REQUIRE(m.bytes == 4 * (16 + 4) * 128 * 128);
  STATIC_REQUIRE(m.buffers == 2);
  runtime::sketch s(bottleneck_like::input_shape::dims);
  const runtime::value result = typenet::detail::sketch_layer<bottleneck_like::body>(s, 0);
  runtime::fuse_ops(s.ops(), result, runtime::traits_fuser{});
  (void)runtime::place_ops(s.ops(), result, s.shapes(), runtime::traits_fuser{}, true);
  REQUIRE(s.ops().size() == 4);
  const runtime::sketch_op& add = s.ops()[2];
  REQUIRE(add.took_residual);
  CHECK(add.out_buffer == add.in_buffers[1]);   // over the residual...
  CHECK(add.out_buffer != add.in_buffers[0]);   // ...never over the conv's own input
  // The unfused plan and the fused one with its output over the residual compute the same.
  const weight_store w = seeded_weights<bottleneck_like>(7);
  std::vector<float> x(3 * 4 * 128 * 128);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(int(i * 37 % 101) - 50) / 25.0f;
  std::vector<float> fast(3 * 2 * 128 * 128), reference(3 * 2 * 128 * 128);
  executor<bottleneck_like>(w, {.threads = 2, .max_batch = 3}).forward(x.data(), fast.data(), 3);
  executor<bottleneck_like>(w, {.threads = 1, .max_batch = 3, .fused = false}).forward(x.data(), reference.data(), 3);
  for (std::size_t i = 0; i < fast.size(); ++i) CHECK(fast[i] == Approx(reference[i]).margin(1e-4));
}

TEST_CASE("only a call whose kernel reads each residual element first writes over it (fusion_traits::residual_in_place)",
          "[memory]") {
  // v1 = a(x); w = m(v1); v3 = b(w) + v1 (b absorbs the add); the output = c(v3), 1 MiB each (the
  // least that is written over: runtime::residual_in_place_floats). b writes over v1 only if it
  // says its kernel may: a user's call that absorbs a residual keeps a buffer of its own (v1, w
  // and v3 are then live together at b).
  for (bool in_place : {false, true}) {
    INFO("residual_in_place " << in_place);
    const dims d{64, 64, 64};
    REQUIRE(d.size() == runtime::residual_in_place_floats);
    runtime::sketch s(d);
    const runtime::value v1 = s.add({0}, d, {});
    const runtime::value w = s.add({v1}, d, {});
    const runtime::value v2 = s.add({w}, d, {.absorbs_residual = true, .residual_in_place = in_place});
    const runtime::value v3 = s.add({v2, v1}, d, {.add = true});
    const runtime::value result = s.add({v3}, d, {});
    runtime::fuse_ops(s.ops(), result, runtime::traits_fuser{});
    const runtime::placement p = runtime::place_ops(s.ops(), result, s.shapes(), runtime::traits_fuser{}, true);
    REQUIRE(s.ops().size() == 4);
    const runtime::sketch_op& b = s.ops()[2];
    REQUIRE(b.took_residual);
    CHECK((b.out_buffer == b.in_buffers[1]) == in_place);
    CHECK(p.arena == (in_place ? 2 : 3) * d.size());
  }
}

TEST_CASE("a residual is written over only where the output outgrows a core's L2", "[memory]") {
  // ResNeXt-50 at 224x224: every conv3 adds its block's residual; those of stages 1 and 2
  // (256x56x56, 512x28x28: 3.2 and 1.6 MB) write over it, those of stages 3 and 4 (0.8 and 0.4
  // MB, still in both cores' caches) into buffers of their own.
  using m = models::resnext50_32x4d;
  runtime::sketch s(m::input_shape::dims);
  const runtime::value result = typenet::detail::sketch_layer<m::body>(s, 0);
  runtime::fuse_ops(s.ops(), result, runtime::traits_fuser{});
  (void)runtime::place_ops(s.ops(), result, s.shapes(), runtime::traits_fuser{}, true);
  int large = 0, over = 0, small = 0;
  for (const runtime::sketch_op& o : s.ops()) {
    if (!o.took_residual) continue;
    const bool is_large = s.shapes()[std::size_t(o.output)].size() >= runtime::residual_in_place_floats;
    const bool is_over = o.out_buffer == o.in_buffers[o.in_buffers.size() - 1];
    large += is_large, small += !is_large, over += is_over;
    CHECK(is_over == is_large);
  }
  CHECK(large == 3 + 4);
  CHECK(small == 6 + 3);
  CHECK(over == large);
}

TEST_CASE("a model that returns its input plans one copy into the caller's output", "[memory]") {
  using same = model<input<2, 3, 3>, identity>;
  STATIC_REQUIRE(memory_plan_v<same>.bytes == 0);
  executor<same> e(weight_store{}, {.threads = 1});
  CHECK(e.memory().bytes == 0);
  const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
  std::vector<float> y(18);
  e.forward(x.data(), y.data(), 1);
  CHECK(y == x);
}

TEST_CASE("the executor allocates the plan, on both paths and both front ends", "[memory][executor]") {
  auto check = [](auto tag, const char* name) {
    using M = typename decltype(tag)::type;
    INFO(name);
    const auto w = seeded_weights<M>(1);
    const dynamic::model dm = dynamic::model::of<M>();
    for (bool fused : {true, false}) {
      const executor<M> s(w, {.threads = 1, .fused = fused});
      const dynamic::executor d(dm, w, {.threads = 1, .fused = fused});
      const memory_plan sketched = ir::plan_memory(lower<typename M::body>(), M::input_shape::dims, fused);
      CHECK(s.memory() == sketched);
      CHECK(d.memory() == sketched);
      if (fused) CHECK(s.memory() == memory_plan_v<M>);
    }
  };
  check(hana::type_c<chain>, "chain");
  check(hana::type_c<branches>, "branches");
  check(hana::type_c<models::resnet18_t<64, 64>>, "resnet18 at 64x64");
  check(hana::type_c<models::mobilenet_v2_t<64, 64>>, "mobilenet_v2 at 64x64");
}

TEST_CASE("a layer kind whose wiring does not describe its emit() is caught when planning", "[memory][executor]") {
  using m = model<input<2, 4, 4>, conv2d<3, 1>, silent, conv2d<2, 1>>;
  REQUIRE_THROWS_WITH((executor<m>(seeded_weights<m>(1), {.threads = 1})),
                      Catch::Contains("differs from the emitted one") && Catch::Contains("wiring or fusion traits"));
}

TEST_CASE("the summary prints the memory plan next to the naive figure", "[memory][summary]") {
  std::ostringstream s, d;
  print_summary<branches>(s, "branches");
  dynamic::print_summary(dynamic::model::of<branches>(), d, "branches");
  CHECK_THAT(s.str(), Catch::Contains("Activations:  4,096 bytes per image (memory plan; naive 2 buffers x largest: 4,096)"));
  CHECK(s.str() == d.str());
}

TEST_CASE("buffers of a huge page or more start on a huge-page boundary; every buffer is zeroed", "[memory]") {
  // (freed with the alignment they were made with: ASan's sanitize.unit checks new/delete pairs)
  for (long n : {1L, 17L, 524287L, 524288L, 524288L * 3 + 5}) {
    INFO(n << " floats");
    const runtime::aligned_floats b = runtime::allocate_floats(n);
    const auto address = reinterpret_cast<std::uintptr_t>(b.get());
    const bool huge = std::size_t(n) * sizeof(float) >= runtime::huge_page;
    CHECK(address % (huge ? runtime::huge_page : 64) == 0);
    CHECK(b.get_deleter().alignment == (huge ? runtime::huge_page : 64));
    CHECK(std::all_of(b.get(), b.get() + n, [](float x) { return x == 0.0f; }));
  }
}
