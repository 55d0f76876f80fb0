#pragma once
#include "../layer.hpp"

namespace typenet {

// Fully connected layer on the flattened input (C*H*W features), weights [Out][C*H*W].
template <int Out, bool Bias = true>
struct linear {
  static constexpr std::string_view kind = "linear";
  static constexpr int out_features = Out;
  static constexpr bool bias = Bias;

  template <class In, bool Diagnose = false>
  static constexpr bool check() {
    if constexpr (Out <= 0) {
      if constexpr (Diagnose) {
        static_assert(Out > 0, "linear: Out must be positive");
        (void)sizeof(detail::shape_mismatch<linear, Out>);
      }
      return false;
    } else {
      return true;
    }
  }
  template <class In>
  using output = shape<Out, 1, 1>;
  template <class In>
  static constexpr long params = In::size * Out + (Bias ? Out : 0);
  template <class In>
  static constexpr long macs = In::size * Out;
};

}  // namespace typenet
