#pragma once
// A thread's scratch panel: 256 KiB, about a core's L2, where a kernel stages what its register
// tiles read (kernels/portable.hpp's gathered 1x1 inputs and staged rows, kernels/depthwise.hpp's
// zero-padded planes). thread_local, not the stack (256 KiB is more than some threads have), and
// not the call's scratch (the plan need not size it). One kernel call uses it at a time.
namespace typenet::kernels::detail {

inline constexpr int thread_panel_floats = 65536;
inline float* thread_panel() {
  alignas(64) static thread_local float panel[thread_panel_floats];
  return panel;
}

}  // namespace typenet::kernels::detail
