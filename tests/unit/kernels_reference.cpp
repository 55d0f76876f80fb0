// Reference kernels: hand-checked values, and PyTorch on small shapes ([torch], fixtures made by
// tools/make_layer_fixtures.py into TYPENET_FIXTURE_DIR/layers/).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <typenet/io/npy.hpp>
#include <typenet/kernels/reference.hpp>

namespace k = typenet::kernels;
namespace ref = typenet::kernels::reference;

namespace {

#ifndef TYPENET_FIXTURE_DIR
#define TYPENET_FIXTURE_DIR "fixtures"
#endif

typenet::io::array load(const std::string& name) {
  return typenet::io::read_npy(std::string(TYPENET_FIXTURE_DIR) + "/layers/" + name + ".npy");
}

void require_close(const std::vector<float>& got, const std::vector<float>& want, double rtol) {
  REQUIRE(got.size() == want.size());
  double scale = 1e-6;
  for (float w : want) scale = std::max(scale, double(std::fabs(w)));
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("index " << i << ": got " << got[i] << ", want " << want[i]);
    REQUIRE(std::fabs(double(got[i]) - double(want[i])) <= rtol * scale);
  }
}

// A conv fixture: input [n][c][h][w], weight [o][c/g][kh][kw], output [n][o][oh][ow]. The output
// size comes from make_conv_geometry (the formula both front ends use) and must be PyTorch's.
void check_conv_fixture(const std::string& name, typenet::hw stride, typenet::hw pad, int groups, bool bias) {
  const auto x = load(name + "_input"), w = load(name + "_weight"), y = load(name + "_output");
  REQUIRE(x.shape.size() == 4);
  REQUIRE(w.shape.size() == 4);
  REQUIRE(y.shape.size() == 4);
  const auto g = k::make_conv_geometry(int(x.shape[1]), int(x.shape[2]), int(x.shape[3]), int(w.shape[0]),
                                       {int(w.shape[2]), int(w.shape[3])}, stride, pad, groups);
  REQUIRE(w.shape[1] == g.in_c_per_group());
  REQUIRE(y.shape[1] == g.out_c);
  REQUIRE(y.shape[2] == g.out_h);
  REQUIRE(y.shape[3] == g.out_w);
  std::vector<float> b;
  if (bias) b = load(name + "_bias").data;
  std::vector<float> out(y.data.size(), -1.0f);
  ref::conv2d(g, x.data.data(), w.data.data(), bias ? b.data() : nullptr, out.data(),
              int(x.shape[0]));
  require_close(out, y.data, 1e-5);
}

}  // namespace

TEST_CASE("reference conv2d: hand-computed 3x3 with padding and groups", "[kernels][reference]") {
  // 2 groups of 1 channel, 2x2 input, 3x3 all-ones kernel with pad 1: each output is the sum of
  // the input's in-bounds neighbourhood, i.e. the whole 2x2 image.
  const auto g = k::make_conv_geometry(2, 2, 2, 2, 3, 1, 1, 2);
  const std::vector<float> in{1, 2, 3, 4, 10, 20, 30, 40};
  std::vector<float> w(18, 1.0f);
  const float bias[2] = {0.5f, -1.0f};
  std::vector<float> out(8);
  ref::conv2d(g, in.data(), w.data(), bias, out.data(), 1);
  for (int i = 0; i < 4; ++i) {
    CHECK(out[i] == 10.5f);
    CHECK(out[4 + i] == 99.0f);
  }
}

TEST_CASE("reference conv2d: stride 2 picks every other pixel", "[kernels][reference]") {
  const auto g = k::make_conv_geometry(1, 3, 3, 1, 1, 2, 0, 1);
  const std::vector<float> in{1, 2, 3, 4, 5, 6, 7, 8, 9};
  const float w = 2.0f;
  std::vector<float> out(4);
  ref::conv2d(g, in.data(), &w, nullptr, out.data(), 1);
  CHECK(out == std::vector<float>{2, 6, 14, 18});
}

TEST_CASE("reference conv2d: a 1x3 kernel slides along rows only", "[kernels][reference]") {
  // weights 1 2 3 over each row of a 2x3 image, padding (0, 1): a kernel laid along columns, or
  // padding on the wrong axis, gives other numbers
  const auto g = k::make_conv_geometry(1, 2, 3, 1, {1, 3}, 1, {0, 1}, 1);
  REQUIRE(g.out_h == 2);
  REQUIRE(g.out_w == 3);
  const std::vector<float> in{1, 2, 3, 4, 5, 6}, w{1, 2, 3};
  std::vector<float> out(6);
  ref::conv2d(g, in.data(), w.data(), nullptr, out.data(), 1);
  CHECK(out == std::vector<float>{8, 14, 8, 23, 32, 17});
}

TEST_CASE("reference elementwise, pooling and linear on small values", "[kernels][reference]") {
  const std::vector<float> a{-1, 2, -3, 4}, b{1, 1, 1, 1};
  std::vector<float> o(4);
  ref::relu(4, a.data(), o.data());
  CHECK(o == std::vector<float>{0, 2, 0, 4});
  ref::add(4, a.data(), b.data(), o.data());
  CHECK(o == std::vector<float>{0, 3, -2, 5});

  // max pool 3x3/2/1 over a 3x3 image of negatives: padding must not win (it is -inf)
  const auto pg = k::make_pool_geometry(1, 3, 3, 3, 3, 2, 2, 1, 1);
  const std::vector<float> img{-9, -8, -7, -6, -5, -4, -3, -2, -1};
  std::vector<float> po(4);
  ref::max_pool(pg, img.data(), po.data(), 1);
  CHECK(po == std::vector<float>{-5, -4, -2, -1});

  std::vector<float> avg(1);
  ref::global_avg_pool(1, 9, img.data(), avg.data(), 1);
  CHECK(avg[0] == Approx(-5.0f));

  const std::vector<float> w{1, 2, 3, 4, 5, 6}, x{1, 1, 1, 2, 0, 1}, bias{10, 20};
  std::vector<float> lo(4);
  ref::linear(3, 2, x.data(), w.data(), bias.data(), lo.data(), 2);
  CHECK(lo == std::vector<float>{16, 35, 15, 34});

  const float mean = 1, var = 4 - 1e-5f, gamma = 2, beta = 3;
  const std::vector<float> bi{1, 3, 5};
  std::vector<float> bo(3);
  ref::batch_norm(1, 3, bi.data(), &gamma, &beta, &mean, &var, 1e-5f, bo.data(), 1);
  CHECK(bo[0] == Approx(3.0f));
  CHECK(bo[1] == Approx(5.0f));
  CHECK(bo[2] == Approx(7.0f));
}

TEST_CASE("reference conv2d matches PyTorch", "[kernels][reference][torch]") {
  SECTION("grouped 3x3 stride 2 pad 1, odd input") { check_conv_fixture("conv_grouped_s2", 2, 1, 4, false); }
  SECTION("3x3 with bias") { check_conv_fixture("conv_bias", 1, 1, 1, true); }
  SECTION("7x7 stride 2 pad 3 stem") { check_conv_fixture("conv_stem", 2, 3, 1, false); }
  SECTION("1x1 stride 2") { check_conv_fixture("conv_1x1_s2", 2, 0, 1, false); }
  SECTION("1x7 pad (0, 3) with bias") { check_conv_fixture("conv_1x7", 1, {0, 3}, 1, true); }
  SECTION("7x1 pad (3, 0)") { check_conv_fixture("conv_7x1", 1, {3, 0}, 1, false); }
  SECTION("grouped 1x3 pad (0, 1)") { check_conv_fixture("conv_1x3", 1, {0, 1}, 4, false); }
  SECTION("3x1 pad (1, 0) with bias") { check_conv_fixture("conv_3x1", 1, {1, 0}, 1, true); }
  SECTION("grouped 3x5 stride (2, 1) pad (1, 2)") { check_conv_fixture("conv_rect_s21", {2, 1}, {1, 2}, 2, false); }
  SECTION("2x5 stride (1, 3) pad (0, 1), bias") { check_conv_fixture("conv_rect_odd", {1, 3}, {0, 1}, 1, true); }
}

TEST_CASE("reference batch_norm matches PyTorch", "[kernels][reference][torch]") {
  const auto x = load("batch_norm_input"), y = load("batch_norm_output");
  const auto mean = load("batch_norm_mean"), var = load("batch_norm_var");
  const auto gamma = load("batch_norm_gamma"), beta = load("batch_norm_beta");
  REQUIRE(x.shape.size() == 4);
  const int c = int(x.shape[1]), spatial = int(x.shape[2] * x.shape[3]);
  std::vector<float> out(x.data.size());
  ref::batch_norm(c, spatial, x.data.data(), gamma.data.data(), beta.data.data(),
                  mean.data.data(), var.data.data(), 1e-5f, out.data(), int(x.shape[0]));
  require_close(out, y.data, 1e-5);
}

TEST_CASE("reference max_pool matches PyTorch", "[kernels][reference][torch]") {
  const auto x = load("max_pool_input"), y = load("max_pool_output");
  REQUIRE(x.shape.size() == 4);
  REQUIRE(y.shape.size() == 4);
  const auto g = k::make_pool_geometry(int(x.shape[1]), int(x.shape[2]), int(x.shape[3]), 3, 3, 2, 2, 1, 1);
  REQUIRE(g.out_h == y.shape[2]);
  REQUIRE(g.out_w == y.shape[3]);
  std::vector<float> out(y.data.size());
  ref::max_pool(g, x.data.data(), out.data(), int(x.shape[0]));
  CHECK(out == y.data);  // max is exact
}

TEST_CASE("reference global_avg_pool matches PyTorch", "[kernels][reference][torch]") {
  const auto x = load("global_avg_pool_input"), y = load("global_avg_pool_output");
  REQUIRE(x.shape.size() == 4);
  std::vector<float> out(y.data.size());
  ref::global_avg_pool(int(x.shape[1]), int(x.shape[2] * x.shape[3]), x.data.data(), out.data(),
                       int(x.shape[0]));
  require_close(out, y.data, 1e-5);
}

TEST_CASE("reference linear matches PyTorch", "[kernels][reference][torch]") {
  const auto x = load("linear_input"), w = load("linear_weight"), b = load("linear_bias"),
             y = load("linear_output");
  REQUIRE(w.shape.size() == 2);
  std::vector<float> out(y.data.size());
  ref::linear(int(w.shape[1]), int(w.shape[0]), x.data.data(), w.data.data(), b.data.data(),
              out.data(), int(x.shape[0]));
  require_close(out, y.data, 1e-5);
}

namespace {
// A pool fixture: NAME_params holds [kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w,
// ceil_mode, count_include_pad]; the geometry's output size must be PyTorch's.
template <class Kernel>
void check_pool_fixture(const std::string& name, Kernel kernel) {
  INFO(name);
  const auto x = load(name + "_input"), y = load(name + "_output"), p = load(name + "_params");
  REQUIRE(x.shape.size() == 4);
  REQUIRE(y.shape.size() == 4);
  REQUIRE(p.data.size() == 8);
  const auto a = [&](int i) { return int(p.data[std::size_t(i)]); };
  const auto g = k::make_pool_geometry(int(x.shape[1]), int(x.shape[2]), int(x.shape[3]), a(0), a(1), a(2), a(3), a(4), a(5),
                                       a(6) != 0, a(7) != 0);
  CHECK(g.out_h == y.shape[2]);
  CHECK(g.out_w == y.shape[3]);
  REQUIRE(g.out_size() * x.shape[0] == long(y.data.size()));
  std::vector<float> out(y.data.size(), std::numeric_limits<float>::quiet_NaN());
  kernel(g, x.data.data(), out.data(), int(x.shape[0]));
  require_close(out, y.data, 1e-6);
}
}  // namespace

TEST_CASE("reference avg_pool matches PyTorch: ceil mode, count_include_pad, padding, rectangles", "[kernels][reference][torch]") {
  for (const char* name : {"avg_3s2_7x7", "avg_3s2_7x7_ceil", "avg_3s2_55x55_ceil", "avg_3s1p1", "avg_3s1p1_exclude_pad",
                           "avg_3s2p1_ceil", "avg_3s2p1_ceil_exclude_pad", "avg_2s2p1_ceil_drop", "avg_2s2_13x17",
                           "avg_5s3_17x17", "avg_rect_13x17_ceil", "avg_rect_13x17_ceil_exclude_pad", "avg_rect_1x7_p3"})
    check_pool_fixture(name, ref::avg_pool);
}

TEST_CASE("reference max_pool matches PyTorch in ceil mode and on rectangles", "[kernels][reference][torch]") {
  for (const char* name :
       {"max_3s2_55x55_ceil", "max_3s2_13x17_ceil", "max_3s2p1_ceil", "max_2s2p1_ceil_drop", "max_rect_13x17_ceil"})
    check_pool_fixture(name, ref::max_pool);
}

TEST_CASE("reference pools by hand: the divisor at the padded edge, NaN wins the max", "[kernels][reference]") {
  // A 1x4 row, kernel 1x3, stride 2, pad 0x1, ceil mode: windows [-1, 2), [1, 4), [3, 6). The last
  // hangs off the padded row [-1, 5): PyTorch divides it by 2 (one real column, one of padding),
  // not by 3; without count_include_pad the divisors are the real columns (2, 3, 1).
  const std::vector<float> row{3, 6, 9, 12};
  auto g = k::make_pool_geometry(1, 1, 4, 1, 3, 1, 2, 0, 1, true, true);
  REQUIRE(g.out_w == 3);
  std::vector<float> out(3);
  ref::avg_pool(g, row.data(), out.data(), 1);
  CHECK(out == std::vector<float>{3, 9, 6});
  g.count_include_pad = false;
  ref::avg_pool(g, row.data(), out.data(), 1);
  CHECK(out == std::vector<float>{4.5f, 9, 12});

  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> img{1, nan, 5, 3, 4, nan};  // 2x3; kernel 2x1: a NaN first, a NaN last
  const auto m = k::make_pool_geometry(1, 2, 3, 2, 1, 1, 1, 0, 0);
  std::vector<float> mo(3);
  ref::max_pool(m, img.data(), mo.data(), 1);
  CHECK(mo[0] == 3.0f);
  CHECK(std::isnan(mo[1]));
  CHECK(std::isnan(mo[2]));
}
