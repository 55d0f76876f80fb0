#pragma once
// Images as typed tensors: torchvision's ImageNet evaluation transform (resize the shorter side to
// `resize`, centre-crop to the shape's size, normalise) into a tensor<shape<3, N, N>>, so decoded
// images meet executor<M>::forward with their shape in the type. (Apart from tensor.hpp because
// it needs the image decoders: link typenet::image.)
#include <string>
#include <vector>

#include "../tensor.hpp"
#include "image.hpp"

namespace typenet::io {

// A batch of decoded images, preprocessed into one tensor of shape S (3 x N x N).
template <shape_type S>
tensor<S> image_tensor(const std::vector<image>& images, int resize = 256) {
  static_assert(S::channels == 3 && S::height == S::width,
                "io::image_tensor: images preprocess to 3 x N x N (torchvision's square centre crop)");
  if (images.empty()) throw io_error("io::image_tensor: no images (a batch needs at least one)");
  tensor<S> t(int(images.size()));
  for (std::size_t n = 0; n < images.size(); ++n) imagenet_preprocess(images[n], t.data() + long(n) * S::size, resize, S::height);
  return t;
}

// The same from files (each refused with its name if unreadable or over `limits`).
template <shape_type S>
tensor<S> load_image_tensor(const std::vector<std::string>& paths, int resize = 256, const image_limits& limits = {}) {
  std::vector<image> images;
  for (const std::string& p : paths) images.push_back(load_image(p, limits));
  return image_tensor<S>(images, resize);
}

}  // namespace typenet::io
