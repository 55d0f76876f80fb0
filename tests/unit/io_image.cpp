// typenet::io::load_image / imagenet_preprocess.
#include <typenet/io/image.hpp>
#include <typenet/io/npy.hpp>

#include <catch2/catch.hpp>

#include "temp_file.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

// stb's PNG writer (Debian's libstb-dev ships it); a private copy for this TU, like image.hpp does.
#if __has_include(<stb_image_write.h>) || __has_include(<stb/stb_image_write.h>)
#define TYPENET_TEST_HAVE_PNG_WRITER 1
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wpedantic"
#if __has_include(<stb_image_write.h>)
#include <stb_image_write.h>
#else
#include <stb/stb_image_write.h>
#endif
#pragma GCC diagnostic pop
#endif

namespace {

namespace fs = std::filesystem;
using namespace typenet::io;
using Catch::Contains;

using typenet::test::temp_file;
using typenet::test::write_bytes;

// A binary PPM (P6): stb reads it, and it is trivial to write by hand.
std::string ppm(int w, int h, const std::vector<unsigned char>& rgb) {
  std::string s = "P6\n" + std::to_string(w) + " " + std::to_string(h) + "\n255\n";
  s.append(reinterpret_cast<const char*>(rgb.data()), rgb.size());
  return s;
}

image make_image(int w, int h, auto&& pixel) {  // pixel(x, y, c) -> 0..255
  image img{w, h, std::vector<unsigned char>(std::size_t(w) * std::size_t(h) * 3)};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        img.rgb[(std::size_t(y) * std::size_t(w) + std::size_t(x)) * 3 + std::size_t(c)] =
            static_cast<unsigned char>(pixel(x, y, c));
  return img;
}

constexpr float mean[3] = {0.485f, 0.456f, 0.406f};
constexpr float stddev[3] = {0.229f, 0.224f, 0.225f};
float normalised(float v, int c) { return (v / 255.0f - mean[c]) / stddev[c]; }

// out[c][y][x] of a CHW crop x crop buffer.
float at(const std::vector<float>& out, int crop, int c, int y, int x) {
  return out[(std::size_t(c) * std::size_t(crop) + std::size_t(y)) * std::size_t(crop) + std::size_t(x)];
}

}  // namespace

TEST_CASE("image: load a PPM exactly", "[io][image]") {
  temp_file t(".ppm");
  std::vector<unsigned char> rgb;
  for (int i = 0; i < 4 * 3 * 3; ++i) rgb.push_back(static_cast<unsigned char>(i * 7));
  write_bytes(t.path, ppm(4, 3, rgb));
  const image img = load_image(t.path);
  CHECK(img.width == 4);
  CHECK(img.height == 3);
  CHECK(img.rgb == rgb);
}

#ifdef TYPENET_TEST_HAVE_PNG_WRITER
TEST_CASE("image: PNG round trip; grey and RGBA become RGB", "[io][image]") {
  temp_file t(".png");
  const int w = 37, h = 23;
  std::vector<unsigned char> rgba(std::size_t(w) * h * 4);
  for (std::size_t i = 0; i < rgba.size(); ++i) rgba[i] = static_cast<unsigned char>((i * 31) % 251);

  SECTION("RGB") {
    std::vector<unsigned char> rgb;
    for (std::size_t i = 0; i < rgba.size(); ++i)
      if (i % 4 != 3) rgb.push_back(rgba[i]);
    REQUIRE(stbi_write_png(t.path.c_str(), w, h, 3, rgb.data(), w * 3));
    const image img = load_image(t.path);
    CHECK(img.width == w);
    CHECK(img.height == h);
    CHECK(img.rgb == rgb);
  }
  SECTION("RGBA: alpha is dropped") {
    REQUIRE(stbi_write_png(t.path.c_str(), w, h, 4, rgba.data(), w * 4));
    const image img = load_image(t.path);
    REQUIRE(img.rgb.size() == std::size_t(w) * h * 3);
    for (std::size_t p = 0; p < std::size_t(w) * h; ++p)
      for (std::size_t c = 0; c < 3; ++c) REQUIRE(img.rgb[p * 3 + c] == rgba[p * 4 + c]);
  }
  SECTION("grey: replicated to 3 channels") {
    std::vector<unsigned char> grey(rgba.begin(), rgba.begin() + w * h);
    REQUIRE(stbi_write_png(t.path.c_str(), w, h, 1, grey.data(), w));
    const image img = load_image(t.path);
    REQUIRE(img.rgb.size() == std::size_t(w) * h * 3);
    for (std::size_t p = 0; p < std::size_t(w) * h; ++p)
      for (std::size_t c = 0; c < 3; ++c) REQUIRE(img.rgb[p * 3 + c] == grey[p]);
  }
  SECTION("a truncated PNG is an error naming the file") {
    REQUIRE(stbi_write_png(t.path.c_str(), w, h, 4, rgba.data(), w * 4));
    std::ifstream in(t.path, std::ios::binary);
    const std::string bytes(std::istreambuf_iterator<char>(in), {});
    in.close();
    write_bytes(t.path, bytes.substr(0, bytes.size() / 2));
    REQUIRE_THROWS_AS(load_image(t.path), io_error);
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": cannot decode image ("));
  }
}
#endif

TEST_CASE("image: load errors name the file and the reason", "[io][image]") {
  SECTION("missing file") {
    const std::string p = (fs::temp_directory_path() / "typenet_io_img_does_not_exist.png").string();
    REQUIRE_THROWS_AS(load_image(p), io_error);
    REQUIRE_THROWS_WITH(load_image(p), Contains(p + ": cannot open file (No such file or directory)"));
  }
  SECTION("garbage") {
    temp_file t(".jpg");
    write_bytes(t.path, "this is not an image, just some text pretending to be one");
    REQUIRE_THROWS_AS(load_image(t.path), io_error);
    // stb's reason for an unrecognised format
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": cannot decode image (unknown image type)"));
  }
  SECTION("empty file") {
    temp_file t(".png");
    write_bytes(t.path, "");
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": cannot decode image ("));
  }
  SECTION("a PPM with a broken header") {
    // (stb 2.27 does not notice PPM pixel data that is cut short: it is not a case to test.)
    temp_file t(".ppm");
    write_bytes(t.path, "P6\n2 2\n70000\n");
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": cannot decode image (max value > 65535)"));
    write_bytes(t.path, "P6\n0 3\n255\n");  // stb itself accepts this
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": cannot decode image (it has no pixels: 0x3)"));
  }
}

TEST_CASE("imagenet_preprocess: output layout and normalisation", "[io][image]") {
  // A constant image stays constant through any resize (the weights sum to 1).
  for (auto [w, h] : {std::pair{300, 200}, {200, 300}, {640, 480}, {256, 256}, {1000, 257}}) {
    const image img = make_image(w, h, [](int, int, int c) { return 50 + 60 * c; });
    const std::vector<float> out = imagenet_preprocess(img);
    REQUIRE(out.size() == 3u * 224 * 224);
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 224; y += 7)
        for (int x = 0; x < 224; x += 5) REQUIRE(at(out, 224, c, y, x) == Approx(normalised(50.f + 60 * c, c)).margin(1e-5));
  }
  // Both overloads agree; other sizes work.
  const image img = make_image(40, 30, [](int x, int y, int c) { return (x * 13 + y * 7 + c * 50) % 256; });
  const std::vector<float> a = imagenet_preprocess(img, 20, 16);
  std::vector<float> b(3 * 16 * 16);
  imagenet_preprocess(img, b.data(), 20, 16);
  CHECK(a == b);
  CHECK(a.size() == 3u * 16 * 16);

  REQUIRE_THROWS_AS(imagenet_preprocess(img, 200, 224), std::invalid_argument);
  REQUIRE_THROWS_AS(imagenet_preprocess(img, 0, 0), std::invalid_argument);
  REQUIRE_THROWS_AS(imagenet_preprocess(image{}), std::invalid_argument);
  REQUIRE_THROWS_AS(imagenet_preprocess(image{2, 2, std::vector<unsigned char>(5)}), std::invalid_argument);
}

TEST_CASE("imagenet_preprocess: no resize when the shorter side is already 256; CenterCrop rounding",
          "[io][image]") {
  const auto pixel = [](int x, int y, int c) { return (x * 3 + y * 11 + c * 70) % 256; };
  // (width, height, expected left, expected top). torchvision: int(round((size - 224) / 2.0)) and
  // Python rounds halves to even: 16.5 -> 16, 17.5 -> 18.
  struct tc { int w, h, left, top; };
  for (const tc t : {tc{256, 256, 16, 16}, tc{256, 257, 16, 16}, tc{256, 259, 16, 18}, tc{257, 256, 16, 16},
                     tc{259, 256, 18, 16}, tc{300, 256, 38, 16}}) {
    INFO(t.w << "x" << t.h);
    const image img = make_image(t.w, t.h, pixel);
    const std::vector<float> out = imagenet_preprocess(img);
    int mismatches = 0;
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 224; ++y)
        for (int x = 0; x < 224; ++x)
          mismatches += at(out, 224, c, y, x) != normalised(float(pixel(x + t.left, y + t.top, c)), c);
    CHECK(mismatches == 0);
  }
}

TEST_CASE("imagenet_preprocess: PIL's bilinear weights", "[io][image]") {
  SECTION("down-scaling by 2 is antialiased: taps 1/8, 3/8, 3/8, 1/8") {
    // 1024x512 -> 512x256; the pattern varies along x only, so the vertical pass is exact.
    const auto col = [](int x) { return (x * 37 + (x * x) % 11) % 256; };
    const image img = make_image(1024, 512, [&](int x, int, int c) { return c == 1 ? 255 - col(x) : col(x); });
    const std::vector<float> out = imagenet_preprocess(img);
    const int left = (512 - 224) / 2;
    for (int x = 0; x < 224; ++x) {
      const int X = 2 * (x + left);  // output column x + left samples input columns X-1 .. X+2
      const float v = (col(X - 1) + 3.f * col(X) + 3.f * col(X + 1) + col(X + 2)) / 8.f;
      for (int y : {0, 100, 223}) {
        REQUIRE(at(out, 224, 0, y, x) == Approx(normalised(v, 0)).margin(2e-5));
        REQUIRE(at(out, 224, 1, y, x) == Approx(normalised(255.f - v, 1)).margin(2e-5));
      }
    }
  }
  SECTION("up-scaling by 2 interpolates: 1/4, 3/4") {
    // 128x128 -> 256x256, crop offset 16; the pattern varies along y only.
    const auto row = [](int y) { return (y * 53) % 256; };
    const image img = make_image(128, 128, [&](int, int y, int) { return row(y); });
    const std::vector<float> out = imagenet_preprocess(img);
    for (int y = 0; y < 224; ++y) {
      const int Y = y + 16, k = Y / 2;
      const float v = Y % 2 == 0 ? 0.25f * row(k - 1) + 0.75f * row(k) : 0.75f * row(k) + 0.25f * row(k + 1);
      for (int c = 0; c < 3; ++c) REQUIRE(at(out, 224, c, y, 100) == Approx(normalised(v, c)).margin(2e-5));
    }
  }
}

#ifdef TYPENET_FIXTURE_DIR
namespace {

struct diff_stats { double max = 0, mean = 0; };

diff_stats compare_with_torchvision(const std::string& image_name, const std::string& reference_name) {
  const std::string dir = TYPENET_FIXTURE_DIR;
  const image img = load_image(dir + "/" + image_name);
  const array ref = read_npy(dir + "/" + reference_name, 3);
  REQUIRE(ref.shape == std::vector<long>{3, 224, 224});
  const std::vector<float> out = imagenet_preprocess(img);
  REQUIRE(out.size() == ref.data.size());
  diff_stats d;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double e = std::fabs(double(out[i]) - ref.data[i]);
    d.max = std::max(d.max, e);
    d.mean += e;
  }
  d.mean /= double(out.size());
  return d;
}

}  // namespace

// torchvision (PIL) rounds to 8 bits after the horizontal and again after the vertical resampling
// pass; we don't round at all. Both roundings are <= 1/2 level and the vertical pass' weights sum
// to 1, so the two can differ by at most one 8-bit level: 1/255/std <= 1/(255 * 0.224) = 0.01751.
// Measured (test.png 300x200 up-scaled, test_large.png 613x411 down-scaled): max 0.01742 (one
// level, at std 0.225), mean 0.0052 / 0.0050.
TEST_CASE("imagenet_preprocess matches torchvision on PNGs", "[io][image][torch]") {
  constexpr double one_level = 1.0 / (255 * 0.224);
  for (auto [img, ref] : {std::pair{"test.png", "test_preprocessed.npy"}, {"test_large.png", "test_large_preprocessed.npy"}}) {
    INFO(img);
    const diff_stats d = compare_with_torchvision(img, ref);
    CHECK(d.max <= one_level + 1e-4);
    CHECK(d.mean <= 0.008);
  }
  const image small = load_image(std::string(TYPENET_FIXTURE_DIR) + "/test.png");
  CHECK(small.width == 300);
  CHECK(small.height == 200);
}

// stb_image's JPEG decoder (its own IDCT and chroma up-sampling) is not libjpeg's, which PIL uses:
// decoded pixels differ by a few levels. Measured: max 0.049 (about 3 levels), mean 0.0059.
TEST_CASE("imagenet_preprocess matches torchvision on a JPEG", "[io][image][torch]") {
  const diff_stats d = compare_with_torchvision("test.jpg", "test_jpg_preprocessed.npy");
  CHECK(d.max <= 0.1);
  CHECK(d.mean <= 0.01);
}
#endif
