#pragma once
// Parameters by torchvision state_dict name, and the check that a set of them fits a model.
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "../io/dims.hpp"
#include "finite.hpp"

namespace typenet {

// A weights file that does not fit the model: the message names the tensor and both shapes.
struct weights_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One tensor a model reads: its state_dict name and shape.
struct tensor_spec {
  std::string name;
  std::vector<long> shape;
  long numel() const { return io::element_count(shape); }
};

// Parameters by name. Owns its data; an executor copies (and repacks) what it reads at set-up, so
// the store may be dropped afterwards.
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
    if (it == tensors_.end()) throw weights_error("weights: no tensor '" + io::printable(name) + "'");
    return it->second;
  }
  const float* data(const std::string& name) const { return at(name).data.data(); }
  float* mutable_data(const std::string& name) { return const_cast<float*>(data(name)); }
  std::size_t size() const { return tensors_.size(); }
  const std::map<std::string, tensor>& tensors() const { return tensors_; }

 private:
  std::map<std::string, tensor> tensors_;
};

// Checks that `store` has exactly the tensors of `specs` with their shapes and only finite values
// (and batch norm variances >= 0: PyTorch's output would be all NaN); throws weights_error on the
// first problem (missing, wrong shape or size, a NaN/infinity or negative variance with its
// position), then on unexpected extra tensors. `origin` prefixes messages.
inline void check_weights(const std::vector<tensor_spec>& specs, const weight_store& store,
                          const std::string& origin = "weights") {
  using io::shape_string;
  for (const auto& spec : specs) {
    const auto it = store.tensors().find(spec.name);
    if (it == store.tensors().end())
      throw weights_error(origin + ": missing tensor '" + io::printable(spec.name) + "' (the model needs " + shape_string(spec.shape) + ")");
    if (it->second.shape != spec.shape)
      throw weights_error(origin + ": tensor '" + io::printable(spec.name) + "' has shape " + shape_string(it->second.shape) +
                          ", the model needs " + shape_string(spec.shape));
    const std::vector<float>& data = it->second.data;
    const std::string where = origin + ": tensor '" + io::printable(spec.name) + "' " + shape_string(spec.shape);
    if (data.size() != static_cast<std::size_t>(spec.numel()))
      throw weights_error(where + " holds " + std::to_string(data.size()) + " values, its shape needs " +
                          std::to_string(spec.numel()));
    try {
      check_finite(data, where, spec.shape);
    } catch (const non_finite_error& e) {
      throw weights_error(e.what());
    }
    if (spec.name.ends_with(".running_var"))
      for (std::size_t i = 0; i < data.size(); ++i)
        if (data[i] < 0.0f)
          throw weights_error(where + ": " + detail::element_string(i, spec.shape) + " is " +
                              detail::value_string(data[i]) + ", but a variance must be >= 0");
  }
  if (store.size() != specs.size()) {
    for (const auto& [name, t] : store.tensors()) {
      bool known = false;
      for (const auto& spec : specs) known = known || spec.name == name;
      if (!known)
        throw weights_error(origin + ": unexpected tensor '" + io::printable(name) + "' " + shape_string(t.shape) + " is not part of the model");
    }
  }
}

}  // namespace typenet
