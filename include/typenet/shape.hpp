#pragma once
#include <concepts>
#include <type_traits>

namespace typenet {

// The shape of one image's tensor as a value: what every layer kind's rules and shape formulas
// read, at compile time for the static front end and at run time for the dynamic one.
struct dims {
  int channels = 0, height = 0, width = 0;
  constexpr long size() const { return long(channels) * height * width; }
  friend constexpr bool operator==(const dims&, const dims&) = default;
};

// A tensor shape per image (channels, height, width) as a type: the batch size is the only
// run-time size.
template <int C, int H, int W>
struct shape {
  static_assert(C > 0 && H > 0 && W > 0, "typenet::shape: every dimension must be positive");
  static constexpr int channels = C;
  static constexpr int height = H;
  static constexpr int width = W;
  static constexpr long size = long(C) * H * W;
  static constexpr typenet::dims dims{C, H, W};
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

// What an entry point yields for a model that broke a rule (after reporting it once).
struct invalid_shape {};

}  // namespace detail

template <class T>
concept shape_type = detail::is_shape<T>;

}  // namespace typenet
