#pragma once
// A model's parameters by torchvision state_dict name: what the type needs (tensor_specs), loaded
// from a safetensors file with every name, dtype and shape checked, or made from a seed.
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "../io/safetensors.hpp"
#include "../kernels/geometry.hpp"
#include "../model.hpp"
#include "walk.hpp"

namespace typenet {

// A weights file that does not fit the model: the message names the tensor and both shapes.
struct weights_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct tensor_spec {
  std::string name;
  std::vector<long> shape;
  long numel() const { return io::element_count(shape); }
};

namespace detail {
using io::shape_string;

// torchvision's state_dict entries of each parametric layer: the one place that spells them, for
// the static and the dynamic front end.
inline void conv2d_tensors(std::vector<tensor_spec>& out, const std::string& path, const kernels::conv_geometry& g, bool bias) {
  out.push_back({path + ".weight", {g.out_c, g.in_c_per_group(), g.kernel, g.kernel}});
  if (bias) out.push_back({path + ".bias", {g.out_c}});
}
inline void batch_norm_tensors(std::vector<tensor_spec>& out, const std::string& path, long channels) {
  for (const char* s : {".weight", ".bias", ".running_mean", ".running_var"}) out.push_back({path + s, {channels}});
}
inline void linear_tensors(std::vector<tensor_spec>& out, const std::string& path, long in_features, long out_features, bool bias) {
  out.push_back({path + ".weight", {out_features, in_features}});
  if (bias) out.push_back({path + ".bias", {out_features}});
}

struct spec_collector {
  std::vector<tensor_spec> specs;
  template <class L, class In>
  void operator()(const std::string& path) {
    if constexpr (is_conv2d<L>) {
      using C = unwrap_t<L>;
      conv2d_tensors(specs, path, C::template geometry<In>, C::bias);
    } else if constexpr (is_batch_norm<L>) {
      batch_norm_tensors(specs, path, In::channels);
    } else if constexpr (is_linear<L>) {
      using F = unwrap_t<L>;
      linear_tensors(specs, path, In::size, F::out_features, F::bias);
    }
  }
};
}  // namespace detail

// Every tensor model M reads, in model order, named as in torchvision's state_dict.
template <model_type M>
std::vector<tensor_spec> tensor_specs() {
  static_assert(well_formed<M>, "tensor_specs: the model is ill-formed (name output_shape_t<M> to see why)");
  detail::spec_collector c;
  detail::for_each_leaf<typename M::body, typename M::input_shape>(c, "");
  return c.specs;
}

// Parameters by name. Owns its data; the executor reads (or repacks) it at set-up.
class weight_store {
 public:
  struct tensor {
    std::vector<long> shape;
    std::vector<float> data;
  };

  void set(const std::string& name, std::vector<long> shape, std::vector<float> data) {
    tensors_[name] = tensor{std::move(shape), std::move(data)};
  }
  const tensor& at(const std::string& name) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) throw weights_error("weights: no tensor '" + name + "'");
    return it->second;
  }
  const float* data(const std::string& name) const { return at(name).data.data(); }
  float* mutable_data(const std::string& name) { return const_cast<float*>(data(name)); }
  std::size_t size() const { return tensors_.size(); }
  const std::map<std::string, tensor>& tensors() const { return tensors_; }

 private:
  std::map<std::string, tensor> tensors_;
};

// Checks that `store` has exactly the tensors of `specs` with their shapes; throws weights_error
// on the first problem (missing, wrong shape), then on unexpected extra tensors. `origin`
// prefixes messages. Shared by the static (check_weights<M>) and the dynamic front end.
inline void check_weights(const std::vector<tensor_spec>& specs, const weight_store& store,
                          const std::string& origin = "weights") {
  for (const auto& spec : specs) {
    const auto it = store.tensors().find(spec.name);
    if (it == store.tensors().end())
      throw weights_error(origin + ": missing tensor '" + spec.name + "' (the model needs " + detail::shape_string(spec.shape) + ")");
    if (it->second.shape != spec.shape)
      throw weights_error(origin + ": tensor '" + spec.name + "' has shape " + detail::shape_string(it->second.shape) +
                          ", the model needs " + detail::shape_string(spec.shape));
  }
  if (store.size() != specs.size()) {
    for (const auto& [name, t] : store.tensors()) {
      bool known = false;
      for (const auto& spec : specs) known = known || spec.name == name;
      if (!known)
        throw weights_error(origin + ": unexpected tensor '" + name + "' " + detail::shape_string(t.shape) +
                            " is not part of the model");
    }
  }
}

// The same check against M's tensor_specs<M>().
template <model_type M>
void check_weights(const weight_store& store, const std::string& origin = "weights") {
  check_weights(tensor_specs<M>(), store, origin);
}

// Reads M's parameters from a safetensors file of a torchvision state_dict (F32 tensors; the I64
// num_batches_tracked counters are skipped). Throws io_error for a malformed file, weights_error
// when the file does not fit M.
template <model_type M>
weight_store load_weights(const std::string& path) {
  const io::safetensors_file file(path);
  weight_store store;
  for (const auto& info : file.tensors()) {
    const bool counter = info.name.size() >= 20 && info.name.ends_with(".num_batches_tracked");
    if (counter) continue;
    if (info.dtype != "F32")
      throw weights_error(path + ": tensor '" + info.name + "' has dtype " + info.dtype + ", typenet reads F32");
    const auto values = file.floats(info);
    store.set(info.name, info.shape, std::vector<float>(values.begin(), values.end()));
  }
  check_weights<M>(store, path);
  return store;
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
