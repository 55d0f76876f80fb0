#pragma once
// The machine's FP32 FMA ceiling, measured at run time: independent FMA chains that stay in
// registers, one per thread, so "% of peak" compares a kernel with what this CPU (and this share
// of a virtual machine) can do right now. bench/kernels.cpp (peak_fma) and `resnext50 --profile`
// both use it.
#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "thread_pool.hpp"

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

namespace typenet::runtime {

namespace detail {
// The widest FMA vector the build targets: 16 floats (AVX-512), 8 (AVX2 + FMA) or 1.
#if defined(__AVX512F__)
using fma_vec = __m512;
inline fma_vec fma_set1(float x) { return _mm512_set1_ps(x); }
inline fma_vec fma_madd(fma_vec a, fma_vec b, fma_vec c) { return _mm512_fmadd_ps(a, b, c); }
inline float fma_first(fma_vec v) { return _mm512_cvtss_f32(v); }
constexpr int fma_lanes = 16;
#elif defined(__AVX2__) && defined(__FMA__)
using fma_vec = __m256;
inline fma_vec fma_set1(float x) { return _mm256_set1_ps(x); }
inline fma_vec fma_madd(fma_vec a, fma_vec b, fma_vec c) { return _mm256_fmadd_ps(a, b, c); }
inline float fma_first(fma_vec v) { return _mm256_cvtss_f32(v); }
constexpr int fma_lanes = 8;
#else
using fma_vec = float;
inline fma_vec fma_set1(float x) { return x; }
inline fma_vec fma_madd(fma_vec a, fma_vec b, fma_vec c) { return a * b + c; }
inline float fma_first(fma_vec v) { return v; }
constexpr int fma_lanes = 1;
#endif
// Enough independent chains to cover the FMA latency on two pipes, and few enough to stay in the
// registers (32 with AVX-512, 16 with AVX2: 24 chains there spilled and read half the peak).
constexpr int fma_chains = fma_lanes == 16 ? 24 : 12;
}  // namespace detail

// FLOP one call of fma_loop(iterations) performs.
constexpr double fma_loop_flop(long iterations) { return 2.0 * double(iterations) * detail::fma_chains * detail::fma_lanes; }

// `iterations` rounds of FMAs on fma_chains independent registers; returns a value that depends
// on all of them, so that the compiler keeps the work.
inline float fma_loop(long iterations) {
  detail::fma_vec a[detail::fma_chains];
  for (int j = 0; j < detail::fma_chains; ++j) a[j] = detail::fma_set1(float(j));
  const detail::fma_vec b = detail::fma_set1(0.999f), c = detail::fma_set1(0.001f);
  for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 24
    for (int j = 0; j < detail::fma_chains; ++j) a[j] = detail::fma_madd(a[j], b, c);
  }
  float s = 0;
  for (int j = 0; j < detail::fma_chains; ++j) s += detail::fma_first(a[j]);
  return s;
}

// The FMA ceiling of `threads` threads running at once, in GFLOP/s: the best of `rounds` runs of
// about `seconds` each (the best, because on a shared machine noise only ever slows it down).
inline double measure_fma_peak_gflops(int threads, int rounds = 5, double seconds = 0.02) {
  threads = std::max(threads, 1);
  // Calibrate the iteration count on one thread so that a round takes about `seconds`.
  long iterations = 1 << 14;
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    volatile float sink = fma_loop(iterations);
    (void)sink;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s >= seconds / 4 || iterations >= (1L << 30)) {
      iterations = long(double(iterations) * seconds / std::max(s, 1e-6));
      break;
    }
    iterations *= 4;
  }
  iterations = std::max(iterations, 1L << 12);
  thread_pool pool(threads);
  double best = 0;
  std::vector<float> sinks(std::size_t(threads), 0.0f);
  for (int r = 0; r < rounds; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.run([&](kernels::part p) { sinks[std::size_t(p.index)] += fma_loop(iterations); });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, fma_loop_flop(iterations) * threads / s / 1e9);
  }
  volatile float keep = sinks[0];
  (void)keep;
  return best;
}

}  // namespace typenet::runtime
