#pragma once
// The back half of the one interpreter: the kernel calls that op kinds emit, the one fusion pass
// and the buffer plan. Front ends never see it; op kinds' emit() and the executor do.
//
// Planning runs once at set-up:
//   1. emit   every layer's op kind appends calls to a builder; values are SSA ids (0: the input);
//   2. fuse   a call absorbs the call after it when that call is its only reader and it says it
//             can (a conv absorbs a per-channel affine = batch norm folding, a residual add and a
//             pointwise activation: relu, relu6, hardsigmoid, hardswish, sigmoid, silu);
//   3. place  values get buffers by liveness (no call writes a buffer it reads);
//   4. prepare  each call packs its weights for the fast kernels, or keeps them for the reference ones.
#include <algorithm>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "../kernels/epilogue.hpp"
#include "../kernels/fold.hpp"
#include "../kernels/geometry.hpp"
#include "../shape.hpp"

namespace typenet::runtime {

using value = int;  // an activation during planning; 0 is the model's input

// The buffers of one call, for a whole batch of images.
struct io {
  static constexpr int max_inputs = 8;  // a concat of up to 8 branches
  const float* in[max_inputs] = {};
  float* out = nullptr;
};

// y = x * scale[c] + shift[c] per channel: what an inference batch norm is, for fusion.
struct channel_affine {
  std::vector<double> scale, shift;
};

// y = f(x) elementwise: what a pointwise activation is, for fusion. A call that absorbs it applies
// `kind` in its fast kernels' store, or `reference` over its output on the reference path.
struct activation {
  kernels::activation kind = kernels::activation::none;
  void (*reference)(long n, const float* in, float* out) = nullptr;  // in may be out
};

// One kernel call, made by an op kind's emit(). It owns every parameter it reads.
class call {
 public:
  virtual ~call() = default;
  // Computes part p of the call on `batch` images; the parts of one call may run concurrently.
  virtual void run(const io& x, int batch, kernels::part p) const = 0;
  // Once, after fusion: fast kernels (repack weights here) or the reference ones.
  virtual void prepare(bool fast) { (void)fast; }

  // What the fusion pass asks. A call that absorbs the next one applies it in its own store.
  virtual const channel_affine* affine() const { return nullptr; }
  virtual const activation* as_activation() const { return nullptr; }
  virtual bool is_add() const { return false; }
  virtual bool absorb_affine(const channel_affine&) { return false; }
  virtual bool absorb_activation(const activation&) { return false; }
  virtual bool absorb_residual() { return false; }  // gains an input added to its result
};

// A call in the plan: what it reads and writes, and what it computes (for profiles).
struct op {
  std::shared_ptr<call> body;
  std::vector<value> inputs;
  value output = -1;
  std::string name;  // the layers it computes, e.g. "layer1.0.conv1+bn1"
  long macs = 0;     // per image
  // After placement: buffer ids (0: the caller's input, 1: the caller's output, then scratch).
  std::vector<int> in_buffers;
  int out_buffer = -1;
};

// Collects the calls in order; op kinds' emit() go through it.
class builder {
 public:
  explicit builder(dims input) : shapes_{input} {}

  value add(std::shared_ptr<call> body, std::vector<value> inputs, dims out, std::string name, long macs = 0) {
    op o;
    o.body = std::move(body), o.inputs = std::move(inputs), o.output = value(shapes_.size());
    o.name = std::move(name), o.macs = macs;
    shapes_.push_back(out);
    ops_.push_back(std::move(o));
    return ops_.back().output;
  }
  dims shape(value v) const { return shapes_[std::size_t(v)]; }

  std::vector<op>& ops() { return ops_; }
  const std::vector<dims>& shapes() const { return shapes_; }

 private:
  std::vector<dims> shapes_;
  std::vector<op> ops_;
};

namespace detail {
inline std::string last_segment(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}
}  // namespace detail

// The one fusion pass: op i absorbs op i + 1 when op i + 1 is the only reader of op i's output and
// op i's call accepts it. `result` is the model's output value (read by the caller).
inline void fuse(std::vector<op>& ops, value result) {
  auto readers = [&](value v) {
    long n = v == result;
    for (const op& o : ops) n += std::count(o.inputs.begin(), o.inputs.end(), v);
    return n;
  };
  auto defined_before = [&](value v, std::size_t i) {
    if (v == 0) return true;
    for (std::size_t k = 0; k < i; ++k)
      if (ops[k].output == v) return true;
    return false;
  };
  for (std::size_t i = 0; i + 1 < ops.size();) {
    op &p = ops[i], &c = ops[i + 1];
    const bool sole = readers(p.output) == 1 && std::count(c.inputs.begin(), c.inputs.end(), p.output) == 1;
    bool merged = false;
    if (sole && c.inputs.size() == 1) {
      if (const channel_affine* a = c.body->affine(); a && p.body->absorb_affine(*a)) {
        p.name += "+" + detail::last_segment(c.name);
        merged = true;
      } else if (const activation* f = c.body->as_activation(); f && p.body->absorb_activation(*f)) {
        p.name += "+" + detail::last_segment(c.name);
        merged = true;
      }
    } else if (sole && c.inputs.size() == 2 && c.body->is_add()) {
      const value other = c.inputs[0] == p.output ? c.inputs[1] : c.inputs[0];
      if (defined_before(other, i) && p.body->absorb_residual()) {
        p.inputs.push_back(other);
        merged = true;
      }
    }
    if (merged) {
      p.output = c.output;
      ops.erase(ops.begin() + std::ptrdiff_t(i) + 1);
    } else {
      ++i;
    }
  }
}

// Gives every value a buffer: the input 0, the result 1, the rest reused by liveness. An op's
// output never shares a buffer with its inputs. Returns the number of buffers.
inline int place(std::vector<op>& ops, value result) {
  std::vector<int> buffer_of;
  auto slot = [&](value v) -> int& {
    if (std::size_t(v) >= buffer_of.size()) buffer_of.resize(std::size_t(v) + 1, -1);
    return buffer_of[std::size_t(v)];
  };
  std::vector<std::size_t> last(std::size_t(1), 0);
  auto last_of = [&](value v) -> std::size_t& {
    if (std::size_t(v) >= last.size()) last.resize(std::size_t(v) + 1, 0);
    return last[std::size_t(v)];
  };
  for (std::size_t i = 0; i < ops.size(); ++i)
    for (value v : ops[i].inputs) last_of(v) = i;
  slot(0) = 0;
  std::vector<bool> busy = {true, true};
  for (std::size_t i = 0; i < ops.size(); ++i) {
    op& o = ops[i];
    int& out = slot(o.output);
    if (o.output == result) {
      out = 1;
    } else {
      out = -1;
      for (std::size_t b = 2; b < busy.size() && out < 0; ++b)
        if (!busy[b]) out = int(b);
      if (out < 0) out = int(busy.size()), busy.push_back(false);
      busy[std::size_t(out)] = true;
    }
    o.out_buffer = out;
    o.in_buffers.clear();
    for (value v : o.inputs) o.in_buffers.push_back(slot(v));
    for (value v : o.inputs)
      if (last_of(v) == i && slot(v) >= 2 && v != result) busy[std::size_t(slot(v))] = false;
  }
  return int(busy.size());
}

// ---- helpers for op kinds' calls ----------------------------------------------------------------
// [begin, end) of the n elements of a whole batch that part p owns (elementwise calls).
inline void element_range(long n, kernels::part p, long& begin, long& end) {
  begin = n * p.index / p.count, end = n * (p.index + 1) / p.count;
}

struct aligned_delete {
  void operator()(float* p) const { ::operator delete[](p, std::align_val_t{64}); }
};
using aligned_floats = std::unique_ptr<float[], aligned_delete>;
inline aligned_floats allocate_floats(long n) {
  auto* p = static_cast<float*>(::operator new[](sizeof(float) * std::size_t(std::max(n, 1L)), std::align_val_t{64}));
  std::fill(p, p + std::max(n, 1L), 0.0f);
  return aligned_floats(p);
}

// The affine form of an inference batch norm.
inline channel_affine batch_norm_affine(const std::vector<float>& gamma, const std::vector<float>& beta,
                                        const std::vector<float>& mean, const std::vector<float>& var, float eps) {
  channel_affine a{std::vector<double>(gamma.size()), std::vector<double>(gamma.size())};
  kernels::batch_norm_scale_shift(int(gamma.size()), gamma.data(), beta.data(), mean.data(), var.data(), eps, a.scale.data(),
                                  a.shift.data());
  return a;
}

}  // namespace typenet::runtime
