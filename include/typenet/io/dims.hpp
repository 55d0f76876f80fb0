#pragma once
// Tensor dimensions as files and messages carry them: a run-time list of extents.
#include <string>
#include <vector>

namespace typenet::io {

inline long element_count(const std::vector<long>& shape) {
  long n = 1;
  for (long d : shape) n *= d;
  return n;
}

// "[2, 3, 224, 224]": how every typenet message prints a shape.
inline std::string shape_string(const std::vector<long>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace typenet::io
