#pragma once
// The kernel benchmarks' operands: 2 MiB-aligned buffers (huge pages where the kernel grants
// them, as the executor's), filled with small randoms.
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>

namespace bench {

struct random_buffer {
  std::unique_ptr<float, decltype(&std::free)> p{nullptr, &std::free};
  explicit random_buffer(long n, unsigned seed = 1) {
    const std::size_t align = std::size_t(2) << 20;
    const std::size_t bytes = (std::size_t(n) * sizeof(float) + align - 1) / align * align;
    p.reset(static_cast<float*>(std::aligned_alloc(align, bytes)));
    if (!p) throw std::bad_alloc();
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> d(-1.0f, 1.0f);
    for (long i = 0; i < n; ++i) p.get()[i] = d(rng);
  }
  float* get() const { return p.get(); }
};

}  // namespace bench
