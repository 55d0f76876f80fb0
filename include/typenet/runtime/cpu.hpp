#pragma once
// The kernels are chosen when the library is compiled, by the target's macros (kernels/conv2d.hpp:
// AVX-512 tiles; kernels/portable.hpp elsewhere). A binary built for a CPU with more than the one
// it runs on (-march=native on an AVX-512 machine, run on an AVX2 one) would stop with an illegal
// instruction somewhere in its first convolution. Every program that includes the planner checks
// first, before main, in code compiled for the baseline x86-64 that calls nothing of ours (a
// library function compiled for the build's target could itself hold the instruction), and says
// what is missing. Within what the build compiled, a few choices are made at run time by the CPU's
// vendor and family (this_cpu()), where they measured differently on different microarchitectures.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

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

// The CPU this process runs on (CPUID leaves 0 and 1), for the kernel choices that measured
// differently on different microarchitectures (kernels/strassen.hpp's strassen_pays_on).
struct cpu_identity {
  bool amd = false, intel = false;
  int family = 0, model = 0;  // display family and model (AMD Zen 4: family 25, Zen 5: 26)
};

inline cpu_identity identify_cpu() {
  cpu_identity c;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  unsigned a = 0, b = 0, cx = 0, d = 0;
  if (!__get_cpuid(0, &a, &b, &cx, &d)) return c;
  char vendor[13] = {};
  std::memcpy(vendor, &b, 4), std::memcpy(vendor + 4, &d, 4), std::memcpy(vendor + 8, &cx, 4);
  c.amd = std::strcmp(vendor, "AuthenticAMD") == 0;
  c.intel = std::strcmp(vendor, "GenuineIntel") == 0;
  if (!__get_cpuid(1, &a, &b, &cx, &d)) return c;
  const int base_family = int(a >> 8 & 0xf), base_model = int(a >> 4 & 0xf);
  c.family = base_family == 0xf ? base_family + int(a >> 20 & 0xff) : base_family;
  c.model = base_family == 0xf || base_family == 6 ? int(a >> 16 & 0xf) << 4 | base_model : base_model;
#endif
  return c;
}

inline const cpu_identity& this_cpu() {
  static const cpu_identity c = identify_cpu();
  return c;
}

}  // namespace typenet::runtime
