#pragma once
// Running a model: its description (ir::node, from either front end) planned once at set-up
// (runtime/plan.hpp: emit, fuse, place, prepare) into a flat list of kernel calls that own every
// parameter they read and no state: all memory (packed weights, activation buffers for max_batch
// images, the calls' working memory: call::scratch_floats, one per thread) is
// allocated at set-up: forward() allocates nothing. The activation buffers are the memory plan's
// (runtime/sketch.hpp): for a static model the same bytes as memory_plan_v<M>, per image.
//
// forward() takes typed tensors (tensor.hpp) whose shapes the compiler checks against the model's,
// sized spans checked at run time, or (unchecked, for interop) raw pointers.
//
// Concurrency contract: one executor runs one forward() at a time (it owns its activation arena
// and thread team); a second forward() while one is running, from another thread or from inside a
// kernel, throws std::logic_error (an atomic busy flag, released however forward() ends: one
// atomic exchange per forward). To run in parallel, use one executor per thread: executors made
// from one weight_store are independent, and executor(other, options) shares other's packed
// weights (immutable after set-up) instead of repacking them, with its own buffers and threads.
//
// Two paths over the same plan:
//   fused (default)  the fusion pass runs (batch norm folded into the conv before it, ReLU and the
//                    residual add applied in the conv's store), fast kernels, work split over the
//                    threads;
//   reference        one call per layer with the plain reference kernels: the oracle the fused
//                    path is tested against.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "../model.hpp"
#include "../tensor.hpp"
#include "plan.hpp"
#include "sketch.hpp"
#include "thread_pool.hpp"
#include "weights.hpp"

namespace typenet {

struct executor_options {
  int threads = 0;       // 0: every core; at most runtime::thread_pool::max_threads (1024)
  int max_batch = 1;     // forward() accepts 1..max_batch images
  bool fused = true;     // false: the unfused reference kernels (the oracle)
  // A batch of several images runs its first ops image by image, the rest on the whole batch:
  // -1 chooses where (see executor_core::per_image_ops), n >= 0 the first n ops (0: none).
  int image_by_image = -1;
};

namespace rule {
TYPENET_RULE(forward_input_shape, "executor::forward: the input tensor's shape must be the model's input shape",
             "tensor {}x{}x{}, model {}x{}x{}");
TYPENET_RULE(forward_output_shape, "executor::forward: the output tensor's shape must be the model's output shape",
             "tensor {}x{}x{}, model {}x{}x{}");
TYPENET_RULE(forward_output_writable, "executor::forward: the output tensor must be writable (not a tensor_view<const S>)", "");
}  // namespace rule

namespace detail {

// Never defined: the context of a typed forward's broken rule; the compiler prints both shapes.
template <class TensorShape, class ModelShape>
struct tensor_shape_mismatch;

// A rule broken at run time: "<text> (<detail with the numbers>)".
template <class Rule>
std::string rule_failure(std::initializer_list<long> values) {
  verdict v;
  for (long x : values) v.values[v.count++] = x;
  char buffer[256];
  format_detail(Rule::detail, v, buffer, int(sizeof buffer));
  return std::string(Rule::text) + " (" + buffer + ")";
}
template <class Rule>
void check_shape(dims tensor, dims model) {
  if (tensor != model)
    throw shape_error(rule_failure<Rule>({tensor.channels, tensor.height, tensor.width, model.channels, model.height, model.width}));
}

inline void check_batches(int input, int output) {
  if (input != output)
    throw shape_error("executor::forward: the output tensor holds " + std::to_string(output) + " images, the input " +
                      std::to_string(input));
}

// The copy that a model which returns its own input needs.
class copy_call final : public runtime::call {
 public:
  explicit copy_call(long size) : size_(size) {}
  void run(const runtime::io& x, int batch, kernels::part p) const override {
    long begin, end;
    runtime::element_range(size_ * batch, p, begin, end);
    std::copy(x.in[0] + begin, x.in[0] + end, x.out + begin);
  }

 private:
  long size_;
};

// A model planned for the executor: its calls (each owning its packed weights) and where every
// value lives in the arena. Immutable once built: executors share it and run it at the same time
// (runtime::call::run is const and writes only the buffers it is given).
struct compiled_plan {
  std::vector<runtime::op> ops;
  std::vector<long> offsets;  // by buffer id: per-image offset in the arena (ids 0, 1: the caller's)
  long arena = 0;             // floats per image
  long scratch = 0;           // floats of working memory per run (the largest call::scratch_floats())
  std::vector<long> first, last;  // by buffer id: the op that first writes it, the last that reads it
  std::vector<long> floats;       // by buffer id: floats per image (its image stride)
  dims input, output;
  memory_plan memory;
  bool fused = true;
};

// Marks an executor busy for one forward() (released however it ends), or throws if it already is.
class forward_in_progress {
 public:
  explicit forward_in_progress(std::atomic<bool>& busy) : busy_(busy) {
    if (busy_.exchange(true, std::memory_order_acquire))
      throw std::logic_error("executor::forward: called while another forward() on the same executor is running; use "
                             "one executor per thread (they can share weights: executor(other, options))");
  }
  ~forward_in_progress() { busy_.store(false, std::memory_order_release); }
  forward_in_progress(const forward_in_progress&) = delete;
  forward_in_progress& operator=(const forward_in_progress&) = delete;

 private:
  std::atomic<bool>& busy_;
};

// An executor for either front end: options, the thread team, the plan and its buffers, forward().
class executor_core {
 public:
  // Runs `batch` images from sized spans: the input must hold batch x input_size() floats and the
  // output batch x output_size() (shape_error naming the sizes otherwise). No allocation.
  void forward(std::span<const float> input, std::span<float> output, int batch) {
    check_floats("input", long(input.size()), plan_->input, batch);
    check_floats("output", long(output.size()), plan_->output, batch);
    forward(input.data(), output.data(), batch);
  }

  // Unchecked, for interop: input [batch][C][H][W], output [batch][output C*H*W] at raw pointers
  // that must hold that many floats (prefer the typed or the span overload). No allocation.
  // With op_seconds (op_count() entries), adds each op's wall time to its entry: a profile.
  // One at a time per executor: a concurrent call throws std::logic_error (see the top of the file).
  void forward(const float* input, float* output, int batch, double* op_seconds = nullptr) {
    const forward_in_progress busy(busy_);
    if (batch < 1 || batch > options_.max_batch)
      throw std::invalid_argument("executor::forward: batch " + std::to_string(batch) + " outside 1.." +
                                  std::to_string(options_.max_batch) + " (raise executor_options::max_batch)");
    const std::vector<runtime::op>& ops = plan_->ops;
    if (ops.empty()) throw std::logic_error("executor::forward: the executor has no plan");
    buffers_[0] = const_cast<float*>(input);  // never written: calls only write buffers >= 1
    buffers_[1] = output;
    // Ops [0, split) image by image (see per_image_ops), then the values that live across the
    // split go into the batch's arena; the rest on the whole batch.
    const std::size_t split = batch > 1 ? per_image_ops(batch) : 0;
    if (split > 0) run_images(split, batch, op_seconds);
    for (std::size_t i = split; i < ops.size(); ++i) run_op(i, batch_arena{0, batch}, op_seconds);
  }

  int threads() const { return pool_.size(); }
  int max_batch() const { return options_.max_batch; }
  bool fused() const { return options_.fused; }
  std::size_t op_count() const { return plan_->ops.size(); }
  const std::vector<runtime::op>& plan() const { return plan_->ops; }
  long input_size() const { return plan_->input.size(); }    // floats per image
  long output_size() const { return plan_->output.size(); }  // floats per image
  dims input_shape() const { return plan_->input; }
  dims output_shape() const { return plan_->output; }
  // The activation memory per image (the buffers hold max_batch() images): the plan's figures.
  const memory_plan& memory() const { return plan_->memory; }
  // Whether this executor and `other` run one plan (share their packed weights).
  bool shares_weights_with(const executor_core& other) const { return plan_ == other.plan_; }

 protected:
  explicit executor_core(executor_options options)
      : options_(normalise(options)), pool_(options_.threads), plan_(std::make_shared<const compiled_plan>()) {}

  // Runs `other`'s plan (packed weights shared, read-only) with its own threads and buffers.
  executor_core(const executor_core& other, executor_options options)
      : options_(normalise(options)), pool_(options_.threads), plan_(other.plan_) {
    if (options_.fused != plan_->fused)
      throw std::invalid_argument(std::string("executor: executor_options::fused must match the shared executor's (") +
                                  (plan_->fused ? "fused" : "reference") + " kernels)");
    allocate();
  }

  // Plans `body` on `input` with `weights` (checked first: weights_error names what does not fit).
  // Everything the plan reads is copied into its calls: `weights` may be dropped afterwards.
  void build(const ir::node& body, dims input, const weight_store& weights) {
    const ir::resolved r = ir::resolve(body, input);
    check_weights(ir::tensor_specs(r), weights);
    runtime::builder plan(input);
    runtime::value result = ir::emit(r, plan, weights, 0);
    if (result == 0) result = plan.add(std::make_shared<copy_call>(input.size()), {0}, input, "identity");
    if (options_.fused) runtime::fuse(plan.ops(), result);
    if (const long min_pixels = runtime::blocked_min_pixels(options_.threads, options_.max_batch); options_.fused && min_pixels > 0)
      runtime::choose_layouts(plan.ops(), result, plan.shapes(), min_pixels);
    const runtime::placement placed = runtime::place_ops(plan.ops(), result, plan.shapes(), runtime::detail::call_fuser{}, options_.fused);
    compiled_plan compiled;
    compiled.memory = runtime::figures(placed, plan.shapes());
    check_sketch(body, input, plan.ops(), compiled.memory);
    for (runtime::op& o : plan.ops()) {
      if (o.inputs.size() > runtime::io::max_inputs) throw std::logic_error("executor: a call has too many inputs");
      o.body->prepare(options_.fused);
      compiled.scratch = std::max(compiled.scratch, o.body->scratch_floats());
    }
    compiled.ops = std::move(plan.ops());
    compiled.offsets = placed.offsets, compiled.arena = placed.arena;
    compiled.first = placed.first, compiled.last = placed.last;
    compiled.floats.assign(placed.offsets.size(), 0);
    for (const runtime::op& o : compiled.ops) compiled.floats[std::size_t(o.out_buffer)] = o.out_stride;
    compiled.input = input, compiled.output = r.out;
    compiled.fused = options_.fused;
    plan_ = std::make_shared<const compiled_plan>(std::move(compiled));
    allocate();
  }

  executor_options options_;

 private:
  // This executor's arena for max_batch images and every buffer's place in it.
  void allocate() {
    arena_ = runtime::allocate_floats(plan_->arena * options_.max_batch);
    buffers_.assign(plan_->offsets.size(), nullptr);
    for (std::size_t id = 2; id < plan_->offsets.size(); ++id) buffers_[id] = arena_.get() + plan_->offsets[id] * options_.max_batch;
    // Per slot (a thread running its own image, or the whole team: slot 0), one arena of one image
    // and one call's scratch; batches of one never run image by image.
    const int slots = options_.max_batch == 1 ? 1 : std::min(pool_.size(), options_.max_batch);
    scratch_ = runtime::allocate_floats(plan_->scratch * slots);
    if (options_.max_batch > 1) image_arena_ = runtime::allocate_floats(plan_->arena * slots);
  }

  static executor_options normalise(executor_options o) {
    if (o.threads < 0 || o.threads > runtime::thread_pool::max_threads)
      throw std::invalid_argument("executor: threads must be from 0 (every core) to " +
                                  std::to_string(runtime::thread_pool::max_threads) + ", got " + std::to_string(o.threads));
    if (o.max_batch < 1) throw std::invalid_argument("executor: max_batch must be >= 1");
    if (o.image_by_image < -1)
      throw std::invalid_argument("executor: image_by_image must be -1 (automatic) or a number of ops, got " +
                                  std::to_string(o.image_by_image));
    if (o.threads == 0) o.threads = runtime::thread_pool::default_threads();
    return o;
  }

  // Where an op runs: images [first, first + batch) of the batch's arena, split over the team;
  // or one image in the one-image arena of a thread (`slot`), on that thread alone.
  struct batch_arena {
    int first, batch;
  };
  struct image_arena {
    int image, slot;
    bool team;  // the whole team on this image (else the calling thread alone)
  };

  // Ops [0, split) of every image, each in an arena of one image (the placement shares floats
  // between values by op order, which a second image's run would break). With T threads, the
  // first batch - batch % T images run T at a time, one per thread and each thread through every
  // op alone (no barrier per op, each thread's image in its own cache), each taking the next
  // image left; the rest on the whole team. A profile deals the images out in turn instead and
  // counts thread 0's time per op (its share of the images).
  void run_images(std::size_t split, int batch, double* op_seconds) {
    const int team = pool_.size();
    const int side_by_side = team > 1 ? batch / team * team : 0;
    const auto image = [&](image_arena where, double* seconds) {
      for (std::size_t i = 0; i < split; ++i) run_op(i, where, seconds);
      const compiled_plan& c = *plan_;
      for (std::size_t b = 2; b < c.first.size(); ++b)
        if (c.first[b] < long(split) && c.last[b] >= long(split))
          std::copy_n(image_buffer(where.slot, b), c.floats[b], buffers_[b] + where.image * c.floats[b]);
    };
    std::atomic<int> next{0};
    if (side_by_side > 0)
      pool_.run([&](kernels::part p) {
        if (op_seconds)  // every T-th image, so that thread 0's times are its share
          for (int n = p.index; n < side_by_side; n += p.count) image({n, p.index, false}, p.index == 0 ? op_seconds : nullptr);
        else  // the next image left (see run_op)
          for (int n; (n = next.fetch_add(1, std::memory_order_relaxed)) < side_by_side;) image({n, p.index, false}, nullptr);
      });
    for (int n = side_by_side; n < batch; ++n) image({n, 0, true}, op_seconds);
  }

  // Buffer `id` in the one-image arena of thread slot `slot`.
  float* image_buffer(int slot, std::size_t id) const {
    return image_arena_.get() + std::size_t(slot) * std::size_t(plan_->arena) + plan_->offsets[id];
  }

  template <class Where>
  void run_op(std::size_t i, Where where, double* op_seconds) {
    const runtime::op& o = plan_->ops[i];
    if (o.elided) return;  // a concat whose inputs were written into their slices of its output
    constexpr bool one_image = std::is_same_v<Where, image_arena>;
    const auto at = [&](int id, long offset, long stride) {
      if constexpr (one_image) {
        if (id >= 2) return image_buffer(where.slot, std::size_t(id)) + offset;
        return buffers_[std::size_t(id)] + offset + where.image * stride;
      } else {
        return buffers_[std::size_t(id)] + offset + where.first * stride;
      }
    };
    runtime::io x;
    for (std::size_t k = 0; k < o.in_buffers.size(); ++k) {
      x.in[k] = at(o.in_buffers[k], o.in_offsets[k], o.in_strides[k]);
      x.in_stride[k] = o.in_strides[k];
      x.in_place[k] = o.in_place[k];
    }
    x.out = at(o.out_buffer, o.out_offset, o.out_stride);
    x.out_stride = o.out_stride;
    x.scratch = scratch_.get();
    if constexpr (one_image) x.scratch += std::size_t(where.slot) * std::size_t(plan_->scratch);
    int batch = 1;
    if constexpr (!one_image) batch = where.batch;
    const auto start = op_seconds ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    for (int phases = o.body->phases(batch); x.phase < phases; ++x.phase) {
      if constexpr (one_image) {
        if (!where.team) {
          o.body->run(x, 1, kernels::part{0, 1});
          continue;
        }
      }
      // Parts taken from a counter, two per thread: a thread that the OS or a noisy host delays
      // hands its remaining part to the others instead of holding the op back. (Four per thread
      // cost ResNeXt-50 7% on 2 Zen 5 cores when both ran at full speed, 32.8 -> 30.4 ms summed
      // over the ops with one: parts that gather their input or prefetch weights pay per part.
      // One thread: one part, through the pool, which still catches a misused executor.)
      // Each thread first takes its own parts, the same stretch of every op (kernels split work
      // in order: pixels, rows, blocks), so that what it wrote an op ago is mostly in its own
      // cache; then it takes what is left of the others'. (A shared counter handed the parts out
      // in arrival order: ResNeXt-50, batch 1, 2 Zen 5 threads, 27.60 -> 26.88 ms, the medians
      // of ten alternating runs.)
      const int threads = pool_.size(), per = threads == 1 ? 1 : parts_per_thread, parts = threads * per;
      for (int t = 0; t < threads; ++t) taken_[std::size_t(t)].store(0, std::memory_order_relaxed);
      pool_.run([&](kernels::part self) {
        for (int u = 0; u < threads; ++u) {
          const int owner = (self.index + u) % threads;
          for (int k; (k = taken_[std::size_t(owner)].fetch_add(1, std::memory_order_relaxed)) < per;)
            o.body->run(x, batch, kernels::part{owner * per + k, parts});
        }
      });
    }
    if (op_seconds) op_seconds[i] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  // A batch runs its first ops image by image: while an op's activations (inputs and output) for
  // the whole batch outweigh its weights, one image's stay in cache from op to op and the
  // weights are cheap to read again (ResNeXt-50 at batch 8: the stem to stage 4's first block);
  // from the first op whose weights outweigh them on, the whole batch goes through each op, so
  // that its weights are read once.
  std::size_t per_image_ops(int batch) const {
    const std::vector<runtime::op>& ops = plan_->ops;
    if (options_.image_by_image >= 0) return std::min(ops.size(), std::size_t(options_.image_by_image));
    std::size_t i = 0;
    for (; i < ops.size(); ++i) {
      const runtime::op& o = ops[i];
      long floats = o.out_stride;
      for (long s : o.in_strides) floats += s;
      if (!o.elided && o.body->weight_floats() > floats * batch) break;
    }
    return i;
  }

  static void check_floats(const char* what, long floats, dims image, int batch) {
    if (floats != image.size() * batch)
      throw shape_error("executor::forward: the " + std::string(what) + " holds " + std::to_string(floats) + " floats, batch " +
                        std::to_string(batch) + " of the model's " + what + " " + dims_string(image) + " needs " +
                        std::to_string(image.size() * batch));
  }

  // The plan made without emitting (what the compile-time memory plan computes) must be this one,
  // call for call: else an op kind's `wiring` or `fusion` (op.hpp) does not say what it emits.
  void check_sketch(const ir::node& body, dims input, const std::vector<runtime::op>& ops, const memory_plan& memory) const {
    runtime::sketch s(input);
    const memory_plan sketched = runtime::plan_memory(s, body.op->sketch(s, 0, body), options_.fused);
    const auto& expected = s.ops();
    for (std::size_t i = 0; i < std::max(expected.size(), ops.size()); ++i) {
      // (every value is some call's output: the same buffers and offsets place every input the same)
      const bool same = i < expected.size() && i < ops.size() && expected[i].output == ops[i].output &&
                        expected[i].out_buffer == ops[i].out_buffer && expected[i].out_offset == ops[i].out_offset &&
                        expected[i].elided == ops[i].elided &&
                        std::equal(expected[i].inputs.begin(), expected[i].inputs.end(), ops[i].inputs.begin(), ops[i].inputs.end());
      if (!same)
        throw std::logic_error("executor: the plan sketched without emitting differs from the emitted one at call " + std::to_string(i) +
                               (i < ops.size() ? " ('" + ops[i].name + "')" : std::string()) +
                               ": an op kind's wiring or fusion traits (op.hpp) do not describe its emit() and calls (fusion, slices)");
    }
    if (!(sketched == memory)) throw std::logic_error("executor: the sketched memory plan differs from the emitted one");
  }

  static constexpr int parts_per_thread = 2;
  runtime::thread_pool pool_;
  // Parts taken so far of each thread's own (see run_op)
  std::unique_ptr<std::atomic<int>[]> taken_ = std::make_unique<std::atomic<int>[]>(std::size_t(pool_.size()));
  std::shared_ptr<const compiled_plan> plan_;  // shared with executors made from this one
  runtime::aligned_floats arena_;              // every scratch activation, max_batch images each
  runtime::aligned_floats image_arena_;        // one image's, per thread (max_batch > 1: per_image_ops)
  runtime::aligned_floats scratch_;            // one call's working memory (io::scratch), per thread
  std::vector<float*> buffers_;
  std::atomic<bool> busy_{false};              // a forward() is running
};

// Whether every leaf of L has kernels (an op kind with emit()).
template <class L>
constexpr bool runnable();
template <class... C>
constexpr bool runnable_all(type_list<C...>) {
  return (true && ... && runnable<C>());
}
template <class L>
constexpr bool runnable() {
  using Op = typename L::op;
  if constexpr (composite_layer<L>)
    return runnable_all(children_t<L>{});
  else
    return requires(const typename Op::attributes& a, ir::emit_context& ctx) { Op::emit(a, ctx); };
}
}  // namespace detail

// A model ready to run: weights checked and copied into its plan, buffers and threads set up.
template <model_type M>
class executor : public detail::executor_core {
 public:
  using input_shape = typename M::input_shape;
  // For an ill-formed M: the one diagnostic, here (straight from the class: a short context).
  using output_shape = detail::type_of<decltype(detail::diagnose<typename M::body, input_shape>())>;
  static constexpr long input_size = input_shape::size;  // floats per image
  static constexpr long output_size = [] {                // floats per image
    if constexpr (std::is_same_v<output_shape, detail::invalid_shape>) return 0L; else return output_shape::size;
  }();

  explicit executor(const weight_store& weights, executor_options options = {}) : detail::executor_core(options) {
    if constexpr (output_size > 0) {  // an ill-formed M has reported already
      static_assert(detail::runnable<typename M::body>(), "executor: a layer's op kind has no emit() (no kernel)");
      build(lower<typename M::body>(), input_shape::dims, weights);
    }
  }

  // Another executor of M on `other`'s plan: the packed weights are shared (read-only), the
  // threads and activation buffers are its own, so the two may run forward() at the same time.
  // options.fused must be other's (std::invalid_argument otherwise).
  executor(const executor& other, executor_options options) : detail::executor_core(other, options) {}

  using detail::executor_core::forward;

  // Runs input.batch() images into `output` (a writable tensor or view of as many images). Both
  // shapes are checked by the compiler: a tensor of another shape does not compile, and the
  // error shows both shapes (detail::tensor_shape_mismatch<tensor's, model's>). No allocation.
  template <typed_tensor In, typed_tensor Out>
  void forward(const In& input, Out&& output) {
    if constexpr (shapes_match<In, Out>()) {
      const tensor_view<const input_shape> in = input;
      const tensor_view<output_shape> out = output;
      detail::check_batches(in.batch(), out.batch());
      detail::executor_core::forward(in.data(), out.data(), in.batch());
    }
  }

  // The same, into a new tensor (which it allocates).
  template <typed_tensor In>
  auto forward(const In& input) {
    if constexpr (shapes_match<In, tensor<output_shape>>()) {
      const tensor_view<const input_shape> in = input;
      tensor<output_shape> out(in.batch());
      forward(in, out);
      return out;
    }
  }

 private:
  // The typed forward's rules, one diagnostic for the first broken one (none for an ill-formed M,
  // which has reported already).
  template <class In, class Out>
  static constexpr bool shapes_match() {
    if constexpr (output_size == 0) {
      return false;
    } else {
      using tin = tensor_shape_t<In>;
      using tout = tensor_shape_t<Out>;
      if constexpr (!std::is_same_v<tin, input_shape>) {
        rule::forward_input_shape::fail<detail::tensor_shape_mismatch<tin, input_shape>>();
        return false;
      } else if constexpr (!std::is_same_v<tout, output_shape>) {
        rule::forward_output_shape::fail<detail::tensor_shape_mismatch<tout, output_shape>>();
        return false;
      } else if constexpr (!detail::tensor_traits<std::remove_cvref_t<Out>>::writable ||
                           (detail::tensor_traits<std::remove_cvref_t<Out>>::owning && std::is_const_v<std::remove_reference_t<Out>>)) {
        rule::forward_output_writable::fail<detail::tensor_shape_mismatch<tout, output_shape>>();
        return false;
      } else {
        return true;
      }
    }
  }
};

}  // namespace typenet
