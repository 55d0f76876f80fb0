#pragma once
// Image loading (JPEG, PNG, BMP, PNM, ... via stb_image) and torchvision's ImageNet
// preprocessing: Resize(256) -> CenterCrop(224) -> ToTensor() -> Normalize(mean, std).
#include <climits>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "error.hpp"

// stb_image is a single-header library. Each TU that includes this header gets its own private
// (static) copy of the implementation, so there is nothing to link and no clash between TUs. If the
// TU already included stb_image.h itself, we use that instead of including it a second time.
#ifndef STBI_INCLUDE_STB_IMAGE_H
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#pragma GCC diagnostic push  // third-party code: its warnings are not ours to fix
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wcast-align"
#pragma GCC diagnostic ignored "-Wzero-as-null-pointer-constant"
#pragma GCC diagnostic ignored "-Wpedantic"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuseless-cast"
#pragma GCC diagnostic ignored "-Wduplicated-branches"
#endif
#if __has_include(<stb_image.h>)
#include <stb_image.h>
#else
#include <stb/stb_image.h>  // Debian's libstb-dev installs under /usr/include/stb
#endif
#pragma GCC diagnostic pop
#undef STB_IMAGE_IMPLEMENTATION
#undef STB_IMAGE_STATIC
#endif

namespace typenet::io {

struct image {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;  // HWC, 8 bits per channel
};

// Decodes any format stb_image knows, always to 3 channels (grey is replicated, alpha dropped).
inline image load_image(const std::string& path) {
  const std::string bytes = detail::read_whole_file(path);
  if (bytes.size() > static_cast<std::size_t>(INT_MAX))
    throw io_error(path + ": cannot decode image: file is larger than 2 GiB");
  int w = 0, h = 0, channels = 0;
  unsigned char* pixels =
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                            static_cast<int>(bytes.size()), &w, &h, &channels, 3);
  if (!pixels) {
    const char* why = stbi_failure_reason();
    throw io_error(path + ": cannot decode image (" + (why ? why : "unknown error") + ")");
  }
  if (w <= 0 || h <= 0) {  // stb accepts e.g. a PPM header declaring 0 columns
    stbi_image_free(pixels);
    throw io_error(path + ": cannot decode image (it has no pixels: " + std::to_string(w) + "x" +
                   std::to_string(h) + ")");
  }
  image img;
  img.width = w;
  img.height = h;
  img.rgb.assign(pixels, pixels + std::size_t(w) * std::size_t(h) * 3);
  stbi_image_free(pixels);
  return img;
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
  int first = 0;
  std::vector<float> weights;
};

// PIL's ImagingResample coefficients for the BILINEAR (triangle) filter, which is what
// torchvision's Resize uses on PIL images. When down-scaling, the filter's support grows with the
// scale factor (antialiasing); every output sample's weights are normalised to sum to 1.
// Only outputs [out_first, out_first + count) are computed: the rest would be cropped away.
inline std::vector<resample_tap> pil_bilinear_taps(int in_size, int out_size, int out_first,
                                                   int count) {
  const double scale = double(in_size) / out_size;
  const double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = 1.0 * filterscale;  // the triangle filter's support is 1
  std::vector<resample_tap> taps(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const double center = (out_first + i + 0.5) * scale;
    // Same truncations as PIL, so that the windows match it exactly.
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    std::vector<double> w(static_cast<std::size_t>(xmax - xmin));
    double sum = 0;
    for (int x = xmin; x < xmax; ++x) {
      const double t = std::fabs((x - center + 0.5) / filterscale);
      sum += w[std::size_t(x - xmin)] = t < 1.0 ? 1.0 - t : 0.0;
    }
    auto& tap = taps[std::size_t(i)];
    tap.first = xmin;
    for (double v : w) tap.weights.push_back(static_cast<float>(sum != 0.0 ? v / sum : 0.0));
  }
  return taps;
}

// Python's round() for the x.0 / x.5 values CenterCrop produces: halves go to the even neighbour.
inline int round_half_even_div2(int d) {
  const int half = d / 2;  // d >= 0
  return (d % 2 == 0 || half % 2 == 0) ? half : half + 1;
}

}  // namespace typenet::io::detail

namespace typenet::io {

// torchvision ImageNet evaluation preprocessing of an RGB image, written as CHW floats to out_chw
// (3 * crop * crop values). The resampling is computed in float instead of PIL's 8-bit
// intermediates, so results differ from torchvision by at most a few 1/255 steps (divided by std).
inline void imagenet_preprocess(const image& img, float* out_chw, int resize = 256, int crop = 224) {
  if (img.width <= 0 || img.height <= 0 ||
      img.rgb.size() != std::size_t(img.width) * std::size_t(img.height) * 3)
    throw std::invalid_argument("imagenet_preprocess: image is empty or its pixel buffer has the wrong size");
  if (resize <= 0 || crop <= 0 || crop > resize)
    throw std::invalid_argument("imagenet_preprocess: need 0 < crop <= resize");

  // Resize(int): the shorter side becomes `resize`, the longer one int(resize * long / short),
  // with Python's true division and truncation.
  const int w = img.width, h = img.height;
  int new_w, new_h;
  if (w <= h) {
    new_w = resize;
    new_h = static_cast<int>(double(long(resize) * h) / w);
  } else {
    new_h = resize;
    new_w = static_cast<int>(double(long(resize) * w) / h);
  }
  // CenterCrop: top = int(round((new_h - crop) / 2.0)), same for left.
  const int top = detail::round_half_even_div2(new_h - crop);
  const int left = detail::round_half_even_div2(new_w - crop);

  const auto xs = detail::pil_bilinear_taps(w, new_w, left, crop);
  const auto ys = detail::pil_bilinear_taps(h, new_h, top, crop);

  // Horizontal pass first (as PIL does), over just the input rows the vertical pass will read.
  const int row0 = ys.front().first;
  const int row1 = ys.back().first + static_cast<int>(ys.back().weights.size());
  std::vector<float> tmp(std::size_t(row1 - row0) * std::size_t(crop) * 3);
  for (int y = row0; y < row1; ++y) {
    const unsigned char* in_row = img.rgb.data() + std::size_t(y) * std::size_t(w) * 3;
    float* t_row = tmp.data() + std::size_t(y - row0) * std::size_t(crop) * 3;
    for (int x = 0; x < crop; ++x) {
      const auto& tap = xs[std::size_t(x)];
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
  for (int y = 0; y < crop; ++y) {
    const auto& tap = ys[std::size_t(y)];
    for (int x = 0; x < crop; ++x) {
      float acc[3] = {0, 0, 0};
      for (std::size_t k = 0; k < tap.weights.size(); ++k) {
        const float* t = tmp.data() + (std::size_t(tap.first - row0) + k) * std::size_t(crop) * 3 + std::size_t(x) * 3;
        for (int c = 0; c < 3; ++c) acc[c] += tap.weights[k] * t[c];
      }
      for (int c = 0; c < 3; ++c)  // ToTensor (/255) then Normalize, in torchvision's order
        out_chw[std::size_t(c) * plane + std::size_t(y) * std::size_t(crop) + std::size_t(x)] =
            (acc[c] / 255.0f - mean[c]) / stddev[c];
    }
  }
}

inline std::vector<float> imagenet_preprocess(const image& img, int resize = 256, int crop = 224) {
  if (crop <= 0) throw std::invalid_argument("imagenet_preprocess: need 0 < crop <= resize");
  std::vector<float> out(3 * std::size_t(crop) * std::size_t(crop));
  imagenet_preprocess(img, out.data(), resize, crop);
  return out;
}

}  // namespace typenet::io
