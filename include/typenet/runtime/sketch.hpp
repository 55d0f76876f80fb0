#pragma once
// The plan without its calls: which values each call reads and writes, their shapes, and what each
// call offers the fusion pass (fusion_traits). Both front ends make it from their description
// without weights (the static one at compile time: activation_bytes_v<M> in memory.hpp), and the
// planner's own fuse_ops and place_ops run on it, so its memory plan is the executor's; the
// executor checks that its emitted plan is the same, call for call.
#include <algorithm>
#include <stdexcept>
#include <vector>

#include "plan.hpp"

namespace typenet {

// A model's activation memory per image, in bytes (float32), for its fused plan.
struct memory_plan {
  long bytes = 0;        // the arena the executor allocates: values placed by liveness
  long naive_bytes = 0;  // the largest activation x buffers: a plan blind to sizes (the old one)
  long live_bytes = 0;   // the most bytes live at once: no placement of these values does better
  int buffers = 0;       // the most scratch values live at once (the caller's input and output are not counted)
  friend constexpr bool operator==(const memory_plan&, const memory_plan&) = default;
};

namespace runtime {

// Up to io::max_inputs items: a call's inputs, their buffers or offsets, without allocation.
template <class T>
struct fixed_list {
  T items[io::max_inputs] = {};
  int count = 0;

  constexpr fixed_list() = default;
  constexpr fixed_list(std::initializer_list<T> vs) {
    for (T v : vs) push_back(v);
  }
  constexpr void push_back(T v) {
    if (count == io::max_inputs) throw std::logic_error("executor: a call has too many inputs");
    items[count++] = v;
  }
  constexpr void clear() { count = 0; }
  constexpr std::size_t size() const { return std::size_t(count); }
  constexpr T operator[](std::size_t i) const { return items[i]; }
  constexpr T& back() { return items[count - 1]; }
  constexpr const T* begin() const { return items; }
  constexpr const T* end() const { return items + count; }
};
using value_list = fixed_list<value>;

// A call in a sketch: its values, its fusion traits and what it has absorbed.
struct sketch_op {
  value_list inputs;
  value output = -1;
  fusion_traits traits;
  bool took_residual = false, took_activation = false, took_pool = false;
  value_list in_buffers;
  int out_buffer = -1;
  long out_offset = 0;  // every value is some call's output: with the buffers, where each input is
  bool elided = false;
};

// The sketch's answers for fuse_ops: the rules a call's absorb_*() follow (conv2d's, the add's).
struct traits_fuser {
  constexpr bool single(sketch_op& p, const sketch_op& c) const {
    if (p.took_pool) return false;
    if (c.traits.affine && p.traits.absorbs_affine && !p.took_activation && !p.took_residual) return true;
    if (c.traits.activation && !p.took_activation && (p.traits.absorbs_activation || (c.traits.relu && p.traits.absorbs_relu)))
      return p.took_activation = true;
    if (c.traits.stem_pool && p.traits.absorbs_stem_pool && !p.took_residual) return p.took_pool = true;
    return false;
  }
  constexpr bool is_add(const sketch_op& c) const { return c.traits.add; }
  constexpr bool gate(const sketch_op& p, const sketch_op& c) const { return p.traits.gate && c.traits.absorbs_gate; }
  constexpr bool residual(sketch_op& p) const {
    return p.traits.absorbs_residual && !p.took_activation && !p.took_residual && !p.took_pool && (p.took_residual = true);
  }
  constexpr bool residual_in_place(const sketch_op& o) const { return o.took_residual && o.traits.residual_in_place; }
  constexpr int slice_inputs(const sketch_op& o) const { return o.traits.slice_inputs; }
  constexpr bool slice_output(const sketch_op& o) const { return o.traits.slice_output; }
  constexpr bool concat(const sketch_op& o) const { return o.traits.concat; }
};

// Collects the sketched calls in order; values are SSA ids as in builder (0: the input).
class sketch {
 public:
  constexpr explicit sketch(dims input) : shapes_{input} {}

  constexpr value add(value_list inputs, dims out, fusion_traits traits) {
    if (ops_.empty()) ops_.reserve(256);  // fewer copies of the calls in a constant expression
    sketch_op o;
    o.inputs = inputs, o.output = value(shapes_.size()), o.traits = traits;
    shapes_.push_back(out);
    ops_.push_back(o);
    return o.output;
  }
  constexpr dims shape(value v) const { return shapes_[std::size_t(v)]; }
  constexpr std::vector<sketch_op>& ops() { return ops_; }
  constexpr const std::vector<dims>& shapes() const { return shapes_; }

 private:
  std::vector<dims> shapes_;
  std::vector<sketch_op> ops_;
};

// The figures of a placement: the arena, the naive figure (the largest activation, the input
// included, x the most values live at once), the live peak.
constexpr memory_plan figures(const placement& p, const std::vector<dims>& shapes) {
  long largest = 0;
  for (const dims& d : shapes) largest = std::max(largest, d.size());
  return {4 * p.arena, 4 * largest * p.most_live, 4 * p.live, p.most_live};
}

// What the executor does to its calls, done to a sketch whose output value is `result`: the copy
// a model that returns its input needs, the fusion pass (unless !fused), the placement.
constexpr memory_plan plan_memory(sketch& s, value result, bool fused = true) {
  if (result == 0) result = s.add({0}, s.shape(0), {});
  if (fused) fuse_ops(s.ops(), result, traits_fuser{});
  const placement p = place_ops(s.ops(), result, s.shapes(), traits_fuser{}, fused);
  return figures(p, s.shapes());
}

}  // namespace runtime
}  // namespace typenet
