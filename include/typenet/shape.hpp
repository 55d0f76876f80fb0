#pragma once
#include <concepts>
#include <type_traits>

namespace typenet {

// A tensor shape per image (channels, height, width): the batch size is the only run-time size.
template <int C, int H, int W>
struct shape {
  static_assert(C > 0 && H > 0 && W > 0, "typenet::shape: every dimension must be positive");
  static constexpr int channels = C;
  static constexpr int height = H;
  static constexpr int width = W;
  static constexpr long size = long(C) * H * W;
};

// The input of a model: the same three numbers, spelled like Keras' Input.
template <int C, int H, int W>
struct input {
  static_assert(C > 0 && H > 0 && W > 0, "typenet::input: every dimension must be positive");
  using shape_type = shape<(C > 0 ? C : 1), (H > 0 ? H : 1), (W > 0 ? W : 1)>;  // one error, not two
};

namespace detail {
template <class T>
inline constexpr bool is_shape = false;
template <int C, int H, int W>
inline constexpr bool is_shape<shape<C, H, W>> = true;

// What flows past a layer that rejected its input: later layers pass it on without checking,
// so a broken model reports its first error only.
struct invalid_shape {};
}  // namespace detail

template <class T>
concept shape_type = detail::is_shape<T>;

}  // namespace typenet
