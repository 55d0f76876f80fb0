#pragma once
#include <ratio>

#include "../layer.hpp"

namespace typenet {

// Batch normalisation in inference form: y = (x - running_mean) / sqrt(running_var + Eps) * weight + bias.
// Parameters count weight and bias only (running statistics are buffers, as in PyTorch).
template <class Eps = std::ratio<1, 100000>>
struct basic_batch_norm {
  static constexpr std::string_view kind = "batch_norm";
  static constexpr float eps = float(double(Eps::num) / double(Eps::den));
  static_assert(Eps::num > 0, "batch_norm: Eps must be positive");

  template <class In, bool Diagnose = false>
  static constexpr bool check() { return true; }
  template <class In>
  using output = In;
  template <class In>
  static constexpr long params = 2L * In::channels;
  template <class In>
  static constexpr long macs = 0;  // folded into the preceding convolution at load time
};

using batch_norm = basic_batch_norm<>;  // torchvision's eps; Keras' ResNeXt: basic_batch_norm<std::ratio<1001, 100000000>>

}  // namespace typenet
