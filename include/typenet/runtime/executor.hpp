#pragma once
// The static front end's run time: a model type compiled, once at set-up, into a flat plan of
// kernel calls. Every call is a kernel instantiated with its layer's geometry as a compile-time
// constant (kernels::fixed<>); the plan only wires buffers. All memory (packed weights, activation
// buffers for max_batch images) is allocated at set-up: forward() allocates nothing.
//
// Two paths over the same plan builder:
//   fused (default)  batch norm folded into the preceding conv at load time, ReLU and the residual
//                    add applied in the conv's store, fast kernels, work split over the threads;
//   reference        one op per layer with the plain reference kernels: the oracle the fused path
//                    is tested against.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "../kernels/conv2d.hpp"
#include "../kernels/fold.hpp"
#include "../kernels/linear.hpp"
#include "../kernels/pool.hpp"
#include "../kernels/reference.hpp"
#include "../summary.hpp"
#include "thread_pool.hpp"
#include "walk.hpp"
#include "weights.hpp"

namespace typenet {

struct executor_options {
  int threads = 0;       // 0: every core
  int max_batch = 1;     // forward() accepts 1..max_batch images
  bool fused = true;     // false: the unfused reference kernels (the oracle)
};

namespace detail {

struct aligned_delete {
  void operator()(float* p) const { ::operator delete[](p, std::align_val_t{64}); }
};
using aligned_floats = std::unique_ptr<float[], aligned_delete>;
inline aligned_floats allocate_floats(long n) {
  auto* p = static_cast<float*>(::operator new[](sizeof(float) * std::size_t(std::max(n, 1L)), std::align_val_t{64}));
  std::fill(p, p + std::max(n, 1L), 0.0f);
  return aligned_floats(p);
}

// One kernel call. Buffers are ids: 0 is the caller's input, 1 the caller's output, the rest are
// the executor's activation buffers. `run` is a kernel instantiated for this layer's geometry.
struct op {
  enum class kind { conv, other };
  void (*run)(const op&, float* const* buffers, int batch, kernels::part) = nullptr;
  kind what = kind::other;
  int src = -1, dst = -1, res = -1;
  const float* param[4] = {};
  bool relu = false;
  long macs = 0;  // per image, for profiles
  std::string name;
  // Run-time geometry, read only by the dynamic front end's op bodies (dynamic/executor.hpp); the
  // static bodies have theirs as template arguments.
  kernels::conv_geometry conv{};
  kernels::pool_geometry pool{};
  long size = 0;                 // elementwise ops: floats per image
  int channels = 0, spatial = 0; // batch norm, global average pool
  int in_features = 0, out_features = 0;
  float eps = 0.0f;
};

// ---- op bodies: one instantiation per geometry -------------------------------------------------
template <kernels::conv_geometry G>
void fused_conv(const op& o, float* const* b, int batch, kernels::part p) {
  const kernels::epilogue ep{o.param[1], o.res >= 0 ? b[o.res] : nullptr, o.relu};
  kernels::conv2d(kernels::fixed<G>{}, b[o.src], o.param[0], ep, b[o.dst], batch, p);
}
template <kernels::conv_geometry G>
void reference_conv(const op& o, float* const* b, int batch, kernels::part p) {
  for (int n = p.begin(batch); n < p.end(batch); ++n)
    kernels::reference::conv2d(kernels::fixed<G>{}, b[o.src] + n * G.in_size(), o.param[0], o.param[1],
                               b[o.dst] + n * G.out_size(), 1);
}
template <int Channels, int Spatial, float Eps>
void reference_batch_norm(const op& o, float* const* b, int batch, kernels::part p) {
  const long size = long(Channels) * Spatial;
  for (int n = p.begin(batch); n < p.end(batch); ++n)
    kernels::reference::batch_norm(Channels, Spatial, b[o.src] + n * size, o.param[0], o.param[1], o.param[2], o.param[3],
                                   Eps, b[o.dst] + n * size, 1);
}
// Elementwise ops split the whole batch's elements between the parts.
template <long Size>
void relu_op(const op& o, float* const* b, int batch, kernels::part p) {
  const long n = Size * batch, begin = n * p.index / p.count, end = n * (p.index + 1) / p.count;
  kernels::reference::relu(end - begin, b[o.src] + begin, b[o.dst] + begin);
}
template <long Size>
void add_op(const op& o, float* const* b, int batch, kernels::part p) {
  const long n = Size * batch, begin = n * p.index / p.count, end = n * (p.index + 1) / p.count;
  kernels::reference::add(end - begin, b[o.src] + begin, b[o.res] + begin, b[o.dst] + begin);
  if (o.relu) kernels::reference::relu(end - begin, b[o.dst] + begin, b[o.dst] + begin);
}
template <long Size>
void copy_op(const op& o, float* const* b, int batch, kernels::part p) {
  const long n = Size * batch, begin = n * p.index / p.count, end = n * (p.index + 1) / p.count;
  std::copy(b[o.src] + begin, b[o.src] + end, b[o.dst] + begin);
}
template <kernels::pool_geometry G>
void fused_max_pool(const op& o, float* const* b, int batch, kernels::part p) {
  kernels::max_pool(kernels::fixed<G>{}, b[o.src], b[o.dst], batch, p);
}
template <kernels::pool_geometry G>
void reference_max_pool(const op& o, float* const* b, int batch, kernels::part p) {
  for (int n = p.begin(batch); n < p.end(batch); ++n)
    kernels::reference::max_pool(kernels::fixed<G>{}, b[o.src] + n * G.in_size(), b[o.dst] + n * G.out_size(), 1);
}
template <int Channels, int Spatial>
void fused_global_avg_pool(const op& o, float* const* b, int batch, kernels::part p) {
  kernels::global_avg_pool(Channels, Spatial, b[o.src], b[o.dst], batch, p);
}
template <int Channels, int Spatial>
void reference_global_avg_pool(const op& o, float* const* b, int batch, kernels::part p) {
  for (int n = p.begin(batch); n < p.end(batch); ++n)
    kernels::reference::global_avg_pool(Channels, Spatial, b[o.src] + n * long(Channels) * Spatial, b[o.dst] + n * Channels, 1);
}
template <int In, int Out>
void fused_linear(const op& o, float* const* b, int batch, kernels::part p) {
  kernels::linear(In, Out, b[o.src], o.param[0], o.param[1], b[o.dst], batch, p);
}
template <int In, int Out>
void reference_linear(const op& o, float* const* b, int batch, kernels::part p) {
  for (int n = p.begin(batch); n < p.end(batch); ++n)
    kernels::reference::linear(In, Out, b[o.src] + long(n) * In, o.param[0], o.param[1], b[o.dst] + long(n) * Out, 1);
}

// Child I of composite L, or void past the end (for looking ahead in fusion patterns).
template <class L, std::size_t I, bool = (I < decltype(hana::length(L::children))::value)>
struct child_or_void {
  using type = void;
};
template <class L, std::size_t I>
struct child_or_void<L, I, true> {
  using type = type_of<decltype(hana::at_c<I>(L::children))>;
};

// ---- what every plan builder shares: ops, buffers, folded and packed convolutions ------------
class plan_state {
 public:
  plan_state(const weight_store& w, bool fused) : weights_(w), fused_(fused) {}

  std::vector<op> ops;
  std::vector<aligned_floats> owned;  // folded and packed parameters
  int buffer_count = 2;               // ids 0 and 1 are the caller's input and output

 protected:
  using body = void (*)(const op&, float* const*, int, kernels::part);

  op make(body run, int src, int dst, const std::string& name) {
    op o;
    o.run = run, o.src = src, o.dst = dst, o.name = name;
    return o;
  }

  int acquire() {
    for (int id = 2; id < buffer_count; ++id)
      if (!busy_[id]) return busy_[id] = true, id;
    busy_.resize(buffer_count + 1, false);
    busy_[buffer_count] = true;
    return buffer_count++;
  }
  void release(int id) {
    if (id >= 2) busy_[id] = false;
  }

  // A convolution of geometry `geo` (kernels::fixed<g> or a run-time conv_geometry), running
  // `reference` or `fused`; on the fused path with the batch norm at bn_path (if any) folded in.
  template <class G>
  void emit_conv_op(const G& geo, body reference, body fused, int src, int dst, const std::string& path, bool has_bias,
                    const std::string& bn_path, float bn_eps) {
    const kernels::conv_geometry& g = kernels::geometry_of(geo);
    const float* weight = weights_.data(path + ".weight");
    const float* bias = has_bias ? weights_.data(path + ".bias") : nullptr;
    op o = make(reference, src, dst, path);
    o.macs = g.macs();
    o.conv = g;
    if (!fused_) {
      o.param[0] = weight, o.param[1] = bias;
      ops.push_back(o);
      return;
    }
    // Fold at set-up: w' = w * gamma / sqrt(var + eps), b' = beta + (b - mean) * gamma / sqrt(var + eps).
    auto folded = allocate_floats(g.weight_size());
    std::copy(weight, weight + g.weight_size(), folded.get());
    auto folded_bias = allocate_floats(g.out_c);
    if (!bn_path.empty()) {
      std::vector<float> mean(weights_.data(bn_path + ".running_mean"), weights_.data(bn_path + ".running_mean") + g.out_c);
      if (bias)
        for (int c = 0; c < g.out_c; ++c) mean[c] -= bias[c];
      kernels::fold_batch_norm(g.out_c, g.weight_size() / g.out_c, folded.get(), folded_bias.get(),
                               weights_.data(bn_path + ".weight"), weights_.data(bn_path + ".bias"), mean.data(),
                               weights_.data(bn_path + ".running_var"), bn_eps);
      o.name = path + "+" + bn_path.substr(bn_path.rfind('.') + 1);
    } else if (bias) {
      std::copy(bias, bias + g.out_c, folded_bias.get());
    }
    auto packed = allocate_floats(kernels::packed_conv_weight_size(g));
    kernels::pack_conv_weights(geo, folded.get(), packed.get());
    o.run = fused, o.what = op::kind::conv;
    o.param[0] = packed.get(), o.param[1] = folded_bias.get();
    owned.push_back(std::move(packed));
    owned.push_back(std::move(folded_bias));
    ops.push_back(o);
  }

  // The residual add after the branch's ops: into the branch's last conv's store on the fused
  // path when it can, else an add op (`add`, with its ReLU when post_relu).
  void finish_residual(body add, long size, int dst, int shortcut, const std::string& path, bool post_relu) {
    op& last = ops.back();
    if (fused_ && last.what == op::kind::conv && last.dst == dst && last.res < 0 && !last.relu) {
      last.res = shortcut, last.relu = post_relu;  // the add (and ReLU) happen in the conv's store
    } else {
      op o = make(add, dst, dst, path);
      o.res = shortcut, o.relu = post_relu, o.size = size;
      ops.push_back(o);
    }
  }

  const weight_store& weights_;
  bool fused_;

 private:
  std::vector<bool> busy_ = {true, true};
};

// ---- the static plan builder: walks the model type once at set-up ---------------------------
class plan_builder : public plan_state {
 public:
  using plan_state::plan_state;

  // Emits ops computing dst = L(src).
  template <class L, class In>
  void emit(int src, int dst, const std::string& path, bool post_relu = false) {
    if constexpr (is_sequential<L>) {
      emit_sequence<L, In, 0>(src, src, dst, path);
    } else if constexpr (is_residual<L>) {
      emit_residual<L, In>(src, dst, path, post_relu);
    } else if constexpr (is_conv2d<L>) {
      emit_conv<L, In>(src, dst, path, "", 0.0f);
    } else if constexpr (is_batch_norm<L>) {
      op o = make(&reference_batch_norm<In::channels, In::height * In::width, L::eps>, src, dst, path);
      o.param[0] = weights_.data(path + ".weight"), o.param[1] = weights_.data(path + ".bias");
      o.param[2] = weights_.data(path + ".running_mean"), o.param[3] = weights_.data(path + ".running_var");
      ops.push_back(o);
    } else if constexpr (is_relu<L>) {
      ops.push_back(make(&relu_op<In::size>, src, dst, path));
    } else if constexpr (is_identity<L>) {
      ops.push_back(make(&copy_op<In::size>, src, dst, path));
    } else if constexpr (is_max_pool<L>) {
      constexpr auto g = unwrap_t<L>::template geometry<In>;
      ops.push_back(make(fused_ ? &fused_max_pool<g> : &reference_max_pool<g>, src, dst, path));
    } else if constexpr (is_global_avg_pool<L>) {
      constexpr int c = In::channels, s = In::height * In::width;
      ops.push_back(make(fused_ ? &fused_global_avg_pool<c, s> : &reference_global_avg_pool<c, s>, src, dst, path));
    } else if constexpr (is_linear<L>) {
      using F = unwrap_t<L>;
      op o = make(fused_ ? &fused_linear<In::size, F::out_features> : &reference_linear<In::size, F::out_features>, src, dst, path);
      o.param[0] = weights_.data(path + ".weight");
      if constexpr (F::bias) o.param[1] = weights_.data(path + ".bias");
      o.macs = layer_macs_v<F, In>;
      ops.push_back(o);
    } else {
      static_assert(sizeof(L) == 0, "executor: no kernel for this layer kind");
    }
  }

 private:
  // Children I.. of sequence L; `cur` holds child I's input, `src` is the sequence's own input.
  // The fused path takes conv+bn(+relu) and residual+relu as one op each.
  template <class L, class In, std::size_t I>
  void emit_sequence(int src, int cur, int dst, const std::string& path) {
    constexpr std::size_t n = decltype(hana::length(L::children))::value;
    if constexpr (I < n) {
      constexpr auto inputs = L::template child_inputs<In>();
      using C = type_of<decltype(hana::at_c<I>(L::children))>;
      using CI = type_of<decltype(hana::at_c<I>(inputs))>;
      using Next = typename child_or_void<L, I + 1>::type;
      constexpr bool conv_bn = is_conv2d<C> && is_batch_norm<Next>;
      constexpr bool conv_bn_relu = conv_bn && is_relu<typename child_or_void<L, I + 2>::type>;
      constexpr bool residual_relu = is_residual<C> && is_relu<Next>;
      constexpr std::size_t fused_take = conv_bn_relu ? 3 : (conv_bn || residual_relu) ? 2 : 1;
      const std::size_t take = fused_ ? fused_take : 1;
      const bool last = I + take == n;
      const int out = last ? dst : acquire();
      const std::string own_path = child_path<C>(path, int(I));
      if constexpr (conv_bn) {
        if (fused_) {
          emit_conv<C, CI>(cur, out, own_path, child_path<Next>(path, int(I + 1)), Next::eps);
          ops.back().relu = conv_bn_relu;
        } else {
          emit<C, CI>(cur, out, own_path);
        }
      } else {
        emit<C, CI>(cur, out, own_path, fused_ && residual_relu);
      }
      if (cur != src) release(cur);
      if (take == 1) emit_sequence<L, In, I + 1>(src, out, dst, path);
      if constexpr (fused_take > 1) {
        if (take == fused_take) emit_sequence<L, In, I + fused_take>(src, out, dst, path);
      }
    }
  }
  template <class L, class In>
  void emit_residual(int src, int dst, const std::string& path, bool post_relu) {
    using R = decltype(residual_base(static_cast<const L*>(nullptr)));
    using Branch = type_of<decltype(hana::at_c<0>(R::children))>;
    using Shortcut = type_of<decltype(hana::at_c<1>(R::children))>;
    int shortcut = src;
    if constexpr (!is_identity<Shortcut>) {
      shortcut = acquire();
      emit<Shortcut, In>(src, shortcut, child_path<Shortcut>(path, 1));
    }
    emit<Branch, In>(src, dst, child_path<Branch>(path, 0));
    using Out = typename L::template output<In>;
    finish_residual(&add_op<Out::size>, Out::size, dst, shortcut, path, post_relu);
    if (shortcut != src) release(shortcut);
  }

  // A convolution; on the fused path with the batch norm at bn_path (if any) folded into it.
  template <class L, class In>
  void emit_conv(int src, int dst, const std::string& path, const std::string& bn_path, float bn_eps) {
    using C = unwrap_t<L>;
    constexpr auto g = C::template geometry<In>;
    emit_conv_op(kernels::fixed<g>{}, &reference_conv<g>, &fused_conv<g>, src, dst, path, C::bias, bn_path, bn_eps);
  }
};

// The largest activation of M per image: the size of every activation buffer.
template <class M>
constexpr long largest_activation() {
  long largest = M::input_shape::size;
  for (const auto& r : summary_v<M>) largest = std::max(largest, long(r.channels) * r.height * r.width);
  return largest;
}

// Everything an executor is once its plan is built, for either front end: options, the thread
// team, the ops, owned parameters and activation buffers, and forward().
class executor_core {
 public:
  // Runs `batch` images: input [batch][C][H][W], output [batch][output C*H*W]. No allocation.
  // With op_seconds (op_count() entries), adds each op's wall time to its entry: a profile.
  void forward(const float* input, float* output, int batch, double* op_seconds = nullptr) {
    if (batch < 1 || batch > options_.max_batch)
      throw std::invalid_argument("executor::forward: batch " + std::to_string(batch) + " outside 1.." +
                                  std::to_string(options_.max_batch) + " (raise executor_options::max_batch)");
    buffer_ptrs_[0] = const_cast<float*>(input);  // never written: ops only write ids >= 1
    buffer_ptrs_[1] = output;
    float* const* buffers = buffer_ptrs_.data();
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      const op& o = ops_[i];
      const auto start = op_seconds ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
      pool_.run([&](kernels::part p) { o.run(o, buffers, batch, p); });
      if (op_seconds) op_seconds[i] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  }

  int threads() const { return pool_.size(); }
  int max_batch() const { return options_.max_batch; }
  bool fused() const { return options_.fused; }
  std::size_t op_count() const { return ops_.size(); }
  const std::vector<op>& plan() const { return ops_; }

 protected:
  explicit executor_core(executor_options options) : options_(normalise(options)), pool_(options_.threads) {}

  // Takes the built plan; `largest` floats per image is the size of every activation buffer.
  void install(plan_state&& builder, const weight_store& weights, long largest) {
    ops_ = std::move(builder.ops);
    owned_ = std::move(builder.owned);
    // Reference ops point into `weights`: keep a copy so the executor owns what it reads.
    if (!options_.fused) rebind_to_own_copy(weights);
    buffer_ptrs_.assign(std::size_t(builder.buffer_count), nullptr);
    for (int id = 2; id < builder.buffer_count; ++id) {
      activations_.push_back(allocate_floats(largest * options_.max_batch));
      buffer_ptrs_[std::size_t(id)] = activations_.back().get();
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
  void rebind_to_own_copy(const weight_store& weights) {
    own_weights_ = std::make_unique<weight_store>(weights);
    for (op& o : ops_)
      for (const float*& p : o.param)
        if (p)
          for (const auto& [name, t] : weights.tensors())
            if (p == t.data.data()) p = own_weights_->data(name);
  }

  runtime::thread_pool pool_;
  std::vector<op> ops_;
  std::vector<aligned_floats> owned_;
  std::vector<aligned_floats> activations_;
  std::vector<float*> buffer_ptrs_;
  std::unique_ptr<weight_store> own_weights_;
};

}  // namespace detail

// A model ready to run: weights checked and prepared, buffers and threads set up.
template <model_type M>
class executor : public detail::executor_core {
 public:
  using input_shape = typename M::input_shape;
  using output_shape = output_shape_t<M>;  // for an ill-formed M: the one diagnostic, here
  static constexpr long input_size = input_shape::size;  // floats per image
  static constexpr long output_size = [] {                // floats per image
    if constexpr (std::is_same_v<output_shape, detail::invalid_shape>) return 0L; else return output_shape::size;
  }();

  explicit executor(const weight_store& weights, executor_options options = {}) : detail::executor_core(options) {
    if constexpr (output_size > 0) build(weights);  // an ill-formed M has reported already
  }

 private:
  void build(const weight_store& weights) {
    check_weights<M>(weights);
    detail::plan_builder builder(weights, options_.fused);
    builder.template emit<typename M::body, input_shape>(0, 1, "");
    install(std::move(builder), weights, detail::largest_activation<M>());
  }
};

}  // namespace typenet
