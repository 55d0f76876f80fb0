#pragma once
// Parameters by torchvision state_dict name, and the check that a set of them fits a model.
#include <algorithm>
#include <initializer_list>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "../io/dims.hpp"
#include "../io/mapped_file.hpp"
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

// One tensor's values: owned, or a read-only view into a mapped weights file (which it keeps
// alive). A view is what load_weights makes: the file's pages are read in place, and release()
// lets them leave the resident set once a reader is done (they come back from the page cache if
// read again), so a loaded model never holds a second copy of its weights.
class float_values {
 public:
  float_values() = default;
  float_values(std::vector<float> owned) : owned_(std::move(owned)) {}  // NOLINT: a vector is a value
  float_values(std::initializer_list<float> owned) : owned_(owned) {}
  float_values(std::span<const float> view, std::shared_ptr<const io::mapped_file> mapping)
      : view_(view.data()), size_(view.size()), mapping_(std::move(mapping)) {}

  const float* data() const { return mapping_ ? view_ : owned_.data(); }
  std::size_t size() const { return mapping_ ? size_ : owned_.size(); }
  bool empty() const { return size() == 0; }
  const float* begin() const { return data(); }
  const float* end() const { return data() + size(); }
  const float& operator[](std::size_t i) const { return data()[i]; }
  operator std::span<const float>() const { return {data(), size()}; }  // NOLINT
  std::vector<float> copy() const { return {begin(), end()}; }
  friend bool operator==(const float_values& a, const float_values& b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }
  bool mapped() const { return mapping_ != nullptr; }

  // Writable values: a view is copied into owned memory first (the mapping is read-only).
  float* mutable_data() {
    if (mapping_) owned_ = copy(), mapping_.reset();
    return owned_.data();
  }
  // Drops a view's pages from the resident set (nothing for owned values).
  void release() const {
    if (mapping_) mapping_->release(view_, size_ * sizeof(float));
  }

 private:
  std::vector<float> owned_;
  const float* view_ = nullptr;
  std::size_t size_ = 0;
  std::shared_ptr<const io::mapped_file> mapping_;
};

// Parameters by name. An executor copies (and repacks) what it reads at set-up, so the store may
// be dropped afterwards.
class weight_store {
 public:
  struct tensor {
    std::vector<long> shape;
    float_values data;
  };

  void set(const std::string& name, std::vector<long> shape, float_values data) {
    tensors_[name] = tensor{std::move(shape), std::move(data)};
  }
  const tensor& at(const std::string& name) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) throw weights_error("weights: no tensor '" + io::printable(name) + "'");
    return it->second;
  }
  const float* data(const std::string& name) const { return at(name).data.data(); }
  float* mutable_data(const std::string& name) {
    at(name);  // the error for a missing name
    return tensors_.find(name)->second.data.mutable_data();
  }
  // A copy of the tensor's values; its mapped pages (if any) are released afterwards: set-up
  // reads each tensor once.
  std::vector<float> take_copy(const std::string& name) const {
    const float_values& v = at(name).data;
    std::vector<float> out = v.copy();
    v.release();
    return out;
  }
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
    const float_values& data = it->second.data;
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
    data.release();  // checked: its pages need not stay resident
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
