#pragma once
// The back half of the one interpreter: the kernel calls that op kinds emit, the one fusion pass
// and the buffer plan. Front ends never see it; op kinds' emit() and the executor do.
//
// Planning runs once at set-up:
//   1. emit   every layer's op kind appends calls to a builder; values are SSA ids (0: the input);
//   2. fuse   a call absorbs the call after it when that call is its only reader and it says it
//             can (a conv absorbs a per-channel affine = batch norm folding, a residual add and a
//             pointwise activation: relu, relu6, hardsigmoid, hardswish, sigmoid, silu); and a 1x1
//             conv absorbs the squeeze-excitation scale before it, x * gate, when it is the
//             scale's only reader: W (g . x) = (W diag(g)) x, its weights scaled per image;
//   3. place  a concat's inputs become channel slices of its output where their calls can write
//             there (so the concat copies nothing), then buffers get ranges of one arena by
//             liveness (no call writes a range it reads);
//   4. prepare  each call packs its weights for the fast kernels, or keeps them for the reference ones.
#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#if __has_include(<sys/mman.h>)
#include <sys/mman.h>  // madvise (huge pages for large buffers)
#endif

#include "../kernels/epilogue.hpp"
#include "../kernels/fold.hpp"
#include "../kernels/geometry.hpp"
#include "../kernels/layout.hpp"
#include "../shape.hpp"
#include "cpu.hpp"

namespace typenet::runtime {

using value = int;  // an activation during planning; 0 is the model's input

// The buffers of one call, for a whole batch of images: image n of input k starts at
// in[k] + n * in_stride[k]. A stride is the value's own size unless the value is a channel slice
// of a larger buffer (a concat's output): then it is that buffer's C x H x W. Only calls that say
// so (call::slice_inputs(), slice_output()) ever see a stride other than their value's size.
struct io {
  static constexpr int max_inputs = 8;  // a concat of up to 8 branches
  const float* in[max_inputs] = {};
  float* out = nullptr;
  long in_stride[max_inputs] = {};
  long out_stride = 0;
  bool in_place[max_inputs] = {};  // a concat's input already in its slice of out: nothing to copy
  int phase = 0;                   // for a call of several phases (call::phases)
  float* scratch = nullptr;        // call::scratch_floats() floats of this run's own (its parts share it)
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
  // A call that needs its parts to meet (e.g. weights made per image, then used by every part)
  // runs in phases, io::phase = 0, 1, ...: the parts of one phase run concurrently, phases in turn.
  virtual int phases(int batch) const { return (void)batch, 1; }
  // Once, after fusion: fast kernels (repack weights here) or the reference ones.
  virtual void prepare(bool fast) { (void)fast; }
  // Floats of working memory a run needs beyond its input and output (after prepare): the executor
  // hands every run its own (io::scratch), so that runs of one call on several images or in several
  // executors sharing the plan at the same time never meet. A call keeps no state of its own.
  virtual long scratch_floats() const { return 0; }
  // The weights it reads on every image (for the executor's choice of image order).
  virtual long weight_floats() const { return 0; }

  // What the fusion pass asks. A call that absorbs the next one applies it in its own store.
  virtual const channel_affine* affine() const { return nullptr; }
  virtual const activation* as_activation() const { return nullptr; }
  virtual bool is_add() const { return false; }
  virtual bool absorb_affine(const channel_affine&) { return false; }
  virtual bool absorb_activation(const activation&) { return false; }
  virtual bool absorb_residual() { return false; }  // gains an input added to its result
  // It took a residual (its last input) and reads each element's residual before writing that
  // element: the placement may give its output the residual's buffer (fusion_traits::residual_in_place).
  virtual bool residual_in_place() const { return false; }
  virtual const kernels::pool_geometry* as_max_pool() const { return nullptr; }
  virtual bool absorb_max_pool(const kernels::pool_geometry&) { return false; }  // pools its own output (last)
  virtual bool is_gate() const { return false; }    // x * gate, one factor per channel and image
  virtual bool absorb_gate() { return false; }      // folds the gate before it into its weights
                                                    // (its inputs become the gate's: x, gate)

  // Activation layouts (kernels/layout.hpp), asked after fusion on the fast path (choose_layouts):
  // whether it can (and should) read input k in nChw16c when its output is laid out `out`, and
  // whether it can write its output so; which input must share its output's layout (a residual
  // added in its store), or -1; then the layouts chosen, before prepare().
  virtual bool reads_blocked(int input, kernels::layout out) const { return (void)input, (void)out, false; }
  virtual bool writes_blocked() const { return false; }
  virtual int output_layout_input() const { return -1; }
  virtual void set_layouts(const std::vector<kernels::layout>& in, kernels::layout out) { (void)in, (void)out; }

  // What the placement asks (after fusion, on the fast path only): channel slices.
  virtual int slice_inputs() const { return 0; }     // how many leading inputs it reads strided
  virtual bool slice_output() const { return false; }  // writes its output strided
  virtual bool is_concat() const { return false; }    // its output is its inputs stacked along channels
};

// A call in the plan: what it reads and writes, and what it computes (for profiles).
struct op {
  std::shared_ptr<call> body;
  std::vector<value> inputs;
  value output = -1;
  std::string name;  // the layers it computes, e.g. "layer1.0.conv1+bn1"
  long macs = 0;     // per image
  // After placement: buffer ids (0: the caller's input, 1: the caller's output, then scratch),
  // each value's first float in its buffer's image and the buffer's image stride (see io).
  std::vector<int> in_buffers;
  int out_buffer = -1;
  std::vector<long> in_offsets, in_strides;
  long out_offset = 0, out_stride = 0;
  std::vector<char> in_place;  // per input: already in its channel slice of the output (a concat's)
  // Layouts (choose_layouts; else NCHW): of each input, and of the output.
  std::vector<kernels::layout> in_layouts;
  kernels::layout out_layout = kernels::layout::nchw;
  bool elided = false;         // a concat whose every input is in place: nothing to run
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

// What a call offers the fusion pass, as constants: an op kind's `fusion` (op.hpp). The plans made
// without calls (the compile-time memory plan, runtime/sketch.hpp) fuse by these; a call's own
// answers (affine(), absorb_activation(), ...) must agree, and the executor checks that they do.
struct fusion_traits {
  bool affine = false;              // a per-channel affine (batch norm) the call before may fold
  bool activation = false;          // a pointwise activation the call before may apply in its store
  bool relu = false;                // ... and that activation is a ReLU
  bool add = false;                 // a residual add of two inputs
  bool absorbs_affine = false;      // folds a following affine (before it has absorbed anything else)
  bool absorbs_residual = false;    // adds a second input in its store (once, before an activation)
  bool absorbs_activation = false;  // applies any following activation in its store (once)
  bool absorbs_relu = false;        // applies a following ReLU in its store (once)
  bool residual_in_place = false;   // reads each element's residual before writing it (its output may take the residual's buffer)
  bool stem_pool = false;           // a max pool kernels::stem_max_pool applies (stem_pool_window)
  bool absorbs_stem_pool = false;   // a stem that pools its output so (stem_pool_conv; last)
  bool gate = false;                // x * gate per channel (squeeze-excitation's scale)
  bool absorbs_gate = false;        // folds a gate before it into its weights, per image (before anything else)
  int slice_inputs = 0;             // how many leading inputs it can read as channel slices (io strides)
  bool slice_output = false;        // it can write its output into a channel slice of a larger buffer
  bool concat = false;              // its output is its inputs stacked along channels (skips those in place)
};

// The one fusion pass, over any op list (the plan's calls, or a sketch's stand-ins): op p absorbs
// op c after it when c is the only reader of p's output and `f` (what p's call accepts) says so:
//   f.single(p, c)   c has one input (an affine, an activation, a stem's max pool): p absorbs it;
//   f.is_add(c)      c is a residual add of p's output and a value defined before p;
//   f.residual(p)    p takes that add (and gains its other input);
// or c absorbs p: f.gate(p, c), p is x * gate and c folds it into its weights (c takes p's inputs).
// `result` is the model's output value (read by the caller).
template <class Op, class Fuser>
constexpr void fuse_ops(std::vector<Op>& ops, value result, const Fuser& f) {
  std::size_t values = std::size_t(result) + 1;
  for (const Op& o : ops) values = std::max(values, std::size_t(o.output) + 1);
  std::vector<int> readers(values, 0);
  std::vector<char> defined(values, false);  // not vector<bool>: Clang 14 cannot evaluate it
  ++readers[std::size_t(result)];
  for (const Op& o : ops)
    for (value v : o.inputs) ++readers[std::size_t(v)];
  defined[0] = true;
  std::vector<Op> out;
  out.reserve(ops.size());
  for (Op& c : ops) {
    if (!out.empty()) {
      Op& p = out.back();
      const long uses = std::count(c.inputs.begin(), c.inputs.end(), p.output);
      const bool sole = readers[std::size_t(p.output)] == 1 && uses == 1;
      bool merged = false;
      if (sole && c.inputs.size() == 1 && f.gate(p, c)) {
        c.inputs = p.inputs;
        p = std::move(c);
        defined[std::size_t(p.output)] = true;
        continue;
      }
      if (sole && c.inputs.size() == 1) {
        merged = f.single(p, c);
      } else if (sole && c.inputs.size() == 2 && f.is_add(c)) {
        const value other = c.inputs[0] == p.output ? c.inputs[1] : c.inputs[0];
        if (defined[std::size_t(other)] && f.residual(p)) {
          p.inputs.push_back(other);
          merged = true;
        }
      }
      if (merged) {
        p.output = c.output;
        defined[std::size_t(p.output)] = true;
        continue;
      }
    }
    defined[std::size_t(c.output)] = true;
    out.push_back(std::move(c));
  }
  ops = std::move(out);
}

namespace detail {
// The calls' own answers, for fuse_ops over the plan.
struct call_fuser {
  bool single(op& p, const op& c) const {
    if (const channel_affine* a = c.body->affine(); a && p.body->absorb_affine(*a)) {
      p.name += "+" + last_segment(c.name);
      return true;
    }
    if (const activation* a = c.body->as_activation(); a && p.body->absorb_activation(*a)) {
      p.name += "+" + last_segment(c.name);
      return true;
    }
    if (const kernels::pool_geometry* q = c.body->as_max_pool(); q && p.body->absorb_max_pool(*q)) {
      p.name += "+" + last_segment(c.name);
      return true;
    }
    return false;
  }
  bool is_add(const op& c) const { return c.body->is_add(); }
  bool residual(op& p) const { return p.body->absorb_residual(); }
  bool residual_in_place(const op& o) const { return o.body->residual_in_place(); }
  bool gate(const op& p, op& c) const {
    if (!p.body->is_gate() || !c.body->absorb_gate()) return false;
    c.name = p.name + "+" + c.name;
    return true;
  }
  int slice_inputs(const op& o) const { return o.body->slice_inputs(); }
  bool slice_output(const op& o) const { return o.body->slice_output(); }
  bool concat(const op& o) const { return o.body->is_concat(); }
};
}  // namespace detail

// The fusion pass over the plan's calls (each call says what it absorbs).
inline void fuse(std::vector<op>& ops, value result) { fuse_ops(ops, result, detail::call_fuser{}); }

// Which values live in nChw16c (kernels/layout.hpp), told to every call (set_layouts): those that
// their producer can write blocked and every reader reads blocked (given the reader's own output
// layout), other than the model's input and result; where a call adds a residual in its store, the
// residual only with the output. A value of one pixel per channel is the same in either layout: it
// stays NCHW, and so does one of fewer than min_pixels pixels per channel (blocked_min_pixels).
// Each step only unblocks values, so the loop ends. Returns each value's layout.
inline std::vector<kernels::layout> choose_layouts(std::vector<op>& ops, value result, const std::vector<dims>& shapes,
                                                   long min_pixels = 2) {
  std::vector<char> blocked(shapes.size(), false);
  for (const op& o : ops) {
    const dims d = shapes[std::size_t(o.output)];
    blocked[std::size_t(o.output)] = o.body->writes_blocked() && long(d.height) * d.width >= std::max(2L, min_pixels);
  }
  blocked[0] = blocked[std::size_t(result)] = false;
  for (bool changed = true; changed;) {
    changed = false;
    for (const op& o : ops) {
      char& out = blocked[std::size_t(o.output)];
      const auto out_layout = out ? kernels::layout::nchw16c : kernels::layout::nchw;
      for (std::size_t k = 0; k < o.inputs.size(); ++k) {
        char& in = blocked[std::size_t(o.inputs[k])];
        if (in && !o.body->reads_blocked(int(k), out_layout)) in = false, changed = true;
      }
      if (const int r = o.body->output_layout_input(); r >= 0) {
        char& in = blocked[std::size_t(o.inputs[std::size_t(r)])];
        if (in != out) in = out = false, changed = true;
      }
    }
  }
  std::vector<kernels::layout> layouts(shapes.size(), kernels::layout::nchw);
  for (std::size_t v = 0; v < shapes.size(); ++v)
    if (blocked[v]) layouts[v] = kernels::layout::nchw16c;
  for (op& o : ops) {
    o.in_layouts.clear();
    for (value v : o.inputs) o.in_layouts.push_back(layouts[std::size_t(v)]);
    o.out_layout = layouts[std::size_t(o.output)];
    o.body->set_layouts(o.in_layouts, o.out_layout);
  }
  return layouts;
}

// Which values a plan may lay out blocked: the fewest pixels per channel such a value has, or 0
// for none. Every value where each image runs on one thread (one thread, or a batch whose images
// the threads take one each: runtime/executor.hpp); where threads split one image, only values
// of more than 14x14 pixels; or as the environment variable TYPENET_BLOCKED says (0: none, 1:
// every value; for A/B runs in one binary, and tests). ResNeXt-50 on Zen 5, blocked against NCHW
// (bench/layouts_ab.cpp, alternating passes in one process): one thread 0.982x, batch 8 on two
// threads 0.977-0.997x. Batch 1 on two threads, every value blocked, 0.987-1.007x (median 0.995x
// of eleven runs): the conv3s and projections that write the stream gain 0.02-0.19 ms each, but
// at 14x14 and 7x7 the conv1s that read it lose 0.01-0.12 ms each (each thread reads half of its
// input from the other core's cache); with stages 3 and 4 left NCHW, 0.980-1.003x (median 0.990x
// of nine runs). Read when a model is set up; an executor sharing the plan keeps its layouts.
inline long blocked_min_pixels(int threads, int max_batch) {
  constexpr long every = 2, over_14x14 = 14 * 14 + 1;
  const char* v = std::getenv("TYPENET_BLOCKED");
  if (!v) return threads == 1 || max_batch > 1 ? every : over_14x14;
  if (std::string(v) == "1") return every;
  if (std::string(v) == "0") return 0;
  throw std::invalid_argument(std::string("TYPENET_BLOCKED must be 0 or 1, got '") + v + "'");
}

// Where the values went, per image: buffer 0 is the caller's input, 1 the caller's output, and
// every other value a scratch buffer at an offset in one arena.
struct placement {
  std::vector<long> offsets;  // by buffer id: its first float in the arena (ids 0 and 1: unused)
  long arena = 0;             // floats
  long live = 0;              // the most floats live at once: no placement of these values does better
  int most_live = 0;          // the most scratch values live at once: what a size-blind plan allocates
  // By buffer id (ids 0 and 1: -1): the op that first writes it and the last that reads it.
  std::vector<long> first, last;
};

namespace detail {
// Where a value lives: in its own buffer, or as channels [offset, offset + C) of a concat's output.
struct slice_of {
  value parent = -1;
  int channel = 0;
};

// The concats' inputs that become slices of their outputs (fuser `f` answers for each op): an
// input is placed in its concat's output when it is computed by a call that can write a slice,
// read by no other concat as a slice already, appears once among the concat's inputs, is not the
// model's input or result, and every other reader can read it strided. Else the concat copies it.
// Concats are visited last first, so a nested concat's output joins its parent's buffer first.
template <class Op, class Fuser>
constexpr std::vector<slice_of> channel_slices(const std::vector<Op>& ops, value result, const std::vector<dims>& shapes,
                                               const Fuser& f) {
  std::vector<slice_of> slices(shapes.size());
  std::vector<std::size_t> producer(shapes.size(), ops.size());
  std::vector<char> whole(shapes.size(), false);  // read by a call that needs it contiguous
  for (std::size_t i = 0; i < ops.size(); ++i) {
    producer[std::size_t(ops[i].output)] = i;
    const int sliced = f.slice_inputs(ops[i]);
    for (std::size_t k = 0; k < ops[i].inputs.size(); ++k)
      if (int(k) >= sliced) whole[std::size_t(ops[i].inputs[k])] = true;
  }
  for (std::size_t i = ops.size(); i-- > 0;) {
    const Op& c = ops[i];
    if (!f.concat(c)) continue;
    int channel = 0;
    for (value v : c.inputs) {
      const std::size_t p = producer[std::size_t(v)];
      const bool ok = v != 0 && v != result && slices[std::size_t(v)].parent < 0 && p < i &&
                      std::count(c.inputs.begin(), c.inputs.end(), v) == 1 && f.slice_output(ops[p]) && !whole[std::size_t(v)];
      if (ok) slices[std::size_t(v)] = {c.output, channel};
      channel += shapes[std::size_t(v)].channels;
    }
  }
  return slices;
}
}  // namespace detail

// A call that adds a residual writes over it only when its output outgrows a core's L2 (1 MiB,
// per image): there the write-allocate stream it saves dominates (ResNeXt-50's stages 1 and 2).
// A smaller residual is still in both cores' caches (every 1x1 layer's threads read all of its
// input) and writing over it invalidates the other core's copies line by line: stage 3's conv3s,
// two threads, batch 1, Zen 5, 0.72-0.74 -> 0.62-0.64 ms each out of place (medians of 6
// alternating runs); on one thread the same either way.
inline constexpr long residual_in_place_floats = (long(1) << 20) / long(sizeof(float));

// Gives every value a buffer by liveness: the input 0, the result 1, each other value its own
// range of one arena, overlapping no value live at the same time (so an op's output never
// overlaps its inputs). With `slices` (the fast path), a concat's inputs are first made channel
// slices of its output where they can be (detail::channel_slices): a buffer then lives from the
// first write into any of its slices to the last read of any. Greedy by size: the largest
// buffers first, each at the lowest offset free over its lifetime. Ranges are multiples of 16
// floats, so every buffer stays 64-byte aligned.
template <class Op, class Fuser>
constexpr placement place_ops(std::vector<Op>& ops, value result, const std::vector<dims>& shapes, const Fuser& f,
                              bool slices) {
  struct range {
    long begin, end;
    constexpr bool operator<(const range& o) const { return begin < o.begin; }
  };
  struct scratch {
    std::size_t first, last;  // the ops that first write it and last read it
    long floats;
    int buffer;
  };
  std::vector<detail::slice_of> slice(shapes.size());
  if (slices) slice = detail::channel_slices(ops, result, shapes, f);
  // Each value's root (the buffer it lives in) and its first channel there; a parent (a concat's
  // output) comes after its slices, so the last values are resolved first.
  std::vector<value> root(shapes.size(), 0);
  std::vector<int> channel(shapes.size(), 0);
  for (std::size_t v = shapes.size(); v-- > 0;) {
    const detail::slice_of s = slice[v];
    root[v] = s.parent < 0 ? value(v) : root[std::size_t(s.parent)];
    channel[v] = s.parent < 0 ? 0 : s.channel + channel[std::size_t(s.parent)];
  }
  std::vector<int> buffer_of(shapes.size(), -1);
  placement p{{0, 0}, 0, 0, 0, {-1, -1}, {-1, -1}};
  std::vector<scratch> values;  // in the order of their first writes
  buffer_of[0] = 0;
  if (result != 0) buffer_of[std::size_t(result)] = 1;
  const auto use = [&](value v, std::size_t i) {
    scratch& s = values[std::size_t(buffer_of[std::size_t(root[std::size_t(v)])] - 2)];
    s.last = std::max(s.last, i);
  };
  // The last op that reads each root (a call that adds a residual may write over it there).
  std::vector<std::size_t> last_read(shapes.size(), 0);
  last_read[std::size_t(root[std::size_t(result)])] = ops.size();
  for (std::size_t i = 0; i < ops.size(); ++i)
    for (value v : ops[i].inputs) last_read[std::size_t(root[std::size_t(v)])] = i;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    Op& o = ops[i];
    const value r = root[std::size_t(o.output)];
    int& out = buffer_of[std::size_t(r)];
    if (out < 0 && slices && f.residual_in_place(o) && shapes[std::size_t(r)].size() >= residual_in_place_floats) {
      // The output takes its residual's buffer where this op reads it last: the kernels read each
      // element's residual before writing it, and the sum streams one tensor less (write-allocate).
      const value v = o.inputs.back();
      const bool alone = std::count(o.inputs.begin(), o.inputs.end(), v) == 1;
      if (r == o.output && root[std::size_t(v)] == v && buffer_of[std::size_t(v)] >= 2 && last_read[std::size_t(v)] == i &&
          alone && shapes[std::size_t(v)].size() == shapes[std::size_t(r)].size())
        out = buffer_of[std::size_t(v)];
    }
    if (out < 0) {
      out = int(p.offsets.size());
      p.offsets.push_back(0), p.first.push_back(-1), p.last.push_back(-1);
      values.push_back({i, i, (shapes[std::size_t(r)].size() + 15) / 16 * 16, out});
    }
    if (out >= 2) use(o.output, i);
    const auto stride = [&](value v) { return shapes[std::size_t(root[std::size_t(v)])].size(); };
    const auto offset = [&](value v) { return long(channel[std::size_t(v)]) * shapes[std::size_t(v)].height * shapes[std::size_t(v)].width; };
    // (a sketch's calls keep only what the executor compares: the buffers and output offsets)
    constexpr bool strides = requires { o.in_strides; };
    o.out_buffer = out, o.out_offset = offset(o.output);
    o.in_buffers.clear();
    if constexpr (strides) o.out_stride = stride(o.output), o.in_offsets.clear(), o.in_strides.clear(), o.in_place.clear();
    bool all_in_place = f.concat(o) && slices;
    for (value v : o.inputs) {
      o.in_buffers.push_back(buffer_of[std::size_t(root[std::size_t(v)])]);
      const bool in_place = slice[std::size_t(v)].parent == o.output;
      if constexpr (strides) o.in_offsets.push_back(offset(v)), o.in_strides.push_back(stride(v)), o.in_place.push_back(in_place);
      all_in_place = all_in_place && in_place;
      if (o.in_buffers.back() >= 2) use(v, i);
    }
    o.elided = all_in_place;
  }
  for (const scratch& x : values) p.first[std::size_t(x.buffer)] = long(x.first), p.last[std::size_t(x.buffer)] = long(x.last);
  // The live peak: every buffer is live from its first write to its last read, both included.
  std::vector<long> floats(ops.size() + 1, 0);
  std::vector<int> count(ops.size() + 1, 0);
  for (const scratch& x : values) {
    floats[x.first] += x.floats, floats[x.last + 1] -= x.floats;
    ++count[x.first], --count[x.last + 1];
  }
  long live = 0;
  int live_count = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    live += floats[i], live_count += count[i];
    p.live = std::max(p.live, live), p.most_live = std::max(p.most_live, live_count);
  }
  std::vector<std::size_t> order(values.size(), 0);  // a value: Clang 14 cannot default-fill in constexpr
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return values[a].floats != values[b].floats ? values[a].floats > values[b].floats : a < b;
  });
  std::vector<char> placed(values.size(), false);
  std::vector<range> taken;
  for (std::size_t k : order) {
    const scratch& x = values[k];
    taken.clear();
    for (std::size_t j = 0; j < values.size(); ++j)
      if (placed[j] && values[j].first <= x.last && x.first <= values[j].last) {
        const long at = p.offsets[std::size_t(values[j].buffer)];
        taken.push_back({at, at + values[j].floats});
      }
    std::sort(taken.begin(), taken.end());
    long at = 0;
    for (const range& r : taken) {
      if (r.begin >= at + x.floats) break;
      at = std::max(at, r.end);
    }
    p.offsets[std::size_t(x.buffer)] = at;
    p.arena = std::max(p.arena, at + x.floats);
    placed[k] = true;
  }
  return p;
}

// ---- helpers for op kinds' calls ----------------------------------------------------------------
// [begin, end) of the n elements of a whole batch that part p owns (elementwise calls).
inline void element_range(long n, kernels::part p, long& begin, long& end) {
  begin = n * p.index / p.count, end = n * (p.index + 1) / p.count;
}

// Buffers of at least one huge page (2 MiB) start on a huge-page boundary, and the huge pages they
// cover are offered to transparent huge pages (in THP's `madvise` mode only memory that asks gets
// them; in `always` mode the advice changes nothing). Packed weights and activations are streamed
// every pass: with 4 KiB pages that is a TLB miss per 4 KiB (ResNeXt-50: about 1-2% of a pass,
// measured on Zen 4). Only whole huge pages inside a buffer are advised: no resident memory added.
inline constexpr std::size_t huge_page = std::size_t(2) << 20;

struct aligned_delete {
  std::size_t alignment = 64;
  void operator()(float* p) const { ::operator delete[](p, std::align_val_t{alignment}); }
};
using aligned_floats = std::unique_ptr<float[], aligned_delete>;
inline aligned_floats allocate_floats(long n) {
  const std::size_t bytes = sizeof(float) * std::size_t(std::max(n, 1L));
  const std::size_t alignment = bytes >= huge_page ? huge_page : 64;
  auto* p = static_cast<float*>(::operator new[](bytes, std::align_val_t{alignment}));
#if defined(MADV_HUGEPAGE)
  if (alignment == huge_page)
    ::madvise(p, bytes / huge_page * huge_page, MADV_HUGEPAGE);  // advice: a failure only costs speed
#endif
  std::fill(p, p + std::max(n, 1L), 0.0f);
  return aligned_floats(p, aligned_delete{alignment});
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
