#pragma once
// The non-finite policy: weights are checked when a store is checked against a model (every
// load_weights and every executor), inputs by the caller with check_finite before forward(). A
// NaN or an infinity that got in anyway propagates as in PyTorch (relu(NaN) = NaN), never turns
// into a confident answer; but a file or an input with one is refused first, with its position.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace typenet {

// A NaN or an infinity where only finite numbers make sense.
struct non_finite_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {

// The index of the first value that is not finite, or values.size().
inline std::size_t first_non_finite(std::span<const float> values) {
  // A branch-free scan in blocks (vectorises), then the exact position in the block that failed.
  constexpr std::size_t block = 256;
  for (std::size_t b = 0; b < values.size(); b += block) {
    const std::size_t e = std::min(values.size(), b + block);
    bool ok = true;
    for (std::size_t i = b; i < e; ++i) ok &= std::isfinite(values[i]);
    if (!ok)
      for (std::size_t i = b; i < e; ++i)
        if (!std::isfinite(values[i])) return i;
  }
  return values.size();
}

// "nan", "inf", "-inf" or the number, for messages.
inline std::string value_string(float v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", double(v));
  return buf;
}

// "element 17" or, with a shape of rank > 1, "element 17 (index [0, 0, 2, 3])".
inline std::string element_string(std::size_t flat, const std::vector<long>& shape) {
  std::string s = "element " + std::to_string(flat);
  if (shape.size() < 2) return s;
  std::vector<long> index(shape.size());
  std::size_t rest = flat;
  for (std::size_t d = shape.size(); d-- > 0;) {
    const auto extent = static_cast<std::size_t>(shape[d] > 0 ? shape[d] : 1);
    index[d] = static_cast<long>(rest % extent);
    rest /= extent;
  }
  s += " (index [";
  for (std::size_t d = 0; d < index.size(); ++d) s += (d ? ", " : "") + std::to_string(index[d]);
  return s + "])";
}

}  // namespace detail

// Throws non_finite_error "<what>: element 5 (index [0, 1, 2]) is nan (...)" naming the first NaN
// or infinity in `values`; `shape` (optional, row-major) only adds the multi-dimensional index.
inline void check_finite(std::span<const float> values, const std::string& what,
                         const std::vector<long>& shape = {}) {
  const std::size_t i = detail::first_non_finite(values);
  if (i == values.size()) return;
  throw non_finite_error(what + ": " + detail::element_string(i, shape) + " is " +
                         detail::value_string(values[i]) + " (only finite values are accepted)");
}

}  // namespace typenet
