#pragma once
// A model's parameters by torchvision state_dict name: what the model needs (tensor_specs), loaded
// from a safetensors file with every name, dtype and shape checked, or made from a seed. The
// static entry points and the dynamic model share every step below.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "../io/safetensors.hpp"
#include "../model.hpp"
#include "weight_store.hpp"

namespace typenet {

// Every tensor model M reads, in model order, named as in torchvision's state_dict.
template <model_type M>
std::vector<tensor_spec> tensor_specs() {
  if constexpr (detail::model_ok<M>)
    return ir::tensor_specs(ir::resolve(lower<typename M::body>(), M::input_shape::dims));
  else
    return {};
}

// The same check against M's tensor_specs<M>().
template <model_type M>
void check_weights(const weight_store& store, const std::string& origin = "weights") {
  if constexpr (detail::model_ok<M>) check_weights(tensor_specs<M>(), store, origin);
}

// Reads a torchvision state_dict from a safetensors file (F32 tensors; the I64
// num_batches_tracked counters are skipped) and checks it against `specs`. Throws io_error for a
// malformed file, weights_error when the file does not fit.
inline weight_store load_weights(const std::vector<tensor_spec>& specs, const std::string& path) {
  const io::safetensors_file file(path);
  weight_store store;
  for (const auto& info : file.tensors()) {
    if (info.name.ends_with(".num_batches_tracked")) continue;
    if (info.dtype != "F32")
      throw weights_error(path + ": tensor '" + io::printable(info.name) + "' has dtype " + io::printable(info.dtype) +
                          ", typenet reads F32");
    const auto values = file.floats(info);
    // A view into the mapping (no copy); the rare tensor at an unaligned offset was copied by
    // the reader and is owned here.
    if (file.mapping()->contains(values.data(), values.size_bytes()))
      store.set(info.name, info.shape, float_values(values, file.mapping()));
    else
      store.set(info.name, info.shape, std::vector<float>(values.begin(), values.end()));
  }
  check_weights(specs, store, path);
  return store;
}

template <model_type M>
weight_store load_weights(const std::string& path) {
  if constexpr (detail::model_ok<M>) return load_weights(tensor_specs<M>(), path); else return {};
}

namespace detail {
// splitmix64: a tiny, well-mixed generator, so seeded weights are the same on every platform.
struct splitmix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  float uniform(float lo, float hi) { return lo + (hi - lo) * float(next() >> 40) * (1.0f / 16777216.0f); }
};
}  // namespace detail

// Deterministic weights for demos and tests: He-uniform conv/linear weights and randomised batch
// norm statistics and affine parameters (the defaults 0/1 would hide batch-norm bugs). The last
// batch norm of every residual branch (bn3) is scaled down so 16 blocks keep activations sane.
inline weight_store seeded_weights(const std::vector<tensor_spec>& specs, std::uint64_t seed) {
  weight_store store;
  detail::splitmix64 rng{seed};
  for (const auto& spec : specs) {
    std::vector<float> v(static_cast<std::size_t>(spec.numel()));
    const auto ends = [&](const char* s) { return spec.name.ends_with(s); };
    if (ends(".running_mean") || ends(".bias")) {
      for (float& x : v) x = rng.uniform(-0.1f, 0.1f);
    } else if (ends(".running_var")) {
      for (float& x : v) x = rng.uniform(0.5f, 1.5f);
    } else if (spec.shape.size() == 1) {  // batch norm weight
      const float scale = ends("bn3.weight") || ends("downsample.1.weight") ? 0.3f : 1.0f;
      for (float& x : v) x = scale * rng.uniform(0.5f, 1.5f);
    } else {
      const long fan_in = spec.numel() / spec.shape[0];
      const float bound = std::sqrt(6.0f / float(fan_in));
      for (float& x : v) x = rng.uniform(-bound, bound);
    }
    store.set(spec.name, spec.shape, std::move(v));
  }
  return store;
}

template <model_type M>
weight_store seeded_weights(std::uint64_t seed) {
  return seeded_weights(tensor_specs<M>(), seed);
}

}  // namespace typenet
