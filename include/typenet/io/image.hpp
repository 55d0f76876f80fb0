#pragma once
// Image loading (JPEG through libjpeg-turbo's TurboJPEG API, PNG through libspng) and torchvision's
// ImageNet preprocessing: Resize(256) -> CenterCrop(224) -> ToTensor() -> Normalize(mean, std).
// Decoded pixels are what PIL's Image.open(path).convert("RGB") gives: the same libjpeg-turbo
// (accurate IDCT, fancy up-sampling), the same 16-bit PNG rules. Headers are read first: images
// over the pixel budget or with an absurd aspect ratio are refused before anything is decoded.
// Link with typenet::image (CMake) or `pkg-config --libs libturbojpeg spng`.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <spng.h>
#include <turbojpeg.h>

#include "error.hpp"

namespace typenet::io {

struct image {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;  // HWC, 8 bits per channel
  std::string source = {};         // the file it came from (empty if made in memory): for messages
};

// What load_image accepts; anything else is refused from the header alone, before decoding.
struct image_limits {
  std::uint64_t max_pixels = 64'000'000;  // width * height (64 MP: 192 MB of RGB)
  std::uint64_t max_aspect_ratio = 100;   // longer side / shorter side
  // The file itself may hold at most 16 bytes per pixel of the budget (an uncompressed 16-bit RGBA
  // PNG needs 8) plus 16 MiB of metadata.
  std::uint64_t max_file_bytes() const {
    constexpr std::uint64_t metadata = std::uint64_t(16) << 20, most = ~std::uint64_t(0);
    return max_pixels > (most - metadata) / 16 ? most : 16 * max_pixels + metadata;
  }
};

}  // namespace typenet::io

namespace typenet::io::detail {

[[noreturn]] inline void image_fail(const std::string& path, const std::string& why) {
  throw io_error(path + ": cannot decode image (" + why + ")");
}

// The header's size against the limits: called by both decoders before they allocate anything.
inline void check_image_size(const std::string& path, std::uint64_t w, std::uint64_t h,
                             const image_limits& limits) {
  const std::string dims = std::to_string(w) + "x" + std::to_string(h);
  if (w == 0 || h == 0) image_fail(path, "it has no pixels: " + dims);
  if (w * h > limits.max_pixels)  // w, h < 2^32 each (both formats store them in 32 bits)
    throw io_error(path + ": image is " + dims + " = " + std::to_string(w * h) +
                   " pixels, over the budget of " + std::to_string(limits.max_pixels) +
                   " pixels (image_limits::max_pixels)");
  const std::uint64_t lo = std::min(w, h), hi = std::max(w, h);
  if (hi / lo > limits.max_aspect_ratio || (hi / lo == limits.max_aspect_ratio && hi % lo != 0))
    throw io_error(path + ": image is " + dims + ", an aspect ratio over " +
                   std::to_string(limits.max_aspect_ratio) + ":1 (image_limits::max_aspect_ratio)");
}

struct tj_free {
  void operator()(void* h) const { tjDestroy(h); }
};
struct spng_free {
  void operator()(spng_ctx* c) const { spng_ctx_free(c); }
};

// PIL's CMYK -> RGB (Convert.c cmyk2rgb): nk = 255 - k, out = nk - c * nk / 255, rounded as
// MULDIV255 does. Adobe JPEGs store CMYK inverted: libjpeg hands it over as stored, and PIL reads
// it with the "CMYK;I" raw mode, which undoes the inversion first.
inline unsigned char pil_cmyk_channel(unsigned c, unsigned k) {
  const unsigned nk = 255 - k;
  const unsigned t = c * nk + 128;
  const unsigned muldiv = ((t >> 8) + t) >> 8;
  return static_cast<unsigned char>(nk - muldiv);
}

inline image decode_jpeg(const std::string& path, const std::string& bytes, const image_limits& limits) {
  const std::unique_ptr<void, tj_free> tj(tjInitDecompress());
  if (!tj) image_fail(path, "cannot create a JPEG decoder");
  const auto* buf = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto size = static_cast<unsigned long>(bytes.size());
  int w = 0, h = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), buf, size, &w, &h, &subsamp, &colorspace) != 0)
    image_fail(path, tjGetErrorStr2(tj.get()));
  check_image_size(path, std::uint64_t(w), std::uint64_t(h), limits);
  const bool cmyk = colorspace == TJCS_CMYK || colorspace == TJCS_YCCK;
  const int channels = cmyk ? 4 : 3;
  std::vector<unsigned char> pixels(std::size_t(w) * std::size_t(h) * std::size_t(channels));
  // Accurate IDCT and fancy up-sampling are TurboJPEG's defaults and what PIL gets from the same
  // library; a hostile progressive JPEG with thousands of scans is cut short (LIMITSCANS). Every
  // warning (a truncated or corrupt stream) is an error: no half-decoded image goes on.
  if (tjDecompress2(tj.get(), buf, size, pixels.data(), w, 0, h, cmyk ? TJPF_CMYK : TJPF_RGB,
                    TJFLAG_ACCURATEDCT | TJFLAG_LIMITSCANS | TJFLAG_STOPONWARNING) != 0)
    image_fail(path, tjGetErrorStr2(tj.get()));
  image img{w, h, {}, path};
  if (!cmyk) {
    img.rgb = std::move(pixels);
    return img;
  }
  img.rgb.resize(std::size_t(w) * std::size_t(h) * 3);
  for (std::size_t p = 0, n = std::size_t(w) * std::size_t(h); p < n; ++p) {
    const unsigned char* q = &pixels[4 * p];
    for (std::size_t c = 0; c < 3; ++c) img.rgb[3 * p + c] = pil_cmyk_channel(255u - q[c], 255u - q[3]);
  }
  return img;
}

inline image decode_png(const std::string& path, const std::string& bytes, const image_limits& limits) {
  const std::unique_ptr<spng_ctx, spng_free> ctx(spng_ctx_new(0));
  if (!ctx) image_fail(path, "cannot create a PNG decoder");
  const auto check = [&](int err) {
    if (err != 0) image_fail(path, spng_strerror(err));
  };
  // libspng's own guards: dimensions (it allows up to 2^31 - 1), ancillary chunks of at most
  // 16 MiB and 64 MiB cached in all (text, ICC profiles, ...).
  const std::uint64_t side = std::min<std::uint64_t>(limits.max_pixels, 0x7FFFFFFF);
  check(spng_set_image_limits(ctx.get(), std::uint32_t(side), std::uint32_t(side)));
  check(spng_set_chunk_limits(ctx.get(), std::size_t(16) << 20, std::size_t(64) << 20));
  check(spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size()));
  spng_ihdr ihdr{};
  check(spng_get_ihdr(ctx.get(), &ihdr));
  check_image_size(path, ihdr.width, ihdr.height, limits);
  const std::size_t n = std::size_t(ihdr.width) * std::size_t(ihdr.height);
  image img{int(ihdr.width), int(ihdr.height), std::vector<unsigned char>(n * 3), path};
  if (ihdr.bit_depth <= 8) {
    // Grey (1-8 bits, scaled to 8), palette, grey+alpha, RGB(A): RGB8 drops alpha and ignores
    // tRNS and gAMA, like PIL's convert("RGB").
    check(spng_decode_image(ctx.get(), img.rgb.data(), img.rgb.size(), SPNG_FMT_RGB8, 0));
    return img;
  }
  // 16 bits: PIL opens grey as mode "I" and its conversion to RGB clips at 255; colour and
  // grey+alpha it reads through 8-bit raw modes that keep each sample's high byte.
  std::size_t len = 0;
  check(spng_decoded_image_size(ctx.get(), SPNG_FMT_PNG, &len));
  const std::size_t channels = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE ? 1
                               : ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA ? 2
                               : ihdr.color_type == SPNG_COLOR_TYPE_TRUECOLOR ? 3 : 4;
  if (len != n * channels * 2) image_fail(path, "unexpected 16-bit layout");
  std::vector<std::uint16_t> samples(n * channels);  // host-endian
  check(spng_decode_image(ctx.get(), samples.data(), len, SPNG_FMT_PNG, 0));
  for (std::size_t p = 0; p < n; ++p) {
    const std::uint16_t* s = &samples[p * channels];
    for (std::size_t c = 0; c < 3; ++c) {
      const std::uint16_t v = s[channels >= 3 ? c : 0];
      img.rgb[3 * p + c] = static_cast<unsigned char>(channels == 1 ? std::min<std::uint16_t>(v, 255) : v >> 8);
    }
  }
  return img;
}

}  // namespace typenet::io::detail

namespace typenet::io {

// Decodes a JPEG or PNG file to 3 channels (grey is replicated, alpha dropped), as
// PIL's Image.open(path).convert("RGB") does. Throws io_error naming the file: unreadable, not a
// JPEG or PNG, corrupt or truncated, or over `limits` (checked from the header, before decoding).
inline image load_image(const std::string& path, const image_limits& limits = {}) {
  std::string bytes;
  {
    detail::file f(path, "rb");
    const std::uintmax_t size = f.size();
    if (size > limits.max_file_bytes())
      throw io_error(path + ": image file is " + std::to_string(size) + " bytes, over the " +
                     std::to_string(limits.max_file_bytes()) + " bytes a " +
                     std::to_string(limits.max_pixels) + "-pixel budget allows (image_limits::max_pixels)");
    bytes.resize(static_cast<std::size_t>(size));
    f.read(bytes.data(), bytes.size(), "the image");
  }
  const auto starts_with = [&](std::string_view magic) { return std::string_view(bytes).starts_with(magic); };
  if (starts_with("\xFF\xD8\xFF")) return detail::decode_jpeg(path, bytes, limits);
  if (starts_with("\x89PNG\r\n\x1A\n")) return detail::decode_png(path, bytes, limits);
  detail::image_fail(path, bytes.empty() ? "the file is empty" : "not a JPEG or PNG file");
}

// A deterministic 320x240 test card (gradients and a disc): an input for demos that have no photo,
// to be run through the same preprocessing as one.
inline image test_card() {
  image img{320, 240, std::vector<unsigned char>(320 * 240 * 3)};
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      unsigned char* px = &img.rgb[std::size_t(y * img.width + x) * 3];
      const bool disc = (x - 170) * (x - 170) + (y - 110) * (y - 110) < 60 * 60;
      px[0] = disc ? 230 : static_cast<unsigned char>(x * 255 / img.width);
      px[1] = disc ? 40 : static_cast<unsigned char>(y * 255 / img.height);
      px[2] = static_cast<unsigned char>((x + y) % 256);
    }
  return img;
}

}  // namespace typenet::io

namespace typenet::io::detail {

// One output sample of a 1-D resampling: a weighted sum of in[first .. first + weights.size()).
struct resample_tap {
  std::int64_t first = 0;
  std::vector<float> weights;
};

// PIL's ImagingResample coefficients for the BILINEAR (triangle) filter, which is what
// torchvision's Resize uses on PIL images. When down-scaling, the filter's support grows with the
// scale factor (antialiasing); every output sample's weights are normalised to sum to 1.
// Only outputs [out_first, out_first + count) are computed: the rest would be cropped away.
inline std::vector<resample_tap> pil_bilinear_taps(std::int64_t in_size, std::int64_t out_size,
                                                   std::int64_t out_first, std::int64_t count) {
  const double scale = double(in_size) / double(out_size);
  const double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = 1.0 * filterscale;  // the triangle filter's support is 1
  std::vector<resample_tap> taps(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    const double center = (double(out_first + i) + 0.5) * scale;
    // Same truncations as PIL, so that the windows match it exactly.
    const std::int64_t xmin = std::max<std::int64_t>(static_cast<std::int64_t>(center - support + 0.5), 0);
    const std::int64_t xmax =
        std::clamp<std::int64_t>(static_cast<std::int64_t>(center + support + 0.5), xmin, in_size);
    std::vector<double> w(static_cast<std::size_t>(xmax - xmin));
    double sum = 0;
    for (std::int64_t x = xmin; x < xmax; ++x) {
      const double t = std::fabs((double(x) - center + 0.5) / filterscale);
      sum += w[std::size_t(x - xmin)] = t < 1.0 ? 1.0 - t : 0.0;
    }
    auto& tap = taps[std::size_t(i)];
    tap.first = xmin;
    for (double v : w) tap.weights.push_back(static_cast<float>(sum != 0.0 ? v / sum : 0.0));
  }
  return taps;
}

// Python's round() for the x.0 / x.5 values CenterCrop produces: halves go to the even neighbour.
inline std::int64_t round_half_even_div2(std::int64_t d) {
  const std::int64_t half = d / 2;  // d >= 0
  return (d % 2 == 0 || half % 2 == 0) ? half : half + 1;
}

// "photo.jpg: imagenet_preprocess" or just "imagenet_preprocess": how its errors begin.
inline std::string preprocess_where(const image& img) {
  return img.source.empty() ? "imagenet_preprocess" : img.source + ": imagenet_preprocess";
}

}  // namespace typenet::io::detail

namespace typenet::io {

// torchvision ImageNet evaluation preprocessing of an RGB image, written as CHW floats to out_chw
// (3 * crop * crop values). The resampling is computed in float instead of PIL's 8-bit
// intermediates, so results differ from torchvision by at most a few 1/255 steps (divided by std).
// All size arithmetic is 64-bit; errors (std::invalid_argument) begin with the image's file.
inline void imagenet_preprocess(const image& img, float* out_chw, int resize = 256, int crop = 224) {
  const std::string where = detail::preprocess_where(img);
  if (img.width <= 0 || img.height <= 0 ||
      img.rgb.size() != std::size_t(img.width) * std::size_t(img.height) * 3)
    throw std::invalid_argument(where + ": image is empty or its pixel buffer has the wrong size");
  if (resize <= 0 || crop <= 0 || crop > resize)
    throw std::invalid_argument(where + ": need 0 < crop <= resize");

  // Resize(int): the shorter side becomes `resize`, the longer one int(resize * long / short),
  // with Python's true division and truncation. The product must be exact in a double (< 2^53)
  // for this to be Python's result; it is for any image load_image accepts.
  const std::int64_t w = img.width, h = img.height;
  const std::int64_t shorter = std::min(w, h), longer = std::max(w, h);
  const std::int64_t product = std::int64_t(resize) * longer;  // < 2^62: no overflow
  if (product >= (std::int64_t(1) << 53))
    throw std::invalid_argument(where + ": a " + std::to_string(w) + "x" + std::to_string(h) +
                                " image resized to " + std::to_string(resize) + " is too large to resample");
  const auto resized_long = static_cast<std::int64_t>(double(product) / double(shorter));
  const std::int64_t new_w = w <= h ? resize : resized_long, new_h = w <= h ? resized_long : resize;
  // CenterCrop: top = int(round((new_h - crop) / 2.0)), same for left (new sizes >= resize >= crop).
  const std::int64_t top = detail::round_half_even_div2(new_h - crop);
  const std::int64_t left = detail::round_half_even_div2(new_w - crop);

  const auto xs = detail::pil_bilinear_taps(w, new_w, left, crop);
  const auto ys = detail::pil_bilinear_taps(h, new_h, top, crop);

  // Horizontal pass first (as PIL does), over just the input rows the vertical pass will read.
  const std::size_t c3 = std::size_t(crop) * 3;
  const std::int64_t row0 = ys.front().first;
  const std::int64_t row1 = ys.back().first + static_cast<std::int64_t>(ys.back().weights.size());
  std::vector<float> tmp(std::size_t(row1 - row0) * c3);
  for (std::int64_t y = row0; y < row1; ++y) {
    const unsigned char* in_row = img.rgb.data() + std::size_t(y) * std::size_t(w) * 3;
    float* t_row = tmp.data() + std::size_t(y - row0) * c3;
    for (std::size_t x = 0; x < std::size_t(crop); ++x) {
      const auto& tap = xs[x];
      float r = 0, g = 0, b = 0;
      const unsigned char* p = in_row + std::size_t(tap.first) * 3;
      for (std::size_t k = 0; k < tap.weights.size(); ++k, p += 3) {
        r += tap.weights[k] * p[0];
        g += tap.weights[k] * p[1];
        b += tap.weights[k] * p[2];
      }
      t_row[3 * x + 0] = r;
      t_row[3 * x + 1] = g;
      t_row[3 * x + 2] = b;
    }
  }

  static constexpr float mean[3] = {0.485f, 0.456f, 0.406f};
  static constexpr float stddev[3] = {0.229f, 0.224f, 0.225f};
  const std::size_t plane = std::size_t(crop) * std::size_t(crop);
  for (std::size_t y = 0; y < std::size_t(crop); ++y) {
    const auto& tap = ys[y];
    for (std::size_t x = 0; x < std::size_t(crop); ++x) {
      float acc[3] = {0, 0, 0};
      for (std::size_t k = 0; k < tap.weights.size(); ++k) {
        const float* t = tmp.data() + (std::size_t(tap.first - row0) + k) * c3 + x * 3;
        for (int c = 0; c < 3; ++c) acc[c] += tap.weights[k] * t[c];
      }
      for (std::size_t c = 0; c < 3; ++c)  // ToTensor (/255) then Normalize, in torchvision's order
        out_chw[c * plane + y * std::size_t(crop) + x] = (acc[c] / 255.0f - mean[c]) / stddev[c];
    }
  }
}

inline std::vector<float> imagenet_preprocess(const image& img, int resize = 256, int crop = 224) {
  if (crop <= 0 || crop > resize) throw std::invalid_argument(detail::preprocess_where(img) + ": need 0 < crop <= resize");
  std::vector<float> out(3 * std::size_t(crop) * std::size_t(crop));
  imagenet_preprocess(img, out.data(), resize, crop);
  return out;
}

}  // namespace typenet::io
