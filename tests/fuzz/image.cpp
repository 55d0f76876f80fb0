// libFuzzer harness: an image file (JPEG or PNG) through what the CLIs do for --image:
// io::load_image with the default pixel budget (the CLIs' --max-pixels default), then torchvision's
// ImageNet preprocessing. Any exception other than io_error / invalid_argument naming the file,
// any crash, leak, UB or non-finite output is a finding.
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include <typenet/io/image.hpp>

#include "scratch_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static typenet::fuzz::scratch_file file(".img");
  const std::string& path = file.write(data, size);
  try {
    const typenet::io::image img = typenet::io::load_image(path, typenet::io::image_limits{});
    if (img.rgb.size() != std::size_t(img.width) * std::size_t(img.height) * 3) std::abort();
    for (float v : typenet::io::imagenet_preprocess(img))
      if (!std::isfinite(v)) std::abort();
  } catch (const typenet::io::io_error& e) {
    typenet::fuzz::require_names_file(e, path);
  } catch (const std::invalid_argument& e) {
    typenet::fuzz::require_names_file(typenet::io::io_error(e.what()), path);
  }
  return 0;
}
