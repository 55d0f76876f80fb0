// concat, channel_split, channel_shuffle, scale and squeeze-excitation, against their PyTorch
// definitions written out here as loops, on both paths and both front ends; their rules and
// shapes at compile time.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <typenet/dynamic/executor.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/runtime/weights.hpp>
#include <typenet/typenet.hpp>

namespace {
using namespace typenet;
constexpr int N = 3;  // batch: odd, so parts split images and channels unevenly

std::vector<float> ramp(long n) {
  std::vector<float> x(std::size_t(n), 0.0f);
  for (long i = 0; i < n; ++i) x[std::size_t(i)] = float(std::sin(0.37 * double(i)) * 3.0);
  return x;
}

// Runs M statically and its dynamic twin `dm` on x, fused and reference, with `w`: the front ends
// must agree exactly, the paths to float rounding; returns the fused output.
template <class M>
std::vector<float> run_both(const dynamic::model& dm, const weight_store& w, const std::vector<float>& x) {
  std::vector<float> first;
  for (bool fused : {true, false}) {
    std::vector<float> ys(std::size_t(N * output_shape_t<M>::size)), yd(ys.size());
    executor<M>(w, {.threads = 2, .max_batch = N, .fused = fused}).forward(x.data(), ys.data(), N);
    dynamic::executor(dm, w, {.threads = 2, .max_batch = N, .fused = fused}).forward(x.data(), yd.data(), N);
    CHECK(yd == ys);
    if (first.empty()) first = ys;
    for (std::size_t i = 0; i < ys.size(); ++i) CHECK(ys[i] == Approx(first[i]).margin(1e-5));
  }
  return first;
}
}  // namespace

TEST_CASE("concat stacks its branches' channels in order", "[channels]") {
  // Branches of different widths: the input itself, a 1x1 conv, a split.
  using m = model<input<4, 5, 6>, named<"cat", concat<identity, named<"conv", conv2d<3, 1>>, channel_split<1, 2>>>>;
  static_assert(std::is_same_v<output_shape_t<m>, shape<4 + 3 + 2, 5, 6>>);
  static_assert(param_count_v<m> == 3 * 4 && macs_v<m> == 3 * 4 * 30);
  const dynamic::model dm({4, 5, 6}, dynamic::sequential({dynamic::named(
                                         "cat", dynamic::concat({dynamic::identity(), dynamic::named("conv", dynamic::conv2d(3, 1)),
                                                                 dynamic::channel_split(1, 2)}))}));
  const auto w = seeded_weights<m>(3);
  const auto x = ramp(N * 4 * 30);
  const auto y = run_both<m>(dm, w, x);
  const auto& k = w.at("cat.conv.weight").data;  // [3][4][1][1]
  for (int n = 0; n < N; ++n)
    for (int p = 0; p < 30; ++p) {
      auto in = [&](int c) { return x[std::size_t((n * 4 + c) * 30 + p)]; };
      auto out = [&](int c) { return y[std::size_t((n * 9 + c) * 30 + p)]; };
      for (int c = 0; c < 4; ++c) CHECK(out(c) == in(c));
      for (int o = 0; o < 3; ++o) {
        double s = 0;
        for (int c = 0; c < 4; ++c) s += double(k[std::size_t(o * 4 + c)]) * in(c);
        CHECK(out(4 + o) == Approx(s).margin(1e-5));
      }
      for (int c = 0; c < 2; ++c) CHECK(out(7 + c) == in(2 + c));
    }
}

TEST_CASE("channel_shuffle is ShuffleNet's view-transpose-view", "[channels]") {
  using m = model<input<6, 3, 5>, channel_shuffle<3>>;
  static_assert(std::is_same_v<output_shape_t<m>, shape<6, 3, 5>>);
  const dynamic::model dm({6, 3, 5}, dynamic::channel_shuffle(3));
  const auto x = ramp(N * 6 * 15);
  const auto y = run_both<m>(dm, {}, x);
  // x.view(N, 3, 2, H, W).transpose(1, 2): output channel j*3 + g is input channel g*2 + j.
  for (int n = 0; n < N; ++n)
    for (int j = 0; j < 2; ++j)
      for (int g = 0; g < 3; ++g)
        for (int p = 0; p < 15; ++p)
          CHECK(y[std::size_t((n * 6 + j * 3 + g) * 15 + p)] == x[std::size_t((n * 6 + g * 2 + j) * 15 + p)]);
}

TEST_CASE("squeeze_excitation scales each channel by its gate", "[channels]") {
  using se = squeeze_excitation<6, 2, relu, hardsigmoid>;
  using m = model<input<6, 4, 3>, named<"se", se>>;
  static_assert(std::is_same_v<output_shape_t<m>, shape<6, 4, 3>>);
  static_assert(param_count_v<m> == (6 * 2 + 2) + (2 * 6 + 6));
  const dynamic::model dm(
      {6, 4, 3}, dynamic::sequential({dynamic::named("se", dynamic::squeeze_excitation(6, 2, dynamic::relu(), dynamic::hardsigmoid()))}));
  CHECK(dm.summary().at(0).kind == "squeeze_excitation");
  std::vector<std::string> names;
  for (const auto& t : tensor_specs<m>()) names.push_back(t.name);
  CHECK(names == std::vector<std::string>{"se.fc1.weight", "se.fc1.bias", "se.fc2.weight", "se.fc2.bias"});
  const auto w = seeded_weights<m>(5);
  const auto x = ramp(N * 6 * 12);
  const auto y = run_both<m>(dm, w, x);
  const auto &w1 = w.at("se.fc1.weight").data, &b1 = w.at("se.fc1.bias").data;
  const auto &w2 = w.at("se.fc2.weight").data, &b2 = w.at("se.fc2.bias").data;
  for (int n = 0; n < N; ++n) {
    double mean[6], hidden[2];
    for (int c = 0; c < 6; ++c) {
      mean[c] = 0;
      for (int p = 0; p < 12; ++p) mean[c] += x[std::size_t((n * 6 + c) * 12 + p)] / 12.0;
    }
    for (int s = 0; s < 2; ++s) {
      hidden[s] = b1[std::size_t(s)];
      for (int c = 0; c < 6; ++c) hidden[s] += w1[std::size_t(s * 6 + c)] * mean[c];
      hidden[s] = std::max(hidden[s], 0.0);
    }
    for (int c = 0; c < 6; ++c) {
      double g = b2[std::size_t(c)];
      for (int s = 0; s < 2; ++s) g += w2[std::size_t(c * 2 + s)] * hidden[s];
      g = std::min(std::max(g + 3.0, 0.0), 6.0) / 6.0;
      for (int p = 0; p < 12; ++p) {
        const std::size_t i = std::size_t((n * 6 + c) * 12 + p);
        CHECK(y[i] == Approx(x[i] * g).margin(1e-5));
      }
    }
  }
}

TEST_CASE("the channel layers' rules hold on both front ends", "[channels][rules]") {
  static_assert(!accepts<concat<conv2d<4, 3>, identity>, shape<3, 8, 8>>);   // 6x6 next to 8x8
  static_assert(accepts<concat<conv2d<4, 3, 1, 1>, identity>, shape<3, 8, 8>>);
  static_assert(!accepts<channel_split<0, 2>, shape<5, 4, 4>>);
  static_assert(!accepts<channel_split<2, 2>, shape<4, 4, 4>>);
  static_assert(!accepts<channel_shuffle<3>, shape<8, 4, 4>>);
  static_assert(!accepts<scale<conv2d<4, 1>>, shape<4, 3, 3>>);            // the gate keeps 3x3
  static_assert(!accepts<scale<sequential<global_avg_pool, conv2d<5, 1>>>, shape<4, 3, 3>>);
  static_assert(accepts<scale<sequential<global_avg_pool, conv2d<4, 1>>>, shape<4, 3, 3>>);
  static_assert(!accepts<squeeze_excitation<8, 2>, shape<4, 3, 3>>);
  static_assert(!accepts<stochastic_depth<std::ratio<3, 2>>, shape<4, 3, 3>>);
  static_assert(accepts<stochastic_depth<std::ratio<1, 5>>, shape<4, 3, 3>>);
  auto message = [](dims in, dynamic::layer l) {
    try {
      dynamic::model({in}, std::move(l));
    } catch (const shape_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message({3, 8, 8}, dynamic::concat({dynamic::conv2d(4, 3), dynamic::identity()})),
             Catch::Contains("concat: every branch must give the same height and width (branch 1 gives 8x8, branch 0 gives 6x6)"));
  CHECK_THAT(message({5, 4, 4}, dynamic::channel_split(0, 2)),
             Catch::Contains("channel_split: input channels must be divisible by Parts (input channels 5, Parts 2)"));
  CHECK_THAT(message({8, 4, 4}, dynamic::channel_shuffle(3)), Catch::Contains("channel_shuffle: input channels must be divisible"));
  CHECK_THAT(message({4, 3, 3}, dynamic::scale(dynamic::conv2d(4, 1))),
             Catch::Contains("scale: the gate must give (C, 1, 1) with C the input's channels (gate 4x3x3, input channels 4)"));
  CHECK_THAT(message({4, 3, 3}, dynamic::squeeze_excitation(8, 2)),
             Catch::Contains("squeeze_excitation: input channels must equal Channels (input channels 4, Channels 8)"));
}
