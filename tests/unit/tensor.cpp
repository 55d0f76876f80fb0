// Typed tensors at the API: views and owning tensors, the checked conversion from .npy arrays,
// the typed, sized and dynamic forward overloads and their errors. (A tensor of the wrong shape
// does not compile: tests/compile_fail/forward_*.cpp.)
#include <catch2/catch.hpp>
#include <typenet/dynamic/executor.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace {
using namespace typenet;
using net = model<input<3, 6, 5>, conv2d<4, 3, 1, 1>, batch_norm, relu, global_avg_pool, linear<3, true>>;
using in_shape = shape<3, 6, 5>;
using out_shape = shape<3, 1, 1>;

std::vector<float> ramp(long n) {
  std::vector<float> v(std::size_t(n), 0.0f);
  for (long i = 0; i < n; ++i) v[std::size_t(i)] = float(i % 17) / 8.0f - 1.0f;
  return v;
}
}  // namespace

TEST_CASE("tensor_view and tensor: shape in the type, batch at run time", "[tensor]") {
  std::vector<float> data = ramp(2 * in_shape::size);
  const tensor_view<in_shape> v(data.data(), 2);
  CHECK(v.batch() == 2);
  CHECK(v.size() == 2 * 90);
  CHECK(&v(1, 2, 3, 4) == data.data() + 90 + 2 * 30 + 3 * 5 + 4);
  const tensor_view<const in_shape> c = v;  // writable converts to read-only
  CHECK(c.data() == data.data());
  static_assert(!std::is_convertible_v<tensor_view<const in_shape>, tensor_view<in_shape>>);
  static_assert(!std::is_convertible_v<tensor_view<in_shape>, tensor_view<const shape<3, 5, 6>>>);

  CHECK(tensor_view<in_shape>(std::span<float>(data)).batch() == 2);
  REQUIRE_THROWS_WITH(tensor_view<in_shape>(std::span<float>(data.data(), 100)),
                      Catch::Contains("100 floats are not a whole number of 3x6x5 images (90 floats each)"));

  tensor<in_shape> t(3);
  CHECK(t.batch() == 3);
  CHECK(reinterpret_cast<std::uintptr_t>(t.data()) % 64 == 0);
  CHECK(std::all_of(t.data(), t.data() + t.size(), [](float x) { return x == 0.0f; }));
  t(2, 1, 0, 4) = 5.0f;
  const tensor<in_shape> copy = t;
  CHECK(copy(2, 1, 0, 4) == 5.0f);
  CHECK(copy.data() != t.data());
}

TEST_CASE("an .npy array becomes a typed tensor after a checked conversion", "[tensor]") {
  const io::array batched{{2, 3, 6, 5}, ramp(180)};
  const auto view = view_of<in_shape>(batched);
  CHECK(view.batch() == 2);
  CHECK(view.data() == batched.data.data());
  const tensor<in_shape> owned = to_tensor<in_shape>(batched);
  CHECK(std::equal(owned.data(), owned.data() + owned.size(), batched.data.begin()));
  CHECK(view_of<in_shape>(io::array{{3, 6, 5}, ramp(90)}).batch() == 1);  // one image without N

  REQUIRE_THROWS_AS(view_of<in_shape>(io::array{{2, 3, 5, 6}, ramp(180)}), shape_error);
  REQUIRE_THROWS_WITH(view_of<in_shape>(io::array{{2, 3, 5, 6}, ramp(180)}),
                      "tensor<3x6x5>: the array has shape [2, 3, 5, 6], the tensor needs [N, 3, 6, 5]");
  REQUIRE_THROWS_WITH(to_tensor<in_shape>(io::array{{2, 1000}, ramp(2000)}), Catch::Contains("the array has shape [2, 1000]"));

  const io::array back = to_array(owned);
  CHECK(back.shape == std::vector<long>{2, 3, 6, 5});
  CHECK(back.data == batched.data);
}

TEST_CASE("typed forward equals the raw one; batches and sizes are checked", "[tensor][executor]") {
  const auto w = seeded_weights<net>(4);
  executor<net> e(w, {.threads = 1, .max_batch = 2});
  const io::array x{{2, 3, 6, 5}, ramp(180)};
  std::vector<float> raw(6);
  e.forward(x.data.data(), raw.data(), 2);

  tensor<out_shape> y(2);
  e.forward(view_of<in_shape>(x), y);
  CHECK(std::equal(raw.begin(), raw.end(), y.data()));
  const tensor<out_shape> returned = e.forward(to_tensor<in_shape>(x));
  CHECK(returned.batch() == 2);
  CHECK(std::equal(raw.begin(), raw.end(), returned.data()));
  std::vector<float> into(6);
  e.forward(view_of<in_shape>(x), tensor_view<out_shape>(into.data(), 2));
  CHECK(into == raw);

  tensor<out_shape> one(1);
  REQUIRE_THROWS_WITH(e.forward(view_of<in_shape>(x), one), "executor::forward: the output tensor holds 1 images, the input 2");

  std::vector<float> sized(6);
  e.forward(std::span<const float>(x.data), std::span<float>(sized), 2);
  CHECK(sized == raw);
  REQUIRE_THROWS_WITH(e.forward(std::span<const float>(x.data.data(), 100), std::span<float>(sized), 2),
                      "executor::forward: the input holds 100 floats, batch 2 of the model's input 3x6x5 needs 180");
  REQUIRE_THROWS_WITH(e.forward(std::span<const float>(x.data), std::span<float>(sized.data(), 5), 2),
                      "executor::forward: the output holds 5 floats, batch 2 of the model's output 3x1x1 needs 6");
}

TEST_CASE("the dynamic executor checks its tensors' shapes at run time, in the same words", "[tensor][dynamic]") {
  const auto w = seeded_weights<net>(4);
  const dynamic::model m = dynamic::model::of<net>();
  dynamic::executor e(m, w, {.threads = 1, .max_batch = 2});
  const std::vector<float> x = ramp(180);
  std::vector<float> y(6), raw(6);
  e.forward(x.data(), raw.data(), 2);
  e.forward(dynamic::const_tensor_view{x.data(), 2, {3, 6, 5}}, dynamic::tensor_view{y.data(), 2, {3, 1, 1}});
  CHECK(y == raw);
  REQUIRE_THROWS_AS(e.forward(dynamic::const_tensor_view{x.data(), 2, {3, 5, 6}}, dynamic::tensor_view{y.data(), 2, {3, 1, 1}}),
                    shape_error);
  REQUIRE_THROWS_WITH(e.forward(dynamic::const_tensor_view{x.data(), 2, {3, 5, 6}}, dynamic::tensor_view{y.data(), 2, {3, 1, 1}}),
                      "executor::forward: the input tensor's shape must be the model's input shape (tensor 3x5x6, model 3x6x5)");
  REQUIRE_THROWS_WITH(e.forward(dynamic::const_tensor_view{x.data(), 2, {3, 6, 5}}, dynamic::tensor_view{y.data(), 2, {4, 1, 1}}),
                      "executor::forward: the output tensor's shape must be the model's output shape (tensor 4x1x1, model 3x1x1)");
  REQUIRE_THROWS_WITH(e.forward(dynamic::const_tensor_view{x.data(), 2, {3, 6, 5}}, dynamic::tensor_view{y.data(), 1, {3, 1, 1}}),
                      "executor::forward: the output tensor holds 1 images, the input 2");
}
