#pragma once
// The tests' seeded random input: n floats uniform in [-2, 2), the same for the same seed.
#include <cstdint>
#include <vector>

#include <typenet/runtime/weights.hpp>

namespace typenet::test {
inline std::vector<float> random_input(long n, std::uint64_t seed) {
  typenet::detail::splitmix64 rng{seed};
  std::vector<float> x(static_cast<std::size_t>(n));
  for (float& v : x) v = rng.uniform(-2.0f, 2.0f);
  return x;
}
}  // namespace typenet::test
