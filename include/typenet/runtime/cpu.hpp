#pragma once
// The kernels are chosen when the library is compiled, by the target's macros (kernels/conv2d.hpp:
// AVX-512 tiles; kernels/portable.hpp elsewhere). A binary built for a CPU with more than the one
// it runs on (-march=native on an AVX-512 machine, run on an AVX2 one) would stop with an illegal
// instruction somewhere in its first convolution. Every program that includes the planner checks
// first, before main, in code compiled for the baseline x86-64 that calls nothing of ours (a
// library function compiled for the build's target could itself hold the instruction), and says
// what is missing.
#include <cstdio>
#include <cstdlib>

namespace typenet::runtime {

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// The first instruction set this build's kernels use that this CPU lacks, or null.
[[gnu::target("arch=x86-64")]] inline const char* missing_cpu_feature() {
  __builtin_cpu_init();
#if defined(__AVX512F__)
  if (!__builtin_cpu_supports("avx512f")) return "avx512f";
#endif
#if defined(__AVX2__)
  if (!__builtin_cpu_supports("avx2")) return "avx2";
#endif
#if defined(__FMA__)
  if (!__builtin_cpu_supports("fma")) return "fma";
#endif
#if defined(__AVX__)
  if (!__builtin_cpu_supports("avx")) return "avx";
#endif
  return nullptr;
}

namespace detail {
// Before main and before the program's own static initialisers (priority 101, the first one
// that is not reserved).
[[gnu::target("arch=x86-64"), gnu::constructor(101)]] static void check_cpu_at_start() {
  if (const char* missing = missing_cpu_feature()) {
    std::fprintf(stderr,
                 "typenet: this binary was compiled for a CPU with %s, which this CPU lacks (built with "
                 "-march=native on another machine?): rebuild it on this one, e.g. bash tools/setup.sh\n",
                 missing);
    std::_Exit(2);
  }
}
}  // namespace detail
#else
inline const char* missing_cpu_feature() { return nullptr; }
#endif

}  // namespace typenet::runtime
