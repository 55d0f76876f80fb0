// Fast kernels against the reference kernels: many geometries, epilogues, batch sizes and part
// counts (the parts of one call run one after another here; each must do exactly its share).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <typenet/kernels/conv2d.hpp>
#include <typenet/kernels/depthwise.hpp>
#include <typenet/kernels/elementwise.hpp>
#include <typenet/kernels/fold.hpp>
#include <typenet/kernels/linear.hpp>
#include <typenet/kernels/pool.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/strassen.hpp>
#include <typenet/layers/hardsigmoid.hpp>
#include <typenet/layers/hardswish.hpp>
#include <typenet/layers/relu.hpp>
#include <typenet/layers/relu6.hpp>
#include <typenet/layers/sigmoid.hpp>
#include <typenet/layers/silu.hpp>

namespace k = typenet::kernels;
namespace ref = typenet::kernels::reference;

namespace {

// Strassen's products and the fused stem + max pool are AVX-512 code; without it their predicates
// are false and the layers take kernels/portable.hpp's path (tested below on every build).
constexpr bool avx512_build =
#if defined(__AVX512F__) && defined(__FMA__)
    true;
#else
    false;
#endif

constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();

k::conv_geometry make_conv(int in_c, int h, int w, int out_c, typenet::hw kernel, typenet::hw stride,
                           typenet::hw pad, int groups) {
  return k::make_conv_geometry(in_c, h, w, out_c, kernel, stride, pad, groups);
}

std::string describe(const k::conv_geometry& g) {
  std::ostringstream s;
  s << g.in_c << "x" << g.in_h << "x" << g.in_w << " -> " << g.out_c << "x" << g.out_h << "x"
    << g.out_w << " k" << g.kernel_h << "x" << g.kernel_w << " s" << g.stride_h << "x" << g.stride_w
    << " p" << g.pad_h << "x" << g.pad_w << " g" << g.groups;
  if (g.in_layout != k::layout::nchw) s << " in nChw16c";
  if (g.out_layout != k::layout::nchw) s << " out nChw16c";
  return s.str();
}

// `batch` images of C x hw floats in layout `from`, re-laid in `to` (kernels/layout.hpp).
std::vector<float> relaid(const std::vector<float>& v, k::layout from, k::layout to, int C, long hw, int batch) {
  if (from == to) return v;
  std::vector<float> out(v.size());
  for (int n = 0; n < batch; ++n) k::relayout(from, to, C, hw, v.data() + n * C * hw, out.data() + n * C * hw);
  return out;
}

k::conv_geometry with_layouts(k::conv_geometry g, k::layout in, k::layout out) {
  g.in_layout = in, g.out_layout = out;
  return g;
}

std::vector<float> random_vector(long n, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = d(rng);
  return v;
}

// |got - want| <= rtol * (largest |want|), element by element; NaN where want is a number (an
// unwritten output) fails, and so does a number where want is NaN.
void require_close(const std::vector<float>& got, const std::vector<float>& want,
                   double rtol = 1e-5) {
  REQUIRE(got.size() == want.size());
  double scale = 1.0;
  for (float w : want) scale = std::max(scale, double(std::fabs(w)));
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      INFO("index " << i << ": got " << got[i] << ", want NaN");
      REQUIRE(std::isnan(got[i]));
      continue;
    }
    const double d = std::fabs(double(got[i]) - double(want[i]));
    if (!(d <= rtol * scale)) {
      INFO("index " << i << ": got " << got[i] << ", want " << want[i] << ", scale " << scale);
      REQUIRE(d <= rtol * scale);
    }
  }
}

struct conv_options {
  int batch = 1, parts = 1;
  bool bias = false, residual = false, relu = false, in_place = false;
  k::activation act = k::activation::none;  // applied when relu is false
  float input_scale = 1.0f;                 // inputs uniform in +-input_scale
  long nan_at = -1;                         // an input element made NaN
  bool strassen = false;                    // kernels/strassen.hpp's packing and call
  bool portable = false;                    // kernels/portable.hpp's kernel, whatever conv2d would pick
  int block = 0;                            // with portable: weights in blocks of this many rows, not conv_block's
};

// The layers' reference function (in double) of each fused activation.
double activation_reference(k::activation a, double x) {
  namespace ops = typenet::ops;
  switch (a) {
    case k::activation::none: return x;
    case k::activation::relu: return ops::relu_fn::apply(x);
    case k::activation::relu6: return ops::relu6_fn::apply(x);
    case k::activation::hardsigmoid: return ops::hardsigmoid_fn::apply(x);
    case k::activation::hardswish: return ops::hardswish_fn::apply(x);
    case k::activation::sigmoid: return ops::sigmoid_fn::apply(x);
    case k::activation::silu: return ops::silu_fn::apply(x);
  }
  return x;
}
constexpr k::activation all_activations[] = {k::activation::relu, k::activation::relu6, k::activation::hardsigmoid,
                                             k::activation::hardswish, k::activation::sigmoid, k::activation::silu};

void check_conv(const k::conv_geometry& g, const conv_options& o, unsigned seed = 1) {
  const k::activation act = o.relu ? k::activation::relu : o.act;
  INFO(describe(g) << " batch " << o.batch << " parts " << o.parts << " bias " << o.bias
                   << " residual " << o.residual << " activation " << int(act) << " in-place "
                   << o.in_place << " NaN at " << o.nan_at);
  std::mt19937 rng(seed);
  auto in = random_vector(g.in_size() * o.batch, rng, -o.input_scale, o.input_scale);
  if (o.nan_at >= 0) in[std::size_t(o.nan_at)] = nan_f;
  const auto w = random_vector(g.weight_size(), rng);
  const auto bias = random_vector(g.out_c, rng);
  const auto res = random_vector(g.out_size() * o.batch, rng);

  std::vector<float> want(std::size_t(g.out_size() * o.batch));
  ref::conv2d(g, in.data(), w.data(), o.bias ? bias.data() : nullptr, want.data(), o.batch);
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (o.residual) want[i] += res[i];
    want[i] = float(activation_reference(act, double(want[i])));
  }

  const int R = o.block ? o.block : k::conv_block(g);
  const long nb = (g.out_c_per_group() + R - 1) / R, blocked_size = g.groups * nb * R * g.in_c_per_group() * g.taps();
  std::vector<float> packed(std::size_t(o.strassen ? k::packed_strassen_weight_size(g) : blocked_size), nan_f);
  if (o.strassen)
    k::pack_strassen_weights(g, w.data(), packed.data());
  else
    k::detail::pack_conv_weights(g, R, w.data(), packed.data());
  // the input, residual and output in the geometry's layouts (the reference reads NCHW)
  const long ihw = long(g.in_h) * g.in_w, ohw = long(g.out_h) * g.out_w;
  in = relaid(in, k::layout::nchw, g.in_layout, g.in_c, ihw, o.batch);
  const auto res_laid = relaid(res, k::layout::nchw, g.out_layout, g.out_c, ohw, o.batch);
  std::vector<float> out(want.size(), nan_f);
  if (o.in_place) out = res_laid;
  k::epilogue ep;
  ep.bias = o.bias ? bias.data() : nullptr;
  ep.residual = o.residual ? (o.in_place ? out.data() : res_laid.data()) : nullptr;
  ep.act = act;
  std::vector<float> sums(std::size_t(o.strassen ? k::strassen_scratch_size(g) : 0), nan_f);
  for (int i = 0; i < o.parts; ++i) {
    if (o.strassen)
      k::strassen_conv2d(g, in.data(), sums.data(), packed.data(), ep, out.data(), o.batch, k::part{i, o.parts});
    else if (o.portable)
      k::detail::conv2d_portable(g, R, in.data(), packed.data(), ep, out.data(), o.batch, k::part{i, o.parts});
    else
      k::conv2d(g, in.data(), packed.data(), ep, out.data(), o.batch, k::part{i, o.parts});
  }
  require_close(relaid(out, g.out_layout, k::layout::nchw, g.out_c, ohw, o.batch), want, 2e-5);
}

// (strassen: through kernels/strassen.hpp's packing and call instead of conv2d's.)
void check_conv_all(const k::conv_geometry& g, bool strassen = false) {
  for (conv_options o : {conv_options{}, conv_options{1, 2, true, false, true, false}, conv_options{3, 3, true, true, true, false},
                         conv_options{3, 2, false, true, false, true}, conv_options{1, 3, true, true, false, false},
                         conv_options{2, 1, true, true, true, true}}) {
    o.strassen = strassen;
    check_conv(g, o);
  }
}

// check_conv_all, plus batches 2 and 9 in 2 and 3 parts (batch 9: enough chunks that each part
// takes whole chunks rather than a share of every chunk's weight blocks).
void check_conv_batches(const k::conv_geometry& g, bool strassen = false) {
  check_conv_all(g, strassen);
  for (conv_options o : {conv_options{2, 2, true, true, true, false}, conv_options{2, 3, false, false, true, false},
                         conv_options{9, 2, true, false, true, false}, conv_options{9, 3, true, true, true, false}}) {
    o.strassen = strassen;
    check_conv(g, o);
  }
}

// A fast path that takes some layers: `takes` runs each geometry it must take at every batch and
// part count, every activation on `activations` (NaN at input element nan_at), and `refuses`
// lists geometries it must leave to other kernels.
void check_fast_path(bool (*taken)(const k::conv_geometry&), std::initializer_list<k::conv_geometry> takes,
                     const k::conv_geometry& activations, long nan_at, std::initializer_list<k::conv_geometry> refuses) {
  for (const auto& g : takes) {
    INFO(describe(g));
    REQUIRE(taken(g));
    check_conv_batches(g);
  }
  for (k::activation a : all_activations) check_conv(activations, {2, 2, true, true, false, false, a, 3.0f, nan_at});
  for (const auto& g : refuses) {
    INFO(describe(g));
    CHECK_FALSE(taken(g));
  }
}

}  // namespace

TEST_CASE("fast conv2d: 1x1 stride 1 and 2", "[kernels][fast][conv]") {
  for (const auto& g : {make_conv(16, 7, 7, 24, 1, 1, 0, 1), make_conv(32, 13, 13, 40, 1, 1, 0, 1),
                        make_conv(8, 7, 9, 8, 1, 1, 0, 1), make_conv(3, 1, 1, 5, 1, 1, 0, 1),
                        make_conv(64, 14, 14, 16, 1, 1, 0, 1), make_conv(20, 9, 11, 13, 1, 1, 0, 1),
                        make_conv(16, 13, 13, 32, 1, 2, 0, 1), make_conv(24, 7, 9, 16, 1, 2, 0, 1),
                        make_conv(8, 56, 40, 16, 1, 2, 0, 1), make_conv(12, 14, 14, 20, 1, 2, 0, 1)})
    check_conv_all(g);
}

TEST_CASE("fast conv2d: dense 1x1 on gathered input (stride 2 subsampled; blocks split among parts)",
          "[kernels][fast][conv]") {
  // Stride 2: the gather subsamples the input into flat pixel vectors; the last P % 16 pixels
  // read the strided input directly, across row ends (5x2 output: all 10 pixels are tail).
  // Stride 1 with planes that are not 64-byte multiples (10x10) takes the same path. Batch 1-3
  // in 2 or 3 parts splits the weight blocks of every chunk (out_c 40: 5 blocks, an odd quad).
  for (const auto& g : {make_conv(40, 14, 14, 24, 1, 2, 0, 1), make_conv(24, 9, 13, 40, 1, 2, 0, 1),
                        make_conv(16, 9, 3, 32, 1, 2, 0, 1), make_conv(16, 7, 7, 16, 1, 2, 0, 1),
                        make_conv(32, 1, 1, 40, 1, 2, 0, 1), make_conv(300, 13, 11, 40, 1, 2, 0, 1),
                        make_conv(64, 28, 28, 72, 1, 2, 0, 1), make_conv(48, 10, 10, 40, 1, 1, 0, 1),
                        make_conv(48, 14, 14, 64, 1, 1, 0, 1)})
    check_conv_batches(g);
}

TEST_CASE("fast conv2d: dense 1x1 vectorised over output channels (kernels/pointwise.hpp)", "[kernels][fast][conv]") {
  // 32-channel blocks x tiles of 14, 7, 4 and 1 pixels: stride 1 over the flattened image (49 =
  // 14 + 14 + 14 + 7, 13 = 7 + 4 + 1 + 1); stride 2 at batch 1 on the subsampled image in the
  // thread's panel, at larger batches (or an image too large for the panel: 2048 channels) one
  // output row at a time (rows of 5, 1), rows of 7 two at a time (7 rows: 3 pairs and one, from
  // input rows 14 and 13 wide); several blocks split among 2 or 3 parts, batches 1 to 9.
  // Refused: fewer input channels, larger images, channels not a multiple of 32, padding.
  check_fast_path(k::pointwise_fast,
                  {make_conv(256, 7, 7, 64, 1, 1, 0, 1), make_conv(256, 14, 14, 32, 1, 1, 0, 1),
                   make_conv(300, 1, 13, 96, 1, 1, 0, 1), make_conv(256, 14, 14, 64, 1, 2, 0, 1),
                   make_conv(256, 13, 13, 32, 1, 2, 0, 1), make_conv(2048, 14, 14, 32, 1, 2, 0, 1),
                   make_conv(272, 9, 10, 32, 1, 2, 0, 1), make_conv(256, 1, 1, 32, 1, 2, 0, 1),
                   make_conv(512, 3, 5, 64, 1, 1, 0, 1)},
                  make_conv(256, 5, 7, 32, 1, 1, 0, 1), 40,
                  {make_conv(128, 14, 14, 64, 1, 1, 0, 1), make_conv(256, 28, 28, 64, 1, 1, 0, 1),
                   make_conv(256, 14, 14, 48, 1, 1, 0, 1), make_conv(256, 14, 14, 64, 1, 1, 1, 1)});
}

TEST_CASE("fast conv2d: dense 1x1 with nChw16c inputs and outputs (kernels/layout.hpp)", "[kernels][fast][conv]") {
  // Every pair of layouts but NCHW's, through the pointwise kernel at any image size: images of
  // at most 196 pixels block-major (7x7: tiles of 14 and 7); larger ones pixel-major in groups of
  // 8 tiles (28x28; 16x15: a group of 2 tiles and a 2-pixel tail); stride 2 at batch 1 from the
  // subsampled panel, at larger batches (or past the panel: 256 x 20 x 20) by output rows, rows of
  // 7 two at a time; 16 input channels (one block). Residuals in the output's layout, in place
  // too, batches 1-9 in 1-3 parts. Refused: groups, 3x3, padding, out_c not a multiple of 32,
  // in_c not a multiple of 16.
  using L = k::layout;
  for (auto [in, out] : {std::pair{L::nchw16c, L::nchw16c}, std::pair{L::nchw16c, L::nchw}, std::pair{L::nchw, L::nchw16c}}) {
    if (!avx512_build) {
      CHECK_FALSE(k::pointwise_takes_layout(make_conv(64, 7, 7, 64, 1, 1, 0, 1)));
      continue;
    }
    const auto laid = [in = in, out = out](k::conv_geometry g) { return with_layouts(g, in, out); };  // (Clang 14: no captured bindings)
    check_fast_path(k::pointwise_fast,
                    {laid(make_conv(64, 28, 28, 64, 1, 1, 0, 1)), laid(make_conv(48, 16, 15, 32, 1, 1, 0, 1)),
                     laid(make_conv(32, 7, 7, 64, 1, 1, 0, 1)), laid(make_conv(16, 5, 3, 32, 1, 1, 0, 1)),
                     laid(make_conv(256, 14, 14, 32, 1, 2, 0, 1)), laid(make_conv(32, 14, 14, 32, 1, 2, 0, 1)),
                     laid(make_conv(256, 40, 40, 32, 1, 2, 0, 1)), laid(make_conv(64, 56, 30, 32, 1, 2, 0, 1))},
                    laid(make_conv(32, 15, 15, 32, 1, 1, 0, 1)), 40,
                    {laid(make_conv(64, 14, 14, 64, 1, 1, 0, 2)), laid(make_conv(64, 14, 14, 64, 3, 1, 1, 1)),
                     laid(make_conv(64, 14, 14, 64, 1, 1, 1, 1)), laid(make_conv(64, 14, 14, 48, 1, 1, 0, 1)),
                     laid(make_conv(40, 14, 14, 64, 1, 1, 0, 1))});
  }
}

TEST_CASE("fast conv2d: spatial convs on small images vectorised over output channels (kernels/oc_conv.hpp)",
          "[kernels][fast][conv]") {
  // The group's input zero-padded into the panel, then 32-channel blocks x one row of 14 or two
  // rows of 7: grouped (2 and 4 groups of 32 channels) and dense, stride 1 and 2, pad 0 to 2, 3x3 and 5x5,
  // odd input sizes, an odd number of rows (the last row of 7 alone). Refused: 8-wide outputs,
  // blocks that are not whole, larger images, narrow groups, 1x1, a padded input beyond the panel.
  check_fast_path(k::oc_conv_fast,
                  {make_conv(64, 7, 7, 64, 3, 1, 1, 2), make_conv(64, 14, 14, 64, 3, 2, 1, 2),
                   make_conv(48, 13, 13, 32, 3, 2, 1, 1), make_conv(16, 14, 14, 32, 3, 1, 1, 1),
                   make_conv(40, 6, 14, 64, 3, 1, 1, 1), make_conv(32, 9, 7, 32, 5, 1, 2, 1),
                   make_conv(8, 15, 15, 32, 3, 2, 0, 1), make_conv(128, 14, 14, 128, 3, 2, 1, 4)},
                  make_conv(32, 7, 7, 32, 3, 1, 1, 1), 40,
                  {make_conv(64, 8, 8, 64, 3, 1, 1, 1), make_conv(64, 7, 7, 48, 3, 1, 1, 1),
                   make_conv(64, 28, 28, 64, 3, 1, 1, 1), make_conv(4, 7, 7, 32, 3, 1, 1, 1),
                   make_conv(512, 14, 14, 64, 3, 2, 1, 1), make_conv(256, 7, 7, 64, 1, 1, 0, 1)});
}

TEST_CASE("fast conv2d: Strassen's seven products for dense 1x1 layers (kernels/strassen.hpp)", "[kernels][fast][conv]") {
  // One part: Strassen image by image (pixel halves of 98 + 98, 32 + 32, 41 + 40 and 13 + 12: an
  // odd count pads the second half); several parts: the direct product on the quadrant packing.
  // Every epilogue (residual in place too), batches 1 to 9, 1 to 3 parts.
  if (!avx512_build) {
    CHECK_FALSE(k::strassen_applies(make_conv(1024, 14, 14, 512, 1, 1, 0, 1)));
    return;
  }
  const auto takes = {make_conv(1024, 14, 14, 64, 1, 1, 0, 1), make_conv(512, 8, 8, 128, 1, 1, 0, 1),
                      make_conv(512, 9, 9, 64, 1, 1, 0, 1), make_conv(600, 5, 13, 192, 1, 1, 0, 1)};
  for (const auto& g : takes) {
    INFO(describe(g));
    REQUIRE(k::strassen_fast(g));
    check_conv_batches(g, true);
  }
  for (k::activation a : all_activations) {
    conv_options o{2, 1, true, true, false, false, a, 3.0f, 3};
    o.strassen = true;
    check_conv(make_conv(512, 9, 9, 64, 1, 1, 0, 1), o);
  }
  // The kernels run what strassen_applies says (49, 15 and 225 pixels: halves of 25 + 24, 8 + 7
  // and 113 + 112; fewer input channels) ...
  for (const auto& g : {make_conv(512, 7, 7, 64, 1, 1, 0, 1), make_conv(256, 5, 3, 64, 1, 1, 0, 1),
                        make_conv(64, 15, 15, 128, 1, 1, 0, 1)}) {
    INFO(describe(g));
    REQUIRE(k::strassen_applies(g));
    check_conv_all(g, true);
  }
  // ... and take, by strassen_fast, the layers of ResNeXt-50's stage 3 and stage 4's first block;
  // not 7x7 (the tiles of 25 cost more than the eighth saved), fewer input channels, larger
  // images, stride 2, groups, padding or half-blocks of channels.
  for (const auto& g : {make_conv(1024, 14, 14, 512, 1, 1, 0, 1), make_conv(512, 14, 14, 1024, 1, 1, 0, 1),
                        make_conv(1024, 14, 14, 1024, 1, 1, 0, 1)})
    CHECK(k::strassen_fast(g));
  for (const auto& g : {make_conv(2048, 7, 7, 1024, 1, 1, 0, 1), make_conv(256, 14, 14, 512, 1, 1, 0, 1),
                        make_conv(512, 28, 28, 256, 1, 1, 0, 1), make_conv(1024, 28, 28, 512, 1, 2, 0, 1),
                        make_conv(1024, 14, 14, 512, 1, 1, 0, 2), make_conv(1024, 14, 14, 512, 1, 1, 1, 1),
                        make_conv(1024, 14, 14, 96, 1, 1, 0, 1), make_conv(1024, 14, 14, 512, 3, 1, 1, 1)}) {
    INFO(describe(g));
    CHECK_FALSE(k::strassen_fast(g));
  }
}

TEST_CASE("fast conv2d: grouped 1x1 (every block size, pixel tails)", "[kernels][fast][conv]") {
  for (int cpg : {1, 2, 3, 5, 9})
    for (auto [h, w] : {std::pair{7, 7}, std::pair{5, 11}, std::pair{14, 14}, std::pair{3, 3}}) {
      check_conv(make_conv(cpg * 3, h, w, cpg * 3, 1, 1, 0, 3), {});
      check_conv(make_conv(cpg * 3, h, w, cpg * 6, 1, 1, 0, 3), {3, 2, true, true, true, false});
      check_conv(make_conv(cpg * 3, h, w, cpg * 3, 1, 2, 0, 3), {3, 3, true, true, true, true});
    }
  // tails across several weight blocks: 4 blocks at a time, then 1..3
  for (int out_c : {8, 24, 40, 56, 72, 36})
    check_conv_all(make_conv(40, 7, 7, out_c, 1, 1, 0, 1));
}

TEST_CASE("fast conv2d: many input channels, input-channel passes", "[kernels][fast][conv]") {
  // 3x3 layers with enough input channels that the kernel splits them into passes (partial sums
  // kept in out between passes), in each pixel layout: flat, rows (stride 1 and 2), row pairs
  check_conv_all(make_conv(512, 5, 5, 16, 3, 1, 1, 1));
  check_conv_all(make_conv(200, 11, 11, 16, 3, 1, 0, 1));
  check_conv_all(make_conv(200, 9, 19, 16, 3, 2, 1, 1));
  check_conv_all(make_conv(200, 13, 13, 16, 3, 2, 1, 1));
  // 1x1 with many channels, and weights larger than the input (weight-major order)
  check_conv_all(make_conv(400, 5, 5, 24, 1, 1, 0, 1));
  check_conv_all(make_conv(300, 13, 7, 16, 1, 1, 0, 1));
  check_conv_all(make_conv(300, 10, 10, 24, 1, 1, 0, 1));   // gathered input, 3 passes
  check_conv_all(make_conv(300, 14, 14, 20, 1, 2, 0, 1));   // stride 2, row pairs, 3 passes
  check_conv_all(make_conv(130, 20, 33, 16, 1, 2, 0, 1));   // stride 2, rows, 2 passes
  check_conv_all(make_conv(96, 3, 3, 200, 1, 1, 0, 1));
  check_conv_all(make_conv(160, 7, 7, 24, 1, 2, 0, 1));
}

TEST_CASE("fast conv2d: grouped 3x3, strides 1 and 2, pad 1", "[kernels][fast][conv]") {
  for (int cpg : {1, 2, 3, 4, 8, 16, 32})
    for (int stride : {1, 2})
      for (auto [h, w] : {std::pair{7, 9}, std::pair{13, 13}, std::pair{4, 20}, std::pair{14, 14}}) {
        const int groups = cpg >= 16 ? 2 : 4;
        check_conv(make_conv(cpg * groups, h, w, cpg * groups, 3, stride, 1, groups), {});
        check_conv(make_conv(cpg * groups, h, w, cpg * groups, 3, stride, 1, groups),
                   {3, 2, true, true, true, false});
      }
  // ResNeXt-like shapes, smaller images
  check_conv_all(make_conv(128, 9, 9, 128, 3, 1, 1, 32));
  check_conv_all(make_conv(256, 10, 10, 256, 3, 2, 1, 32));
  check_conv_all(make_conv(512, 7, 7, 512, 3, 1, 1, 32));
  check_conv_all(make_conv(1024, 7, 7, 1024, 3, 2, 1, 32));
  // groups whose input and output channel counts differ
  check_conv_all(make_conv(12, 9, 7, 24, 3, 1, 1, 3));
  check_conv_all(make_conv(24, 9, 7, 12, 3, 2, 1, 3));
}

TEST_CASE("fast conv2d: stride-2 chunks of even length (7x7 output: 2 + 2 row-pair vectors)", "[kernels][fast][conv]") {
  // The stride-2 paths cut the pixel vectors into chunks as even as the tile allows and run
  // chunks of 2 with their own tile: groups of 8, 16, 32 channels; row pairs (7x7, 6x6, 3x3 out)
  // and rows (14x14, 5x15 out); batches 1 to 9 in 1 to 3 parts.
  for (const auto& g : {make_conv(256, 14, 14, 256, 3, 2, 1, 32), make_conv(512, 14, 14, 512, 3, 2, 1, 16),
                        make_conv(128, 13, 13, 128, 3, 2, 1, 4), make_conv(64, 28, 28, 64, 3, 2, 1, 8),
                        make_conv(96, 11, 11, 96, 3, 2, 1, 4), make_conv(32, 9, 30, 32, 3, 2, 1, 2),
                        make_conv(64, 6, 6, 64, 3, 2, 1, 8)})
    check_conv_batches(g);
}

TEST_CASE("fast conv2d: dense 3x3 (ResNet-50 style)", "[kernels][fast][conv]") {
  check_conv_all(make_conv(64, 13, 13, 64, 3, 1, 1, 1));
  check_conv_all(make_conv(128, 9, 9, 40, 3, 1, 1, 1));   // input-channel passes
  check_conv_all(make_conv(32, 15, 17, 48, 3, 2, 1, 1));
  check_conv_all(make_conv(10, 7, 9, 13, 3, 1, 1, 1));    // out_c not a multiple of the block
}

TEST_CASE("fast conv2d: 7x7 stride 2 pad 3 stem", "[kernels][fast][conv]") {
  check_conv_all(make_conv(3, 32, 32, 16, 7, 2, 3, 1));
  check_conv_all(make_conv(3, 23, 21, 8, 7, 2, 3, 1));
  check_conv(make_conv(3, 224, 224, 64, 7, 2, 3, 1), {1, 2, true, false, true, false});
}

TEST_CASE("fast conv2d: few-channel stems vectorised over output channels (kernels/stem.hpp)", "[kernels][fast][conv]") {
  // rows of 16 = 14 + 1 + 1, 11 = 7 + 4, 6 = 4 + 1 + 1 pixels; zero-padded rows and columns on
  // every side (pad larger than the image: 2x2 input, 7x7 kernel) or none; 1 to 4 channels; 7x7,
  // 5x5 and 5x7 kernels. Refused: more channels, channels not a multiple of 32, strides 1 and 3,
  // too few (tap, channel) pairs, rows too wide for the stack buffer.
  check_fast_path(k::stem_fast,
                  {make_conv(3, 32, 32, 64, 7, 2, 3, 1), make_conv(3, 23, 21, 32, 7, 2, 3, 1),
                   make_conv(3, 2, 2, 32, 7, 2, 3, 1), make_conv(2, 19, 12, 32, 7, 2, 3, 1),
                   make_conv(4, 13, 6, 64, 5, 2, 2, 1), make_conv(4, 11, 9, 32, {5, 7}, 2, {2, 3}, 1),
                   make_conv(3, 17, 17, 32, 5, 2, 0, 1)},
                  make_conv(3, 15, 15, 32, 5, 2, 2, 1), 17,
                  {make_conv(5, 32, 32, 64, 7, 2, 3, 1), make_conv(3, 32, 32, 48, 7, 2, 3, 1),
                   make_conv(3, 32, 32, 64, 7, 1, 3, 1), make_conv(3, 32, 32, 64, 7, 3, 3, 1),
                   make_conv(3, 32, 32, 64, 3, 2, 1, 1), make_conv(4, 600, 600, 64, 7, 2, 3, 1)});
  check_conv(make_conv(3, 224, 224, 64, 7, 2, 3, 1), {2, 2, true, false, true, false});
}

// The stem and the max pool after it in one pass (kernels::stem_max_pool) against the reference
// conv, bias and activation, then the reference max pool.
// slack > 0: the output images are out_size + slack floats apart (a channel slice of a wider
// buffer, as DenseNet's first concat), and the floats between them stay untouched.
void check_stem_pool(const k::conv_geometry& g, int pad, bool ceil_mode, int batch, int parts, k::activation act,
                     long nan_at = -1, long slack = 0) {
  const k::pool_geometry q = k::make_pool_geometry(g.out_c, g.out_h, g.out_w, 3, 3, 2, 2, pad, pad, ceil_mode);
  INFO(describe(g) << " pool pad " << pad << " ceil " << ceil_mode << " -> " << q.out_h << "x" << q.out_w << " batch "
                   << batch << " parts " << parts << " activation " << int(act) << " NaN at " << nan_at);
  REQUIRE(k::stem_pool_conv(g));
  REQUIRE(k::stem_pool_window(q));
  std::mt19937 rng(unsigned(g.in_h * 31 + g.in_w + pad));
  auto in = random_vector(g.in_size() * batch, rng);
  if (nan_at >= 0) in[std::size_t(nan_at)] = nan_f;
  const auto w = random_vector(g.weight_size(), rng);
  const auto bias = random_vector(g.out_c, rng);
  std::vector<float> conv(std::size_t(g.out_size() * batch));
  ref::conv2d(g, in.data(), w.data(), bias.data(), conv.data(), batch);
  for (float& v : conv) v = float(activation_reference(act, double(v)));
  std::vector<float> want(std::size_t(q.out_size() * batch));
  ref::max_pool(q, conv.data(), want.data(), batch);

  std::vector<float> packed(std::size_t(k::packed_conv_weight_size(g)), nan_f);
  k::pack_conv_weights(g, w.data(), packed.data());
  const long image = q.out_size() + slack;
  constexpr float untouched = 7.0f;
  std::vector<float> slots(std::size_t(image * batch), untouched);
  k::pool_geometry sliced = q;
  sliced.out_image_stride = slack ? image : 0;
  for (int i = 0; i < parts; ++i)
    k::stem_max_pool(g, sliced, in.data(), packed.data(), {bias.data(), nullptr, act}, slots.data(), batch, {i, parts});
  std::vector<float> out;
  for (int n = 0; n < batch; ++n) {
    out.insert(out.end(), slots.begin() + n * image, slots.begin() + n * image + q.out_size());
    for (long i = q.out_size(); i < image; ++i) REQUIRE(slots[std::size_t(n * image + i)] == untouched);
  }
  require_close(out, want, 2e-5);
}

TEST_CASE("fast conv2d: a stem and its 3x3/2 max pool in one pass (kernels::stem_max_pool)", "[kernels][fast][conv][pool]") {
  // ResNet's (7x7/2 pad 3 over RGB to 64 channels, pool pad 1) at 224 and small sizes; GoogLeNet's
  // pool (pad 0, ceil mode); conv outputs of odd and even height and width (windows that the last
  // conv row or column ends early); 96 channels (three blocks); 1 to 4 input
  // channels, 5x5 kernels; batches 1 to 5 in 1 to 3 parts (a part starting mid-image); every
  // activation; a NaN in the input.
  if (!avx512_build) {
    CHECK_FALSE(k::stem_pool_conv(make_conv(3, 224, 224, 64, 7, 2, 3, 1)));
    return;
  }
  check_stem_pool(make_conv(3, 224, 224, 64, 7, 2, 3, 1), 1, false, 1, 2, k::activation::relu);
  for (auto [h, w] : {std::pair{32, 32}, std::pair{23, 21}, std::pair{17, 30}, std::pair{9, 9}, std::pair{6, 40}})
    for (int pad : {0, 1})
      for (bool ceil_mode : {false, true}) {
        check_stem_pool(make_conv(3, h, w, 64, 7, 2, 3, 1), pad, ceil_mode, 3, 2, k::activation::relu);
        check_stem_pool(make_conv(3, h, w, 32, 7, 2, 3, 1), pad, ceil_mode, 2, 3, k::activation::none);
      }
  check_stem_pool(make_conv(3, 29, 27, 96, 7, 2, 3, 1), 1, false, 5, 3, k::activation::relu);
  // the widest stem it takes (128 conv columns) and its widest pooled row (65 columns: ceil mode)
  check_stem_pool(make_conv(3, 9, 256, 32, 7, 2, 3, 1), 1, true, 2, 2, k::activation::relu);
  check_stem_pool(make_conv(4, 19, 25, 32, 5, 2, 2, 1), 1, true, 2, 1, k::activation::relu);
  check_stem_pool(make_conv(2, 27, 19, 64, {7, 5}, 2, {3, 2}, 1), 0, false, 1, 1, k::activation::none);
  for (k::activation act : all_activations) check_stem_pool(make_conv(3, 21, 21, 32, 7, 2, 3, 1), 1, false, 2, 2, act);
  // into a channel slice: images 3 planes of 6x6 further apart than the output
  check_stem_pool(make_conv(3, 23, 23, 64, 7, 2, 3, 1), 1, false, 3, 2, k::activation::relu, -1, 3 * 36);
  // NaN in the input: the windows over the conv outputs it reaches give NaN (with ReLU too: the
  // fused kernel's max_ps must not drop it)
  for (long at : {0L, 3L * 23 * 21 - 1, 2L * 23 * 21 + 10 * 21 + 7})
    check_stem_pool(make_conv(3, 23, 21, 32, 7, 2, 3, 1), 1, false, 2, 2, k::activation::relu, at);
  // refused: pools it does not apply, stems wider than its band
  CHECK_FALSE(k::stem_pool_window(k::make_pool_geometry(64, 112, 112, 2, 2, 2, 2, 0, 0)));
  CHECK_FALSE(k::stem_pool_window(k::make_pool_geometry(64, 112, 112, 3, 3, 1, 1, 1, 1)));
  CHECK_FALSE(k::stem_pool_window(k::make_pool_geometry(64, 112, 112, 5, 5, 2, 2, 2, 2)));
  CHECK_FALSE(k::stem_pool_conv(make_conv(3, 300, 300, 64, 7, 2, 3, 1)));  // 150 conv columns
  CHECK_FALSE(k::stem_pool_conv(make_conv(3, 32, 32, 64, 3, 2, 1, 1)));    // not a stem_fast layer
}

TEST_CASE("portable conv2d (kernels/portable.hpp): every geometry, on every build", "[kernels][fast][conv][portable]") {
  // The path of machines without AVX-512 (and of geometries the AVX-512 tiles leave), called
  // directly so that AVX-512 builds test it too: every packing of the build (blocks of 1, 2 and 4
  // rows; 8 and 32 with AVX-512); 1x1 layers on panels (a 7x7 image in one block, blocks of
  // pixels, stride 2, channel passes with partial sums in out); the staged layout (several rows
  // per item on narrow images, segments of wide rows, padding, strides 2 and 3, rectangular
  // kernels, channel passes), groups of 4/8/16/32, spatial 7 and 1, kernels too wide to stage
  // (plain loops); every epilogue, batches 1 to 3 in 1 to 3 parts; every activation with a NaN.
  for (const auto& g : {make_conv(64, 7, 7, 96, 1, 1, 0, 1),         // 1x1, 49 pixels: one chunk
                        make_conv(600, 14, 14, 64, 1, 1, 0, 1),       // 1x1, channel passes (AVX-512: blocks of 32)
                        make_conv(16, 64, 70, 16, 1, 1, 0, 1),        // 1x1, 4480 pixels
                        make_conv(8, 2, 2, 8, 1, 1, 0, 1),            // 1x1, 4 pixels
                        make_conv(256, 14, 14, 128, 1, 2, 0, 1),      // 1x1 stride 2
                        make_conv(1100, 28, 28, 24, 1, 1, 0, 1),      // 1x1: 3 passes x 5 pixel blocks
                        make_conv(24, 80, 80, 20, 1, 2, 0, 1),        // 1x1 stride 2: 4 pixel blocks
                        make_conv(64, 9, 9, 72, 1, 1, 0, 4),          // 1x1 in groups of 16 (blocks of 8, one part-filled)
                        make_conv(16, 5, 5, 16, 1, 1, 1, 1),          // 1x1 with padding: staged
                        make_conv(128, 15, 13, 128, 3, 1, 1, 32),     // groups of 4
                        make_conv(128, 9, 9, 128, 3, 2, 1, 16),       // groups of 8, stride 2
                        make_conv(256, 7, 7, 256, 3, 1, 1, 16),       // groups of 16, 7x7
                        make_conv(512, 13, 11, 512, 3, 2, 1, 32),     // groups of 16, stride 2
                        make_conv(32, 9, 45, 32, 3, 2, 1, 8),         // stride 2 over 45 columns: vector deinterleave
                        make_conv(1024, 7, 7, 1024, 3, 1, 1, 32),     // groups of 32
                        make_conv(96, 20, 18, 20, 3, 1, 1, 1),        // dense: every channel staged at once (thread_local panel)
                        make_conv(160, 11, 13, 24, 3, 2, 1, 1),       // dense stride 2: the panel, with fewer rows per item
                        make_conv(1500, 4, 30, 8, 3, 1, 1, 1),        // more channels than the panel holds: passes
                        make_conv(32, 3, 3, 32, 3, 2, 1, 1),          // spatial 3 -> 2
                        make_conv(48, 1, 1, 40, 3, 1, 1, 1),          // spatial 1
                        make_conv(3, 37, 45, 64, 7, 2, 3, 1),         // a stem (stem_fast: blocks of 32)
                        make_conv(5, 23, 29, 6, {3, 5}, {3, 2}, {1, 2}, 1),  // stride 3 x 2, 3x5
                        make_conv(8, 11, 30, 8, {3, 3}, {1, 2}, {1, 1}, 2),  // stride 1 x 2: shared rows, 2 phases
                        make_conv(6, 12, 40, 6, {1, 7}, 1, {0, 3}, 3),       // 1x7, groups of 2
                        make_conv(24, 10, 12, 24, 5, 1, 2, 24),       // depthwise 5x5 (blocks of 1)
                        make_conv(6, 40, 300, 12, 3, 1, 1, 1),        // a row of 300
                        make_conv(4, 3, 1100, 8, 3, 1, 1, 1),         // a row of 1100: two segments
                        make_conv(4, 6, 30, 4, {1, 17}, 1, {0, 8}, 1),  // 17 wide: plain loops
                        make_conv(2, 100, 9, 3, {100, 1}, 1, 0, 1)}) {  // 100 tall: 100 staged rows per channel
    INFO(describe(g));
    for (conv_options o : {conv_options{}, conv_options{1, 2, true, false, true, false}, conv_options{3, 3, true, true, true, false},
                           conv_options{3, 2, false, true, false, true}, conv_options{2, 1, true, true, true, true}}) {
      o.portable = true;
      check_conv(g, o);
    }
  }
  for (k::activation a : all_activations)
    for (const auto& g : {make_conv(64, 7, 7, 64, 1, 1, 0, 1), make_conv(16, 9, 9, 16, 3, 2, 1, 4)}) {
      conv_options o{2, 2, true, true, false, false, a, 3.0f, 5};
      o.portable = true;
      check_conv(g, o);
    }
}

TEST_CASE("portable conv across output channels (small images), on every build", "[kernels][fast][conv][portable]") {
  // kernels/portable.hpp's conv2d_portable_oc, in blocks of 16 rows whatever the build packs:
  // 49, 25, 15 and 1 pixels; two passes over (tap, channel) (partial sums through the transposing
  // store); stride 2; groups; a last block of 8 rows; 3x3 and 5x5 with padding; every epilogue,
  // in-place residual, batches, parts.
  constexpr int R = k::detail::portable_oc_rows;
  for (const auto& g : {make_conv(64, 7, 7, 96, 1, 1, 0, 1),      // 7x7: 9 pixel tiles
                        make_conv(1100, 7, 7, 40, 1, 1, 0, 1),    // 2 passes; blocks 16 + 16 + 8
                        make_conv(96, 14, 14, 48, 1, 2, 0, 1),    // stride 2: 14x14 -> 7x7
                        make_conv(64, 5, 5, 64, 1, 1, 0, 2),      // groups of 32, 25 pixels
                        make_conv(24, 3, 5, 20, 1, 1, 0, 1),      // 15 pixels, one block of 16 + 4
                        make_conv(48, 1, 1, 40, 1, 1, 0, 1),      // one pixel (squeeze-excitation)
                        make_conv(40, 7, 7, 264, 3, 1, 1, 1),     // 3x3, padding; blocks of 16 + a last of 8
                        make_conv(150, 7, 7, 256, 3, 1, 1, 1),    // 2 passes of (tap, channel): 1350
                        make_conv(32, 14, 13, 256, 3, 2, 1, 1),   // stride 2: 7x7
                        make_conv(24, 9, 9, 256, 5, 1, 1, 1),     // 5x5, padding 1: 7x7
                        make_conv(32, 5, 5, 512, 3, 1, 1, 2)}) {  // groups of 256 outputs, 25 pixels
    REQUIRE(k::detail::portable_oc_fits(g));
    for (conv_options o : {conv_options{}, conv_options{1, 2, true, false, true, false}, conv_options{3, 3, true, true, true, false},
                           conv_options{3, 2, false, true, false, true}, conv_options{2, 1, true, true, true, true}}) {
      o.portable = true;
      o.block = R;
      check_conv(g, o);
    }
  }
  for (k::activation a : all_activations) {
    conv_options o{2, 2, true, true, false, false, a, 3.0f, 5};
    o.portable = true;
    o.block = R;
    check_conv(make_conv(40, 7, 7, 48, 1, 1, 0, 1), o);
  }
  CHECK_FALSE(k::detail::portable_oc_fits(make_conv(64, 8, 8, 64, 1, 1, 0, 1)));   // 64 pixels: whole vectors
  CHECK_FALSE(k::detail::portable_oc_fits(make_conv(64, 9, 9, 64, 1, 1, 0, 1)));   // 81 pixels: the pixel tile
  CHECK_FALSE(k::detail::portable_oc_fits(make_conv(64, 7, 7, 8, 1, 1, 0, 1)));    // 8 outputs
  CHECK_FALSE(k::detail::portable_oc_fits(make_conv(64, 7, 7, 64, 1, 1, 1, 1)));   // padding: staged
  CHECK_FALSE(k::detail::portable_oc_fits(make_conv(64, 7, 7, 128, 3, 1, 1, 1)));  // 3x3, 8 blocks: staged
  CHECK_FALSE(k::detail::portable_oc_fits(make_conv(1024, 7, 7, 1024, 3, 1, 1, 32)));  // groups of 32: staged
}

TEST_CASE("fast conv2d: other geometries (row vectors, portable fallback)", "[kernels][fast][conv]") {
  for (const auto& g : {make_conv(8, 9, 11, 8, 3, 1, 0, 1),    // stride 1, out narrower than in
                        make_conv(6, 9, 9, 10, 5, 1, 2, 2),    // 5x5 same
                        make_conv(6, 20, 19, 4, 5, 2, 1, 1),   // 5x5 stride 2, odd pad
                        make_conv(4, 11, 11, 6, 3, 3, 1, 1),   // stride 3: portable
                        make_conv(4, 12, 12, 4, 9, 1, 4, 2),   // kernel 9: portable
                        make_conv(5, 6, 6, 7, 2, 2, 0, 1),     // even kernel
                        make_conv(8, 5, 5, 8, 3, 1, 2, 4),     // pad larger than usual
                        make_conv(2, 40, 3, 3, 3, 1, 1, 1)})   // very narrow image
    check_conv_all(g);
}

TEST_CASE("fast conv2d: rectangular kernels and strides", "[kernels][fast][conv]") {
  using typenet::hw;
  for (const auto& g : {
           // Inception-v3's "same" 1x7 / 7x1 (flat layout) on 17x17 and on odd sizes
           make_conv(24, 17, 17, 40, hw{1, 7}, 1, hw{0, 3}, 1), make_conv(40, 17, 17, 24, hw{7, 1}, 1, hw{3, 0}, 1),
           make_conv(9, 9, 11, 13, hw{1, 7}, 1, hw{0, 3}, 1), make_conv(13, 11, 5, 9, hw{7, 1}, 1, hw{3, 0}, 1),
           // its 1x3 / 3x1 on 8x8 with enough input channels for several passes
           make_conv(200, 8, 8, 24, hw{1, 3}, 1, hw{0, 1}, 1), make_conv(200, 8, 8, 16, hw{3, 1}, 1, hw{1, 0}, 1),
           // grouped (4 channels per group: 4-channel blocks)
           make_conv(16, 9, 7, 16, hw{7, 1}, 1, hw{3, 0}, 4), make_conv(16, 7, 9, 16, hw{1, 7}, 1, hw{0, 3}, 4),
           // not "same": rows layout
           make_conv(8, 9, 11, 16, hw{1, 7}, 1, 0, 1), make_conv(8, 11, 9, 16, hw{7, 1}, 1, hw{1, 2}, 1),
           // rectangular strides: (2, 1) and (3, 1) rows with a run-time row stride, (1, 2) rows
           make_conv(12, 11, 9, 16, hw{3, 5}, hw{2, 1}, hw{1, 2}, 1), make_conv(8, 13, 10, 8, 3, hw{3, 1}, 1, 1),
           make_conv(12, 9, 23, 16, hw{5, 3}, hw{1, 2}, hw{2, 1}, 1), make_conv(16, 9, 9, 16, 1, hw{2, 1}, 0, 1),
           make_conv(16, 9, 40, 24, 1, hw{1, 2}, 0, 1),
           // stride 2 with a rectangular kernel: row pairs (out_w <= 8) and rows
           make_conv(8, 9, 13, 16, hw{1, 3}, 2, hw{0, 1}, 1), make_conv(8, 15, 37, 16, hw{3, 1}, 2, hw{1, 0}, 1),
           // portable fallback: column stride 3, a kernel wider than 7, a kernel taller than 7
           make_conv(8, 9, 13, 8, hw{3, 1}, hw{1, 3}, hw{1, 0}, 1), make_conv(8, 7, 13, 8, hw{1, 9}, 1, hw{0, 4}, 1),
           make_conv(8, 13, 7, 8, hw{9, 1}, 1, hw{4, 0}, 1), make_conv(5, 9, 11, 6, hw{2, 4}, hw{3, 2}, hw{0, 1}, 1)})
    check_conv_all(g);
}

TEST_CASE("fast depthwise conv2d: 3x3 and 5x5, strides 1 and 2, odd shapes", "[kernels][fast][conv][depthwise]") {
  for (int kernel : {3, 5})
    for (int stride : {1, 2})
      for (auto [h, w] : {std::pair{7, 7}, std::pair{9, 11}, std::pair{1, 1}, std::pair{13, 13}, std::pair{2, 3},
                          std::pair{17, 40}, std::pair{35, 19}})
        for (int c : {1, 3, 17, 96}) {
          const auto g = make_conv(c, h, w, c, kernel, stride, kernel / 2, c);
          REQUIRE(k::depthwise_fast(g));  // the depthwise kernel's (AVX-512 or the build's vectors), not the portable tile's
          if (c == 96 && h * w > 200) {  // the large ones once, with everything on
            check_conv(g, {3, 2, true, true, true, false});
            continue;
          }
          check_conv(g, {});
          check_conv(g, {3, 2, true, true, true, false});
          check_conv(g, {1, 2, true, false, true, false});
          check_conv(g, {3, 3, false, true, false, true});  // residual read from out itself
        }
  // MobileNetV2's 112x112 stride-2 layer and a plane wider than 64 output columns (several
  // 16-column vectors per row and a partial last one)
  check_conv(make_conv(8, 112, 112, 8, 3, 2, 1, 8), {1, 2, true, false, true, false});
  check_conv(make_conv(5, 21, 75, 5, 5, 1, 2, 5), {2, 2, true, true, false, false});
  // planes that outgrow the thread's panel where they are staged (builds without AVX-512, 5x5
  // stride 1): bands of output rows, and segments of output columns
  check_conv(make_conv(2, 260, 300, 2, 5, 1, 2, 2), {1, 2, true, true, true, false});
  check_conv(make_conv(1, 5, 9000, 1, 5, 1, 2, 1), {1, 1, true, false, true, false});
  // not depthwise_fast: the portable kernel takes them
  for (const auto& g : {make_conv(6, 9, 9, 6, 3, 1, 0, 6),      // padding 0
                        make_conv(6, 9, 9, 12, 3, 1, 1, 6),     // two outputs per channel
                        make_conv(6, 9, 9, 6, 7, 1, 3, 6),      // 7x7
                        make_conv(6, 9, 9, 6, 3, 3, 1, 6)}) {   // stride 3
    REQUIRE_FALSE(k::depthwise_fast(g));
    check_conv_all(g);
  }
}

// The activations a conv applies in its store, on every fast path (depthwise; dense and grouped
// vector tiles; the 1x1 tail pixels; the portable kernel) against the layers' double functions,
// with inputs large enough to reach relu6's upper clamp, and a NaN that must come out as NaN.
TEST_CASE("vector activations (activate_lanes, exp_lanes) agree with activate on every lane, at the edges", "[kernels][fast][activation]") {
  // exp_lanes' clamp at +-100 and its 2^n in two factors: overflow to inf, underflow towards 0,
  // NaN and the infinities as std::exp gives them to the scalar activations.
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> xs = {0.0f, -0.0f, 1e-30f, -1e-30f, 2.5f, -3.0f, 3.0f, 6.5f, -6.5f, 20.0f, -20.0f, 87.0f, -87.0f,
                           88.5f, 88.8f, -88.8f, 95.0f, -95.0f, 100.0f, -100.0f, 150.0f, -150.0f, inf, -inf, nan_f};
  for (float x = -120.0f; x < 120.0f; x += 0.37f) xs.push_back(x);
  while (xs.size() % k::detail::vlanes) xs.push_back(1.0f);
  for (k::activation a : {k::activation::none, k::activation::relu, k::activation::relu6, k::activation::hardsigmoid,
                          k::activation::hardswish, k::activation::sigmoid, k::activation::silu})
    for (std::size_t i = 0; i < xs.size(); i += k::detail::vlanes) {
      const k::detail::vecf v = k::detail::activate_lanes(a, k::detail::loadv(xs.data() + i));
      for (int l = 0; l < k::detail::vlanes; ++l) {
        const float x = xs[i + std::size_t(l)], want = k::activate(a, x), got = v[l];
        INFO("activation " << int(a) << " x " << x << " want " << want << " got " << got);
        if (std::isnan(want)) {
          CHECK(std::isnan(got));
        } else if (std::isinf(want)) {
          CHECK(got == want);
        } else {
          CHECK(std::abs(got - want) <= 4e-7f * std::abs(want) + 1e-37f);
        }
      }
    }
}

TEST_CASE("fast conv2d applies every fused activation in its store, NaN kept", "[kernels][fast][conv][activation]") {
  for (const auto& g : {make_conv(17, 9, 11, 17, 3, 1, 1, 17), make_conv(12, 13, 13, 12, 5, 2, 2, 12),
                        make_conv(6, 10, 19, 6, 5, 1, 2, 6),  // depthwise 5x5 stride 1 (staged without AVX-512)
                        make_conv(16, 7, 7, 24, 1, 1, 0, 1), make_conv(8, 9, 9, 16, 3, 2, 1, 2),
                        make_conv(4, 11, 11, 6, 3, 3, 1, 1)})
    for (k::activation a : all_activations) {
      check_conv(g, {2, 2, true, true, false, false, a, 3.0f});
      check_conv(g, {1, 1, true, false, false, false, a, 3.0f, 2 * g.in_w + 3});
    }
}

TEST_CASE("batch norm folded (fold_affine) + fast conv matches reference conv -> batch_norm", "[kernels][fast]") {
  for (const auto& g : {make_conv(16, 9, 9, 24, 1, 1, 0, 1), make_conv(32, 11, 7, 32, 3, 2, 1, 8),
                        make_conv(3, 20, 20, 8, 7, 2, 3, 1)}) {
    INFO(describe(g));
    std::mt19937 rng(9);
    const int batch = 2;
    const auto in = random_vector(g.in_size() * batch, rng);
    auto w = random_vector(g.weight_size(), rng);
    const auto gamma = random_vector(g.out_c, rng, 0.5f, 1.5f), beta = random_vector(g.out_c, rng);
    const auto mean = random_vector(g.out_c, rng), var = random_vector(g.out_c, rng, 0.1f, 2.0f);
    const float eps = 1e-5f;
    const long spatial = long(g.out_h) * g.out_w;

    std::vector<float> conv(std::size_t(g.out_size() * batch)), want(conv.size());
    ref::conv2d(g, in.data(), w.data(), nullptr, conv.data(), batch);
    ref::batch_norm(g.out_c, int(spatial), conv.data(), gamma.data(), beta.data(), mean.data(),
                    var.data(), eps, want.data(), batch);
    ref::relu(long(want.size()), want.data(), want.data());

    std::vector<float> bias(std::size_t(g.out_c));
    std::vector<double> scale(std::size_t(g.out_c)), shift(scale.size());
    k::batch_norm_scale_shift(g.out_c, gamma.data(), beta.data(), mean.data(), var.data(), eps, scale.data(), shift.data());
    k::fold_affine(g.out_c, g.weight_size() / g.out_c, w.data(), bias.data(), scale.data(), shift.data());
    std::vector<float> packed(std::size_t(k::packed_conv_weight_size(g)));
    k::pack_conv_weights(g, w.data(), packed.data());
    std::vector<float> out(want.size(), nan_f);
    for (int i = 0; i < 2; ++i)
      k::conv2d(g, in.data(), packed.data(), k::epilogue{bias.data(), nullptr, k::activation::relu}, out.data(),
                batch, {i, 2});
    require_close(out, want, 2e-5);
  }
}

TEST_CASE("fold_affine keeps an existing conv bias", "[kernels][fast]") {
  float w[2] = {1.0f, 2.0f}, b[1] = {3.0f};  // the conv's own bias
  const float gamma = 2.0f, beta = 1.0f, mean = 1.0f, var = 1.0f - 1e-5f;
  double scale, shift;
  k::batch_norm_scale_shift(1, &gamma, &beta, &mean, &var, 1e-5f, &scale, &shift);
  k::fold_affine(1, 2, w, b, &scale, &shift);
  CHECK(w[0] == Approx(2.0f));
  CHECK(w[1] == Approx(4.0f));
  CHECK(b[0] == Approx(1.0f + (3.0f - 1.0f) * 2.0f));
}

TEST_CASE("fast max_pool matches reference", "[kernels][fast][pool]") {
  struct pc { int c, h, w, k, s, p; };
  for (const auto& c : {pc{4, 112, 112, 3, 2, 1}, pc{3, 11, 13, 3, 2, 1}, pc{2, 7, 9, 3, 1, 1},
                        pc{3, 35, 33, 2, 2, 0}, pc{2, 9, 9, 3, 3, 0}, pc{2, 10, 10, 5, 2, 2}}) {
    const auto g = k::make_pool_geometry(c.c, c.h, c.w, c.k, c.k, c.s, c.s, c.p, c.p);
    INFO("pool " << c.c << "x" << c.h << "x" << c.w << " k" << c.k << " s" << c.s << " p" << c.p);
    for (int batch : {1, 3})
      for (int parts : {1, 2, 3}) {
        std::mt19937 rng(3);
        // all negative, so a padding value of 0 instead of -inf would show
        const auto in = random_vector(g.in_size() * batch, rng, -2.0f, -0.5f);
        std::vector<float> want(std::size_t(g.out_size() * batch)), out(want.size(), nan_f);
        ref::max_pool(g, in.data(), want.data(), batch);
        for (int i = 0; i < parts; ++i) k::max_pool(g, in.data(), out.data(), batch, {i, parts});
        REQUIRE(out == want);
      }
  }
}

namespace {

// Windows with every option, on odd shapes: square and rectangular kernels, strides 1, 2 and 3
// along the rows (the vector paths and the portable one), padding, ceil mode with windows that hang
// off the input, count_include_pad on and off.
struct pool_case {
  int c, h, w, kh, kw, sh, sw, ph, pw;
  bool ceil_mode, count_include_pad;
};
const pool_case pool_cases[] = {
    {3, 13, 17, 3, 3, 2, 2, 0, 0, true, true},  {2, 55, 55, 3, 3, 2, 2, 0, 0, true, true},
    {3, 7, 7, 3, 3, 2, 2, 0, 0, false, true},   {3, 7, 7, 3, 3, 2, 2, 0, 0, true, true},
    {2, 13, 17, 3, 3, 1, 1, 1, 1, false, true}, {2, 13, 17, 3, 3, 1, 1, 1, 1, false, false},
    {3, 10, 13, 3, 3, 2, 2, 1, 1, true, true},  {3, 10, 13, 3, 3, 2, 2, 1, 1, true, false},
    {2, 5, 6, 2, 2, 2, 2, 1, 1, true, true},    {2, 13, 17, 2, 3, 1, 2, 1, 1, true, true},
    {2, 13, 17, 3, 2, 2, 1, 1, 0, true, false}, {2, 9, 37, 1, 7, 1, 1, 0, 3, false, false},
    {2, 9, 40, 7, 1, 1, 1, 3, 0, false, true},  {2, 17, 17, 5, 5, 3, 3, 0, 0, false, true},
    {2, 11, 19, 3, 3, 3, 3, 1, 1, true, false}, {2, 35, 35, 3, 3, 1, 1, 1, 1, false, true}};

std::string describe(const pool_case& c) {
  std::ostringstream s;
  s << c.c << "x" << c.h << "x" << c.w << " k" << c.kh << "x" << c.kw << " s" << c.sh << "x" << c.sw << " p" << c.ph << "x"
    << c.pw << (c.ceil_mode ? " ceil" : "") << (c.count_include_pad ? "" : " exclude_pad");
  return s.str();
}

// Runs the fast kernel in `parts` parts on `batch` images and compares with the reference, NaN for NaN.
template <class Fast, class Reference>
void check_pool(const pool_case& c, const std::vector<float>& in, int batch, int parts, Fast fast, Reference reference,
                double rtol) {
  const auto g = k::make_pool_geometry(c.c, c.h, c.w, c.kh, c.kw, c.sh, c.sw, c.ph, c.pw, c.ceil_mode, c.count_include_pad);
  std::vector<float> want(std::size_t(g.out_size() * batch)), out(want.size(), -7.0f);
  reference(g, in.data(), want.data(), batch);
  for (int i = 0; i < parts; ++i) fast(g, in.data(), out.data(), batch, k::part{i, parts});
  for (std::size_t i = 0; i < out.size(); ++i) {
    INFO(describe(c) << ", batch " << batch << ", parts " << parts << ", index " << i << ": got " << out[i] << ", want "
                     << want[i]);
    if (std::isnan(want[i])) REQUIRE(std::isnan(out[i]));
    else REQUIRE(std::fabs(double(out[i]) - double(want[i])) <= rtol * std::max(1.0, double(std::fabs(want[i]))));
  }
}

}  // namespace

TEST_CASE("fast avg_pool matches reference: ceil mode, count_include_pad, rectangles, odd shapes", "[kernels][fast][pool]") {
  for (const auto& c : pool_cases)
    for (int batch : {1, 3})
      for (int parts : {1, 2, 3}) {
        std::mt19937 rng(5);
        const auto in = random_vector(long(c.c) * c.h * c.w * batch, rng);
        check_pool(c, in, batch, parts, k::avg_pool, ref::avg_pool, 1e-5);
      }
}

TEST_CASE("fast max_pool matches reference: ceil mode, rectangles, NaN anywhere in a window", "[kernels][fast][pool]") {
  for (const auto& c : pool_cases)
    for (int nans : {0, 1, 2})
      for (int batch : {1, 3}) {
        std::mt19937 rng(6);
        auto in = random_vector(long(c.c) * c.h * c.w * batch, rng, -2.0f, -0.5f);  // padding as 0 would show
        const long plane = long(c.h) * c.w;
        if (nans == 1)  // a few per plane, at shifting columns
          for (std::size_t i = 0; i < in.size(); i += 23) in[i] = nan_f;
        if (nans == 2)  // one per plane, in a shifting row: the windows of neighbouring rows must see it
          for (long p = 0; p < long(c.c) * batch; ++p) in[std::size_t(p * plane + (p % c.h) * c.w + (p * 5) % c.w)] = nan_f;
        check_pool(c, in, batch, 2, k::max_pool, ref::max_pool, 0.0);
      }
}

TEST_CASE("fast global_avg_pool over an nChw16c input matches reference", "[kernels][fast][pool]") {
  std::mt19937 rng(5);
  for (auto [C, h, w, batch] : {std::tuple{16, 1, 1, 1}, std::tuple{64, 7, 7, 3}, std::tuple{32, 3, 5, 2}}) {
    const long hw = long(h) * w;
    const auto x = random_vector(C * hw * batch, rng);
    std::vector<float> want(std::size_t(C * batch)), got(want.size(), nan_f);
    ref::global_avg_pool(C, int(hw), x.data(), want.data(), batch);
    const auto blocked = relaid(x, k::layout::nchw, k::layout::nchw16c, C, hw, batch);
    for (int i = 0; i < 3; ++i) k::global_avg_pool_blocked(C, int(hw), blocked.data(), got.data(), batch, k::part{i, 3});
    require_close(got, want, 1e-6);
  }
}

TEST_CASE("fast global_avg_pool, linear and elementwise match reference", "[kernels][fast]") {
  std::mt19937 rng(4);
  for (int parts : {1, 2, 3}) {
    for (auto [c, s] : {std::pair{64, 49}, std::pair{5, 7}, std::pair{3, 100}, std::pair{7, 1}}) {
      const int batch = 3;
      const auto in = random_vector(long(c) * s * batch, rng);
      std::vector<float> want(std::size_t(c * batch)), out(want.size(), nan_f);
      ref::global_avg_pool(c, s, in.data(), want.data(), batch);
      for (int i = 0; i < parts; ++i) k::global_avg_pool(c, s, in.data(), out.data(), batch, {i, parts});
      require_close(out, want, 1e-5);
    }
    // (every image count of the tile, 1-4, and the vector loops' tails: 100 = 64 + 32 + 4)
    for (auto [fi, fo] : {std::pair{2048, 100}, std::pair{100, 7}, std::pair{37, 11}, std::pair{16, 3}, std::pair{5, 9}}) {
      for (int batch : {1, 2, 3, 4, 6}) {
        const auto in = random_vector(long(fi) * batch, rng);
        const auto w = random_vector(long(fi) * fo, rng), b = random_vector(fo, rng);
        std::vector<float> want(std::size_t(fo * batch)), out(want.size(), nan_f);
        ref::linear(fi, fo, in.data(), w.data(), b.data(), want.data(), batch);
        for (int i = 0; i < parts; ++i)
          k::linear(fi, fo, in.data(), w.data(), b.data(), out.data(), batch, {i, parts});
        require_close(out, want, 2e-5);
        std::fill(out.begin(), out.end(), nan_f);
        ref::linear(fi, fo, in.data(), w.data(), nullptr, want.data(), batch);
        for (int i = 0; i < parts; ++i)
          k::linear(fi, fo, in.data(), w.data(), nullptr, out.data(), batch, {i, parts});
        require_close(out, want, 2e-5);
      }
    }
    for (long n : {1L, 15L, 16L, 17L, 1000L, 4099L}) {
      const auto a = random_vector(n, rng), b = random_vector(n, rng);
      std::vector<float> want(static_cast<std::size_t>(n)), out(want.size(), nan_f);
      ref::relu(n, a.data(), want.data());
      for (int i = 0; i < parts; ++i) k::relu(n, a.data(), out.data(), {i, parts});
      REQUIRE(out == want);
      std::fill(out.begin(), out.end(), nan_f);
      ref::add(n, a.data(), b.data(), want.data());
      for (int i = 0; i < parts; ++i) k::add(n, a.data(), b.data(), out.data(), {i, parts});
      REQUIRE(out == want);
      std::fill(out.begin(), out.end(), nan_f);
      ref::relu(n, want.data(), want.data());
      for (int i = 0; i < parts; ++i) k::add_relu(n, a.data(), b.data(), out.data(), {i, parts});
      REQUIRE(out == want);
      // in place
      out = a;
      for (int i = 0; i < parts; ++i) k::add_relu(n, out.data(), b.data(), out.data(), {i, parts});
      REQUIRE(out == want);
    }
  }
}
