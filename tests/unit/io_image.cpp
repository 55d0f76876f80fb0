// typenet::io::load_image / imagenet_preprocess.
#include <typenet/io/image.hpp>
#include <typenet/io/image_tensor.hpp>
#include <typenet/io/npy.hpp>

#include <catch2/catch.hpp>

#include "temp_file.hpp"

#include <spng.h>
#include <turbojpeg.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <tuple>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace typenet::io;
using Catch::Contains;

using typenet::test::temp_file;
using typenet::test::write_bytes;

// A PNG of w x h pixels through libspng's encoder: color_type as in the PNG spec (0 grey, 2 RGB,
// 4 grey+alpha, 6 RGBA), `samples` in the file's layout (16-bit samples host-endian).
template <class Sample>
std::string encode_png(int w, int h, std::uint8_t color_type, const std::vector<Sample>& samples) {
  std::unique_ptr<spng_ctx, void (*)(spng_ctx*)> ctx(spng_ctx_new(SPNG_CTX_ENCODER), spng_ctx_free);
  REQUIRE(ctx);
  REQUIRE(spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1) == 0);
  spng_ihdr ihdr{};
  ihdr.width = std::uint32_t(w);
  ihdr.height = std::uint32_t(h);
  ihdr.bit_depth = std::uint8_t(8 * sizeof(Sample));
  ihdr.color_type = color_type;
  REQUIRE(spng_set_ihdr(ctx.get(), &ihdr) == 0);
  REQUIRE(spng_encode_image(ctx.get(), samples.data(), samples.size() * sizeof(Sample), SPNG_FMT_PNG,
                            SPNG_ENCODE_FINALIZE) == 0);
  std::size_t len = 0;
  int err = 0;
  void* png = spng_get_png_buffer(ctx.get(), &len, &err);
  REQUIRE((png && err == 0));
  std::string bytes(static_cast<const char*>(png), len);
  std::free(png);
  return bytes;
}

// A JPEG through TurboJPEG's encoder, from 3-channel RGB or 1-channel grey pixels.
std::string encode_jpeg(int w, int h, const std::vector<unsigned char>& pixels, bool grey = false) {
  std::unique_ptr<void, int (*)(tjhandle)> tj(tjInitCompress(), tjDestroy);
  REQUIRE(tj);
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  REQUIRE(tjCompress2(tj.get(), pixels.data(), w, 0, h, grey ? TJPF_GRAY : TJPF_RGB, &jpeg, &size,
                      grey ? TJSAMP_GRAY : TJSAMP_420, 90, 0) == 0);
  std::string bytes(reinterpret_cast<const char*>(jpeg), size);
  tjFree(jpeg);
  return bytes;
}

// The PNG signature and an IHDR chunk (8-bit grey) declaring w x h, then IEND: no pixel data, so
// only a decoder that trusts the header before checking it would start allocating.
std::string png_header_only(std::uint32_t w, std::uint32_t h) {
  const auto be32 = [](std::uint32_t v) {
    return std::string{char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  };
  const auto chunk = [&](const std::string& type, const std::string& data) {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (const char c : type + data) {
      crc ^= static_cast<unsigned char>(c);
      for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return be32(std::uint32_t(data.size())) + type + data + be32(~crc);
  };
  return "\x89PNG\r\n\x1A\n" + chunk("IHDR", be32(w) + be32(h) + std::string("\x08\x00\x00\x00\x00", 5)) +
         chunk("IEND", "");
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

TEST_CASE("image: PNG round trip; grey and RGBA become RGB", "[io][image]") {
  temp_file t(".png");
  const int w = 37, h = 23;
  std::vector<unsigned char> rgba(std::size_t(w) * h * 4);
  for (std::size_t i = 0; i < rgba.size(); ++i) rgba[i] = static_cast<unsigned char>((i * 31) % 251);

  SECTION("RGB") {
    std::vector<unsigned char> rgb;
    for (std::size_t i = 0; i < rgba.size(); ++i)
      if (i % 4 != 3) rgb.push_back(rgba[i]);
    write_bytes(t.path, encode_png(w, h, 2, rgb));
    const image img = load_image(t.path);
    CHECK(img.width == w);
    CHECK(img.height == h);
    CHECK(img.rgb == rgb);
    CHECK(img.source == t.path);
  }
  SECTION("RGBA: alpha is dropped") {
    write_bytes(t.path, encode_png(w, h, 6, rgba));
    const image img = load_image(t.path);
    REQUIRE(img.rgb.size() == std::size_t(w) * h * 3);
    for (std::size_t p = 0; p < std::size_t(w) * h; ++p)
      for (std::size_t c = 0; c < 3; ++c) REQUIRE(img.rgb[p * 3 + c] == rgba[p * 4 + c]);
  }
  SECTION("grey: replicated to 3 channels") {
    std::vector<unsigned char> grey(rgba.begin(), rgba.begin() + w * h);
    write_bytes(t.path, encode_png(w, h, 0, grey));
    const image img = load_image(t.path);
    REQUIRE(img.rgb.size() == std::size_t(w) * h * 3);
    for (std::size_t p = 0; p < std::size_t(w) * h; ++p)
      for (std::size_t c = 0; c < 3; ++c) REQUIRE(img.rgb[p * 3 + c] == grey[p]);
  }
  SECTION("a truncated PNG is an error naming the file") {
    const std::string bytes = encode_png(w, h, 6, rgba);
    write_bytes(t.path, bytes.substr(0, bytes.size() / 2));
    REQUIRE_THROWS_AS(load_image(t.path), io_error);
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": cannot decode image ("));
  }
}

// What PIL 9.4 gives for Image.open(p).convert("RGB") of 16-bit PNGs (checked with
// /usr/bin/python3): grey opens as mode "I" and clips at 255; RGB, RGBA and grey+alpha keep the
// high byte of each sample.
TEST_CASE("image: 16-bit PNGs become 8 bits as PIL converts them", "[io][image]") {
  const std::vector<std::uint16_t> values = {0, 1, 127, 128, 255, 256, 257, 1000, 32767, 32768, 65280, 65535};
  const std::vector<unsigned char> clipped = {0, 1, 127, 128, 255, 255, 255, 255, 255, 255, 255, 255};
  const std::vector<unsigned char> high_byte = {0, 0, 0, 0, 0, 1, 1, 3, 127, 128, 255, 255};
  const int w = int(values.size());
  temp_file t(".png");
  for (const auto& [color_type, channels, expected] :
       {std::tuple{std::uint8_t(0), 1, clipped}, {std::uint8_t(2), 3, high_byte}, {std::uint8_t(4), 2, high_byte},
        {std::uint8_t(6), 4, high_byte}}) {
    INFO("color type " << int(color_type));
    std::vector<std::uint16_t> samples;
    for (std::uint16_t v : values)
      for (int c = 0; c < channels; ++c) samples.push_back(c == 3 || (channels == 2 && c == 1) ? 65535 - v : v);
    write_bytes(t.path, encode_png(w, 1, color_type, samples));
    const image img = load_image(t.path);
    REQUIRE(img.rgb.size() == values.size() * 3);
    for (std::size_t p = 0; p < values.size(); ++p)
      for (std::size_t c = 0; c < 3; ++c) REQUIRE(int(img.rgb[p * 3 + c]) == int(expected[p]));
  }
}

TEST_CASE("image: JPEG through libjpeg-turbo; grey is replicated", "[io][image]") {
  temp_file t(".jpg");
  const int w = 48, h = 32;
  std::vector<unsigned char> grey(std::size_t(w) * h);
  for (std::size_t i = 0; i < grey.size(); ++i) grey[i] = static_cast<unsigned char>(i % 7 == 0 ? 200 : 60);
  write_bytes(t.path, encode_jpeg(w, h, grey, true));
  const image img = load_image(t.path);
  REQUIRE(img.width == w);
  REQUIRE(img.height == h);
  int far = 0;
  for (std::size_t p = 0; p < grey.size(); ++p) {
    REQUIRE(img.rgb[3 * p] == img.rgb[3 * p + 1]);
    REQUIRE(img.rgb[3 * p] == img.rgb[3 * p + 2]);
    far += std::abs(int(img.rgb[3 * p]) - int(grey[p])) > 40;  // lossy, but close
  }
  CHECK(far < int(grey.size()) / 20);

  SECTION("a truncated JPEG is an error naming the file, not a half-grey image") {
    std::vector<unsigned char> rgb(std::size_t(w) * h * 3);
    for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<unsigned char>(i * 13);
    const std::string bytes = encode_jpeg(w, h, rgb);
    write_bytes(t.path, bytes.substr(0, bytes.size() * 2 / 3));
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": cannot decode image (") && Contains("JPEG"));
  }
}

TEST_CASE("image: load errors name the file and the reason", "[io][image]") {
  SECTION("missing file") {
    const std::string p = (fs::temp_directory_path() / "typenet_io_img_does_not_exist.png").string();
    REQUIRE_THROWS_AS(load_image(p), io_error);
    REQUIRE_THROWS_WITH(load_image(p), Contains(p + ": cannot open file (No such file or directory)"));
  }
  SECTION("garbage, and formats typenet does not read") {
    temp_file t(".jpg");
    write_bytes(t.path, "this is not an image, just some text pretending to be one");
    REQUIRE_THROWS_AS(load_image(t.path), io_error);
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": cannot decode image (not a JPEG or PNG file)"));
    write_bytes(t.path, "GIF89a\x01\x00\x01\x00");
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": cannot decode image (not a JPEG or PNG file)"));
  }
  SECTION("empty file") {
    temp_file t(".png");
    write_bytes(t.path, "");
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": cannot decode image (the file is empty)"));
  }
  SECTION("a PNG header declaring no pixels") {
    temp_file t(".png");
    write_bytes(t.path, png_header_only(0, 3));
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": cannot decode image ("));
  }
}

// Decompression bombs: the size comes from the header, and is refused before any pixel is
// decoded or allocated (stb_image allocated 3.9 GB for a 657 KB 26000x26000 PNG).
TEST_CASE("image: the pixel budget and the aspect ratio are checked from the header", "[io][image]") {
  temp_file t(".png");
  SECTION("a 26000x26000 PNG is over the default 64 MP budget") {
    write_bytes(t.path, png_header_only(26000, 26000));
    REQUIRE_THROWS_AS(load_image(t.path), io_error);
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": image is 26000x26000 = 676000000 pixels, over the budget of 64000000 pixels"));
  }
  SECTION("a JPEG whose frame header declares 60000x60000") {
    std::vector<unsigned char> rgb(16 * 16 * 3, 128);
    std::string jpeg = encode_jpeg(16, 16, rgb);
    const std::size_t sof = jpeg.find("\xFF\xC0");  // baseline frame: length, precision, height, width
    REQUIRE(sof != std::string::npos);
    for (const std::size_t at : {sof + 5, sof + 7}) {
      jpeg[at] = char(60000 >> 8);
      jpeg[at + 1] = char(60000 & 0xFF);
    }
    write_bytes(t.path, jpeg);
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": image is 60000x60000 = 3600000000 pixels, over the budget"));
  }
  SECTION("the budget is a parameter") {
    std::vector<unsigned char> grey(37 * 23, 9);
    write_bytes(t.path, encode_png(37, 23, 0, grey));
    CHECK(load_image(t.path, {.max_pixels = 37 * 23}).width == 37);
    REQUIRE_THROWS_WITH(load_image(t.path, {.max_pixels = 37 * 23 - 1}),
                        Contains(t.path + ": image is 37x23 = 851 pixels, over the budget of 850 pixels"));
    // The file size is bounded by the budget too (16 bytes a pixel + 16 MiB): not even read.
    write_bytes(t.path, png_header_only(1, 1));
    fs::resize_file(t.path, 17u << 20);
    REQUIRE_THROWS_WITH(load_image(t.path, {.max_pixels = 1}),
                        Contains(t.path + ": image file is 17825792 bytes, over the 16777232 bytes a 1-pixel budget allows"));
  }
  SECTION("1x8388609 is an absurd aspect ratio; 1x100 is not") {
    write_bytes(t.path, png_header_only(1, 8388609));
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": image is 1x8388609, an aspect ratio over 100:1"));
    write_bytes(t.path, png_header_only(101, 1));
    REQUIRE_THROWS_WITH(load_image(t.path), Contains(t.path + ": image is 101x1, an aspect ratio over 100:1"));
    write_bytes(t.path, encode_png(1, 100, 0, std::vector<unsigned char>(100, 7)));
    CHECK(load_image(t.path).height == 100);
    REQUIRE_THROWS_WITH(load_image(t.path, {.max_aspect_ratio = 99}), Contains("aspect ratio over 99:1"));
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
  // Errors name the image's file.
  REQUIRE_THROWS_WITH(imagenet_preprocess(image{2, 2, std::vector<unsigned char>(5), "cat.png"}),
                      Contains("cat.png: imagenet_preprocess: image is empty or its pixel buffer has the wrong size"));
  REQUIRE_THROWS_WITH(imagenet_preprocess(image{40, 30, img.rgb, "cat.png"}, 200, 224),
                      Contains("cat.png: imagenet_preprocess: need 0 < crop <= resize"));
}

// The resized long side of a 1x8388609 image is 2^31 + 256: it overflowed int (undefined
// behaviour, then an uncaught std::length_error naming no file). Sizes are 64-bit now.
TEST_CASE("imagenet_preprocess: extreme aspect ratios in 64-bit arithmetic", "[io][image]") {
  const image tall{1, 8388609, std::vector<unsigned char>(std::size_t(8388609) * 3, 100), "tall.png"};
  const std::vector<float> out = imagenet_preprocess(tall);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 224; y += 37)
      for (int x = 0; x < 224; x += 31) REQUIRE(at(out, 224, c, y, x) == Approx(normalised(100.f, c)).margin(1e-5));
  // resize * long side must stay exact in a double (< 2^53) for Python's rounding.
  const image wide{4194305, 1, std::vector<unsigned char>(std::size_t(4194305) * 3, 100), "wide.png"};
  REQUIRE_THROWS_AS(imagenet_preprocess(wide, 2147483647, 224), std::invalid_argument);
  REQUIRE_THROWS_WITH(imagenet_preprocess(wide, 2147483647, 224),
                      Contains("wide.png: imagenet_preprocess: a 4194305x1 image resized to 2147483647 is too large"));
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

// PIL decodes JPEGs with the same libjpeg-turbo and the same settings (accurate IDCT, fancy
// up-sampling), so the decoded pixels are identical and only the resampling's rounding is left,
// as for PNGs. (stb_image's own decoder differed by up to 3 levels: max 0.049, mean 0.0059.)
TEST_CASE("imagenet_preprocess matches torchvision on a JPEG", "[io][image][torch]") {
  constexpr double one_level = 1.0 / (255 * 0.224);
  const diff_stats d = compare_with_torchvision("test.jpg", "test_jpg_preprocessed.npy");
  CHECK(d.max <= one_level + 1e-4);
  CHECK(d.mean <= 0.008);
}
#endif

TEST_CASE("image_tensor: decoded images as a typed tensor, as imagenet_preprocess gives them", "[io][image][tensor]") {
  const image card = test_card();
  const auto t = image_tensor<typenet::shape<3, 224, 224>>({card, card});
  static_assert(std::is_same_v<decltype(t), const typenet::tensor<typenet::shape<3, 224, 224>>>);
  REQUIRE(t.batch() == 2);
  const std::vector<float> one = imagenet_preprocess(card);
  CHECK(std::equal(one.begin(), one.end(), t.data()));
  CHECK(std::equal(one.begin(), one.end(), t.data() + one.size()));
  // Inception's transform: resize 342, crop 299, into its own shape.
  const auto big = image_tensor<typenet::shape<3, 299, 299>>({card}, 342);
  const std::vector<float> ref = imagenet_preprocess(card, 342, 299);
  CHECK(std::equal(ref.begin(), ref.end(), big.data()));
  using s224 = typenet::shape<3, 224, 224>;
  CHECK_THROWS_WITH(image_tensor<s224>({}), Catch::Contains("batch"));

  temp_file f(".png");
  write_bytes(f.path, encode_png(card.width, card.height, 2, card.rgb));
  const auto loaded = load_image_tensor<typenet::shape<3, 224, 224>>({f.path});
  CHECK(std::equal(one.begin(), one.end(), loaded.data()));
  CHECK_THROWS_WITH(load_image_tensor<s224>({f.path + ".missing"}), Catch::Contains(f.path + ".missing"));
}
