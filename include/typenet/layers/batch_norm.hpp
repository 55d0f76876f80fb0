#pragma once
#include "../layer.hpp"

namespace typenet {

// Batch normalisation in inference form: y = (x - running_mean) / sqrt(running_var + Eps) * weight + bias.
// Parameters count weight and bias only (running statistics are buffers, as in PyTorch).
template <double Eps = 1e-5>
struct basic_batch_norm {
  static constexpr std::string_view kind = "batch_norm";
  static constexpr float eps = float(Eps);
  static_assert(Eps > 0, "batch_norm: Eps must be positive");

  template <class In, bool Diagnose = false>
  static constexpr bool check() { return true; }
  template <class In>
  using output = In;
  template <class In>
  static constexpr long params = 2L * In::channels;
  template <class In>
  static constexpr long macs = 0;  // folded into the preceding convolution at load time
};

using batch_norm = basic_batch_norm<>;  // torchvision's eps; Keras' ResNeXt uses basic_batch_norm<1.001e-5>

}  // namespace typenet
