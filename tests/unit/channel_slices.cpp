// Concat without a copy: the planner places a concat's inputs in channel slices of its output
// (runtime/plan.hpp, detail::channel_slices), so the kernels that write or read them see images
// more than C x H x W apart. Here: each such kernel against the reference on a slice of a larger
// buffer (odd shapes: stride 2, padding, groups, spatial 7 and 1, channel offsets that are not a
// multiple of 16), then whole models, fused (slices) against the reference path (none), on both
// front ends, with the concats that must copy and those that must not.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include <typenet/dynamic/executor.hpp>
#include <typenet/kernels/channels.hpp>
#include <typenet/kernels/conv2d.hpp>
#include <typenet/kernels/elementwise.hpp>
#include <typenet/kernels/pool.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace {
using namespace typenet;
namespace k = typenet::kernels;
namespace ref = typenet::kernels::reference;

constexpr float untouched = 1234.5f;  // what a parent buffer holds outside the slice under test

std::vector<float> random_floats(long n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = d(rng);
  return v;
}

// A batch of `batch` images of `channels` x `plane` floats as channels [offset, offset + channels)
// of a parent of `parent` channels; the parent's other channels hold `untouched`.
struct slice {
  int batch, channels, offset, parent;
  long plane;
  std::vector<float> data = std::vector<float>(std::size_t(batch * parent * plane), untouched);
  long image() const { return long(parent) * plane; }
  float* at() { return data.data() + offset * plane; }
  float& operator()(int n, long i) { return data[std::size_t(n * image() + offset * plane + i)]; }
  void fill(const std::vector<float>& packed) {  // from [batch][channels x plane]
    for (int n = 0; n < batch; ++n)
      for (long i = 0; i < channels * plane; ++i) (*this)(n, i) = packed[std::size_t(n * channels * plane + i)];
  }
  // The slice equals `want` ([batch][channels x plane]) within rtol x its largest |value|, and
  // every other channel of the parent is untouched.
  void check(const std::vector<float>& want, double rtol) const {
    double scale = 1.0;
    for (float w : want) scale = std::max(scale, double(std::fabs(w)));
    for (int n = 0; n < batch; ++n)
      for (long i = 0; i < parent * plane; ++i) {
        const float got = data[std::size_t(n * image() + i)];
        const long c = i / plane;
        if (c < offset || c >= offset + channels) {
          INFO("image " << n << " parent channel " << c << " outside the slice was written");
          REQUIRE(got == untouched);
          continue;
        }
        const float w = want[std::size_t(n * channels * plane + i - offset * plane)];
        INFO("image " << n << " channel " << c - offset << " element " << i % plane << ": got " << got << ", want " << w);
        REQUIRE(std::fabs(double(got) - double(w)) <= rtol * scale);
      }
  }
};

// The fast conv2d reading a slice and writing a slice, against the reference on packed buffers.
void check_conv_slices(const k::conv_geometry& g, int in_offset, int in_parent, int out_offset, int out_parent, int batch, int parts,
                       k::activation act) {
  INFO(g.in_c << "x" << g.in_h << "x" << g.in_w << " -> " << g.out_c << "x" << g.out_h << "x" << g.out_w << " k" << g.kernel_h
               << "x" << g.kernel_w << " s" << g.stride_h << " p" << g.pad_h << " g" << g.groups << " batch " << batch << " parts "
               << parts);
  const auto x = random_floats(g.in_size() * batch, 1);
  const auto w = random_floats(g.weight_size(), 2);
  const auto bias = random_floats(g.out_c, 3);
  std::vector<float> want(std::size_t(g.out_size() * batch));
  ref::conv2d(g, x.data(), w.data(), bias.data(), want.data(), batch);
  for (float& v : want) v = k::activate(act, v);

  slice in{batch, g.in_c, in_offset, in_parent, long(g.in_h) * g.in_w};
  in.fill(x);
  slice out{batch, g.out_c, out_offset, out_parent, long(g.out_h) * g.out_w};
  std::vector<float> packed(std::size_t(k::packed_conv_weight_size(g)));
  k::pack_conv_weights(g, w.data(), packed.data());
  k::conv_geometry s = g;
  s.in_image_stride = in.image(), s.out_image_stride = out.image();
  for (int i = 0; i < parts; ++i) k::conv2d(s, in.at(), packed.data(), {bias.data(), nullptr, act}, out.at(), batch, {i, parts});
  out.check(want, 2e-5);
}

template <auto Fast, auto Reference>
void check_pool_slices(const k::pool_geometry& g, int in_offset, int in_parent, int out_offset, int out_parent, int batch) {
  const auto x = random_floats(g.in_size() * batch, 4);
  std::vector<float> want(std::size_t(g.out_size() * batch));
  Reference(g, x.data(), want.data(), batch);
  slice in{batch, g.channels, in_offset, in_parent, long(g.in_h) * g.in_w};
  in.fill(x);
  slice out{batch, g.channels, out_offset, out_parent, long(g.out_h) * g.out_w};
  k::pool_geometry s = g;
  s.in_image_stride = in.image(), s.out_image_stride = out.image();
  for (int i = 0; i < 3; ++i) Fast(s, in.at(), out.at(), batch, k::part{i, 3});
  out.check(want, 1e-6);
}

// Both executors of M: the fused one (slices) against the reference one (none), batch 3.
template <class M>
void check_model(const dynamic::model& dm, int expect_elided, int expect_concats) {
  const auto w = seeded_weights<M>(5);
  const auto x = random_floats(3 * M::input_shape::size, 6);
  executor<M> reference(w, {.threads = 2, .max_batch = 3, .fused = false});
  executor<M> fused(w, {.threads = 2, .max_batch = 3});
  dynamic::executor fused_dynamic(dm, w, {.threads = 2, .max_batch = 3});
  std::vector<float> want(std::size_t(3 * executor<M>::output_size)), got(want.size()), got_dynamic(want.size());
  reference.forward(x.data(), want.data(), 3);
  fused.forward(x.data(), got.data(), 3);
  fused_dynamic.forward(x.data(), got_dynamic.data(), 3);
  double scale = 1.0, worst = 0.0;
  for (float v : want) scale = std::max(scale, double(std::fabs(v)));
  for (std::size_t i = 0; i < want.size(); ++i) worst = std::max(worst, double(std::fabs(got[i] - want[i])));
  INFO("max |fused - reference| " << worst << ", scale " << scale);
  CHECK(worst <= 1e-5 * scale);
  CHECK(got_dynamic == got);
  int elided = 0, concats = 0, copied = 0;
  for (const runtime::op& o : fused.plan()) {
    elided += o.elided;
    concats += o.body->is_concat();
    for (char c : o.in_place) copied += o.body->is_concat() && !c;
  }
  INFO("concats " << concats << ", elided " << elided << ", inputs copied " << copied);
  CHECK(concats == expect_concats);
  CHECK(elided == expect_elided);
  for (const runtime::op& o : reference.plan()) CHECK(!o.elided);  // the oracle copies every concat
  CHECK(fused.memory() == memory_plan_v<M>);
}

// Shapes shared by the models below.
using cv1 = conv2d<5, 1>;
using cv3 = conv2d<3, 3, 2, 1>;
}  // namespace

TEST_CASE("fast conv2d reads and writes channel slices", "[slices][kernels][fast][conv]") {
  using k::make_conv_geometry;
  const k::activation relu = k::activation::relu, none = k::activation::none;
  check_conv_slices(make_conv_geometry(13, 7, 7, 21, 3, 2, 1, 1), 5, 23, 7, 37, 3, 2, relu);    // 3x3 stride 2 pad 1, spatial 7
  check_conv_slices(make_conv_geometry(13, 7, 7, 21, 1, 1, 0, 1), 3, 17, 9, 31, 2, 3, none);    // 1x1 flat, pixel tail
  check_conv_slices(make_conv_geometry(40, 14, 14, 24, 1, 2, 0, 1), 1, 41, 17, 48, 3, 2, relu); // 1x1 stride 2
  check_conv_slices(make_conv_geometry(16, 9, 9, 24, 3, 1, 1, 4), 5, 29, 5, 33, 2, 2, relu);    // grouped 3x3
  check_conv_slices(make_conv_geometry(24, 1, 1, 20, 1, 1, 0, 1), 7, 40, 3, 27, 3, 2, none);    // spatial 1
  check_conv_slices(make_conv_geometry(12, 7, 7, 12, 3, 2, 1, 12), 5, 19, 11, 30, 3, 2, relu);  // depthwise 3x3 stride 2
  check_conv_slices(make_conv_geometry(12, 9, 9, 12, 5, 1, 2, 12), 3, 15, 1, 13, 2, 3, none);   // depthwise 5x5
  check_conv_slices(make_conv_geometry(8, 9, 7, 10, hw{7, 1}, 1, hw{3, 0}, 1), 9, 21, 2, 15, 2, 2, relu);  // Inception's 7x1
  check_conv_slices(make_conv_geometry(3, 7, 7, 6, 2, 1, 0, 3), 1, 5, 5, 11, 3, 2, none);       // the portable kernel
}

TEST_CASE("fast pools read and write channel slices", "[slices][kernels][fast][pool]") {
  using k::make_pool_geometry;
  check_pool_slices<&k::max_pool, &ref::max_pool>(make_pool_geometry(7, 15, 13, 3, 3, 2, 2, 1, 1), 5, 19, 3, 27, 3);
  check_pool_slices<&k::max_pool, &ref::max_pool>(make_pool_geometry(9, 7, 7, 3, 3, 1, 1, 1, 1), 0, 12, 3, 12, 2);
  check_pool_slices<&k::avg_pool, &ref::avg_pool>(make_pool_geometry(7, 14, 14, 2, 2, 2, 2, 0, 0), 5, 13, 9, 19, 3);
  check_pool_slices<&k::avg_pool, &ref::avg_pool>(make_pool_geometry(5, 7, 7, 3, 3, 1, 1, 1, 1, false, false), 1, 6, 0, 5, 2);
  check_pool_slices<&k::max_pool, &ref::max_pool>(make_pool_geometry(6, 1, 1, 1, 1, 1, 1, 0, 0), 3, 11, 5, 17, 3);
}

TEST_CASE("a standalone batch norm (with its ReLU) reads and writes channel slices", "[slices][kernels][fast]") {
  const int channels = 11, batch = 3;
  for (long plane : {49L, 1L, 196L}) {
    INFO("plane " << plane);
    const auto x = random_floats(channels * plane * batch, 7);
    const auto gamma = random_floats(channels, 8), beta = random_floats(channels, 9), mean = random_floats(channels, 10);
    auto var = random_floats(channels, 11);
    for (float& v : var) v = std::fabs(v) + 0.1f;
    std::vector<float> want(x.size());
    ref::batch_norm(channels, int(plane), x.data(), gamma.data(), beta.data(), mean.data(), var.data(), 1e-5f, want.data(), batch);
    ref::relu(long(want.size()), want.data(), want.data());
    std::vector<double> scale(channels), shift(channels);
    k::batch_norm_scale_shift(channels, gamma.data(), beta.data(), mean.data(), var.data(), 1e-5f, scale.data(), shift.data());
    const std::vector<float> s(scale.begin(), scale.end()), b(shift.begin(), shift.end());
    slice in{batch, channels, 5, 21, plane};
    in.fill(x);
    slice out{batch, channels, 3, 17, plane};
    for (int i = 0; i < 2; ++i)
      k::affine_channels(channels, plane, in.at(), in.image(), s.data(), b.data(), k::activation::relu, out.at(), out.image(), batch,
                         {i, 2});
    out.check(want, 1e-6);
  }
}

TEST_CASE("the gather copies between channel slices and skips the inputs already in place", "[slices][channels]") {
  // out = [a (3 channels, in place: skipped), b (2 channels, copied)] over planes of 7, batch 2.
  const long plane = 7;
  slice out{2, 5, 4, 13, plane};
  const auto b = random_floats(2 * 2 * plane, 12);
  slice in_b{2, 2, 1, 6, plane};
  in_b.fill(b);
  const float* in[2] = {out.at(), in_b.at()};
  const long image[2] = {out.image(), in_b.image()};
  const bool skip[2] = {true, false};
  const k::channel_source table[5] = {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}};
  for (int i = 0; i < 3; ++i) k::gather_channels(plane, table, 5, in, image, skip, out.at(), out.image(), 2, {i, 3});
  std::vector<float> want(2 * 5 * plane, untouched);  // the skipped channels keep what they held
  for (int n = 0; n < 2; ++n)
    for (long i = 0; i < 2 * plane; ++i) want[std::size_t(n * 5 * plane + 3 * plane + i)] = b[std::size_t(n * 2 * plane + i)];
  out.check(want, 0.0);
}

TEST_CASE("DenseNet's growing features live in one buffer: every concat is elided", "[slices][executor][dynamic]") {
  // A stem whose pool writes into the block's buffer, a dense block of 3 layers (each concat of the
  // block's features so far and 4 new channels), a transition, then a head.
  using m = model<input<3, 15, 13>, conv2d<6, 3, 2, 1>, batch_norm, relu, max_pool<3, 2, 1>, densenet::block<3, 4, 2>,
                  densenet::transition<9>, batch_norm, relu, global_avg_pool, linear<5>>;
  check_model<m>(dynamic::model::of<m>(), 3, 3);
}

TEST_CASE("Inception-style branches and a nested concat write into their slices", "[slices][executor][dynamic]") {
  // Branches end in convs (with batch norm and ReLU) and a pool; the third branch is a concat of
  // its own (Inception-v3's block E), whose inputs land in the outer buffer.
  using n = model<input<4, 9, 7>, conv2d<6, 1>, relu,
                  concat<sequential<cv3, batch_norm, relu>, sequential<conv2d<4, 1>, cv3>, concat<cv3, max_pool<3, 2, 1>>,
                         max_pool<3, 2, 1>>,
                  conv2d<5, 1>, global_avg_pool, linear<3>>;
  check_model<n>(dynamic::model::of<n>(), 2, 2);
}

TEST_CASE("a concat copies the inputs that cannot be its slices", "[slices][executor][dynamic]") {
  // The model's input (the caller's buffer) and a value read twice by the same concat are copied;
  // the conv beside them still writes into its slice.
  using input_branch = model<input<4, 5, 5>, concat<identity, cv1>>;
  check_model<input_branch>(dynamic::model::of<input_branch>(), 0, 1);
  using twice = model<input<4, 5, 5>, conv2d<3, 1>, concat<identity, identity, cv1>, relu>;
  check_model<twice>(dynamic::model::of<twice>(), 0, 1);
  // A value another reader cannot read as a slice (a lone ReLU: elementwise over whole images).
  using other_reader = model<input<4, 5, 5>, conv2d<3, 1>, concat<identity, sequential<relu, cv1>>, relu>;
  check_model<other_reader>(dynamic::model::of<other_reader>(), 0, 1);
  // A value in two concats: the outer one takes it, the inner one copies it into its own slice.
  using two_concats = model<input<4, 5, 5>, conv2d<3, 1>, concat<identity, concat<identity, cv1>>, relu>;
  check_model<two_concats>(dynamic::model::of<two_concats>(), 1, 2);
}
