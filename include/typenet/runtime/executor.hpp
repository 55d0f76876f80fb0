#pragma once
// Running a model: its description (ir::node, from either front end) planned once at set-up
// (runtime/plan.hpp: emit, fuse, place, prepare) into a flat list of kernel calls that own every
// parameter they read. All memory (packed weights, activation buffers for max_batch images) is
// allocated at set-up: forward() allocates nothing.
//
// Two paths over the same plan:
//   fused (default)  the fusion pass runs (batch norm folded into the conv before it, ReLU and the
//                    residual add applied in the conv's store), fast kernels, work split over the
//                    threads;
//   reference        one call per layer with the plain reference kernels: the oracle the fused
//                    path is tested against.
#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "../model.hpp"
#include "plan.hpp"
#include "thread_pool.hpp"
#include "weights.hpp"

namespace typenet {

struct executor_options {
  int threads = 0;       // 0: every core
  int max_batch = 1;     // forward() accepts 1..max_batch images
  bool fused = true;     // false: the unfused reference kernels (the oracle)
};

namespace detail {

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

// An executor for either front end: options, the thread team, the plan and its buffers, forward().
class executor_core {
 public:
  // Runs `batch` images: input [batch][C][H][W], output [batch][output C*H*W]. No allocation.
  // With op_seconds (op_count() entries), adds each op's wall time to its entry: a profile.
  void forward(const float* input, float* output, int batch, double* op_seconds = nullptr) {
    if (batch < 1 || batch > options_.max_batch)
      throw std::invalid_argument("executor::forward: batch " + std::to_string(batch) + " outside 1.." +
                                  std::to_string(options_.max_batch) + " (raise executor_options::max_batch)");
    if (ops_.empty()) throw std::logic_error("executor::forward: the executor has no plan");
    buffers_[0] = const_cast<float*>(input);  // never written: calls only write buffers >= 1
    buffers_[1] = output;
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      const runtime::op& o = ops_[i];
      runtime::io x;
      for (std::size_t k = 0; k < o.in_buffers.size(); ++k) x.in[k] = buffers_[std::size_t(o.in_buffers[k])];
      x.out = buffers_[std::size_t(o.out_buffer)];
      const auto start = op_seconds ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
      pool_.run([&](kernels::part p) { o.body->run(x, batch, p); });
      if (op_seconds) op_seconds[i] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  }

  int threads() const { return pool_.size(); }
  int max_batch() const { return options_.max_batch; }
  bool fused() const { return options_.fused; }
  std::size_t op_count() const { return ops_.size(); }
  const std::vector<runtime::op>& plan() const { return ops_; }
  long input_size() const { return input_.size(); }    // floats per image
  long output_size() const { return output_.size(); }  // floats per image

 protected:
  explicit executor_core(executor_options options) : options_(normalise(options)), pool_(options_.threads) {}

  // Plans `body` on `input` with `weights` (checked first: weights_error names what does not fit).
  // Everything the plan reads is copied into its calls: `weights` may be dropped afterwards.
  void build(const ir::node& body, dims input, const weight_store& weights) {
    const ir::resolved r = ir::resolve(body, input);
    check_weights(ir::tensor_specs(r), weights);
    runtime::builder plan(input);
    runtime::value result = ir::emit(r, plan, weights, 0);
    if (result == 0) result = plan.add(std::make_shared<copy_call>(input.size()), {0}, input, "identity");
    if (options_.fused) runtime::fuse(plan.ops(), result);
    const int buffer_count = runtime::place(plan.ops(), result);
    for (runtime::op& o : plan.ops()) {
      if (o.inputs.size() > runtime::io::max_inputs) throw std::logic_error("executor: a call has too many inputs");
      o.body->prepare(options_.fused);
    }
    long largest = 0;
    for (const dims& d : plan.shapes()) largest = std::max(largest, d.size());
    ops_ = std::move(plan.ops());
    input_ = input, output_ = r.out;
    buffers_.assign(std::size_t(buffer_count), nullptr);
    for (int id = 2; id < buffer_count; ++id) {
      activations_.push_back(runtime::allocate_floats(largest * options_.max_batch));
      buffers_[std::size_t(id)] = activations_.back().get();
    }
  }

  executor_options options_;

 private:
  static executor_options normalise(executor_options o) {
    if (o.threads < 0) throw std::invalid_argument("executor: threads must be >= 0 (0: every core)");
    if (o.max_batch < 1) throw std::invalid_argument("executor: max_batch must be >= 1");
    if (o.threads == 0) o.threads = runtime::thread_pool::default_threads();
    return o;
  }

  runtime::thread_pool pool_;
  std::vector<runtime::op> ops_;
  std::vector<runtime::aligned_floats> activations_;
  std::vector<float*> buffers_;
  dims input_, output_;
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
};

}  // namespace typenet
