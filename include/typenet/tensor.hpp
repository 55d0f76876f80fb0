#pragma once
// Typed tensors: a batch of images whose per-image shape is part of the type, so that the shape a
// model expects is checked by the compiler where the data meets the model (executor<M>::forward).
//   tensor_view<shape<C, H, W>>        caller memory, [batch][C][H][W] floats, writable
//   tensor_view<const shape<C, H, W>>  the same, read-only (a writable view converts to it)
//   tensor<shape<C, H, W>>             owning, 64-byte aligned, zero-filled
// The batch is the only run-time size. From an .npy array (io::array) the conversion checks the
// array's shape against the type's at run time and names both on a mismatch.
#include <algorithm>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "diagnostics.hpp"
#include "io/dims.hpp"
#include "io/npy.hpp"
#include "runtime/plan.hpp"
#include "shape.hpp"

namespace typenet {

namespace detail {
// "3x224x224": how messages print a per-image shape.
inline std::string dims_string(dims d) {
  return std::to_string(d.channels) + "x" + std::to_string(d.height) + "x" + std::to_string(d.width);
}
inline void check_batch(int batch, const char* what) {
  if (batch < 0) throw std::invalid_argument(std::string(what) + ": batch must be >= 0, got " + std::to_string(batch));
}
}  // namespace detail

template <class S>
  requires shape_type<std::remove_const_t<S>>
class tensor_view {
 public:
  using shape_type = std::remove_const_t<S>;
  using element_type = std::conditional_t<std::is_const_v<S>, const float, float>;
  static constexpr long image_size = shape_type::size;  // floats per image

  constexpr tensor_view() = default;
  // `batch` images at `data` ([batch][C][H][W] floats, owned by the caller).
  tensor_view(element_type* data, int batch) : data_(data), batch_(batch) { detail::check_batch(batch, "tensor_view"); }
  // Over a span holding whole images: its size must be a multiple of the image size.
  explicit tensor_view(std::span<element_type> floats) : data_(floats.data()), batch_(int(long(floats.size()) / image_size)) {
    if (long(floats.size()) % image_size != 0)
      throw shape_error("tensor_view: " + std::to_string(floats.size()) + " floats are not a whole number of " +
                        detail::dims_string(shape_type::dims) + " images (" + std::to_string(image_size) + " floats each)");
  }
  // A writable view is also a read-only one.
  template <class T>
    requires(std::is_const_v<S> && std::is_same_v<T, shape_type>)
  constexpr tensor_view(tensor_view<T> v) : data_(v.data()), batch_(v.batch()) {}

  constexpr element_type* data() const { return data_; }
  constexpr int batch() const { return batch_; }
  constexpr long size() const { return image_size * batch_; }  // floats
  constexpr std::span<element_type> floats() const { return {data_, std::size_t(size())}; }
  constexpr element_type* image(int n) const { return data_ + image_size * n; }
  constexpr element_type& operator()(int n, int c, int h, int w) const {
    return data_[((long(n) * shape_type::channels + c) * shape_type::height + h) * shape_type::width + w];
  }

 private:
  element_type* data_ = nullptr;
  int batch_ = 0;
};

// `batch` images of shape S, owned: 64-byte aligned, zero-filled.
template <shape_type S>
class tensor {
 public:
  using shape_type = S;
  static constexpr long image_size = S::size;

  explicit tensor(int batch = 1) : batch_((detail::check_batch(batch, "tensor"), batch)), data_(runtime::allocate_floats(image_size * batch)) {}
  tensor(const tensor& o) : tensor(o.batch_) { std::copy(o.data(), o.data() + o.size(), data()); }
  tensor& operator=(const tensor& o) {
    if (this != &o) *this = tensor(o);
    return *this;
  }
  tensor(tensor&&) noexcept = default;
  tensor& operator=(tensor&&) noexcept = default;

  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  int batch() const { return batch_; }
  long size() const { return image_size * batch_; }  // floats
  float& operator()(int n, int c, int h, int w) { return view()(n, c, h, w); }
  float operator()(int n, int c, int h, int w) const { return view()(n, c, h, w); }

  tensor_view<S> view() { return {data(), batch_}; }
  tensor_view<const S> view() const { return {data(), batch_}; }
  operator tensor_view<S>() { return view(); }
  operator tensor_view<const S>() const { return view(); }

 private:
  int batch_;
  runtime::aligned_floats data_;
};

// Whether T is a typed tensor (a view or an owning tensor), and its per-image shape.
namespace detail {
template <class T>
struct tensor_traits {
  static constexpr bool typed = false;
};
template <class S>
struct tensor_traits<tensor_view<S>> {
  static constexpr bool typed = true, writable = !std::is_const_v<S>, owning = false;
  using shape_type = std::remove_const_t<S>;
};
template <class S>
struct tensor_traits<tensor<S>> {
  static constexpr bool typed = true, writable = true, owning = true;
  using shape_type = S;
};
}  // namespace detail

template <class T>
concept typed_tensor = detail::tensor_traits<std::remove_cvref_t<T>>::typed;

// The per-image shape of a typed tensor type.
template <typed_tensor T>
using tensor_shape_t = typename detail::tensor_traits<std::remove_cvref_t<T>>::shape_type;

namespace detail {
// The batch of an array of shape [N, C, H, W] or [C, H, W] (N = 1) holding images of shape S;
// shape_error naming both shapes otherwise.
template <shape_type S>
int array_batch(const io::array& a) {
  const std::vector<long> image{S::channels, S::height, S::width};
  const bool single = a.shape == image;
  const bool batched = a.shape.size() == 4 && std::equal(image.begin(), image.end(), a.shape.begin() + 1);
  if (!single && !batched)
    throw shape_error("tensor<" + dims_string(S::dims) + ">: the array has shape " + io::shape_string(a.shape) +
                      ", the tensor needs [N, " + std::to_string(S::channels) + ", " + std::to_string(S::height) + ", " +
                      std::to_string(S::width) + "]");
  if (long(a.data.size()) != a.numel()) throw shape_error("tensor: the array's data does not match its shape " + io::shape_string(a.shape));
  return single ? 1 : int(a.shape[0]);
}
}  // namespace detail

// A read-only view of an .npy array's images (no copy; the array must outlive it), after checking
// its shape against S.
template <shape_type S>
tensor_view<const S> view_of(const io::array& a) {
  const int batch = detail::array_batch<S>(a);
  return {a.data.data(), batch};
}

// An owning copy of an .npy array's images, after the same check.
template <shape_type S>
tensor<S> to_tensor(const io::array& a) {
  const tensor_view<const S> v = view_of<S>(a);
  tensor<S> t(v.batch());
  std::copy(v.data(), v.data() + v.size(), t.data());
  return t;
}

// A typed tensor (view or owning) as an .npy array of shape [N, C, H, W] (for io::write_npy).
template <typed_tensor T>
io::array to_array(const T& t) {
  using S = tensor_shape_t<T>;
  const tensor_view<const S> v = t;
  return {{v.batch(), S::channels, S::height, S::width}, std::vector<float>(v.data(), v.data() + v.size())};
}

}  // namespace typenet
