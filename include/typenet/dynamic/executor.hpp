#pragma once
// The dynamic twin's run time: a dynamic::model compiled, once at set-up, into the same flat plan
// of kernel calls as the static executor<M> (runtime/executor.hpp), with the same fusions, the
// same buffers, the same thread team and the same kernels. The one difference is where each
// kernel's geometry comes from: the static plan instantiates kernels with kernels::fixed<g>
// (compile-time loop bounds); this one passes the geometry stored in the op at run time.
#include <algorithm>
#include <string>

#include "../runtime/executor.hpp"
#include "graph.hpp"

namespace typenet::dynamic {

namespace detail {
using typenet::detail::op;

// ---- op bodies: one each, geometry read from the op --------------------------------------------
inline void fused_conv(const op& o, float* const* b, int batch, kernels::part p) {
  const kernels::epilogue ep{o.param[1], o.res >= 0 ? b[o.res] : nullptr, o.relu};
  kernels::conv2d(o.conv, b[o.src], o.param[0], ep, b[o.dst], batch, p);
}
inline void reference_conv(const op& o, float* const* b, int batch, kernels::part p) {
  const auto& g = o.conv;
  for (int n = p.begin(batch); n < p.end(batch); ++n)
    kernels::reference::conv2d(g, b[o.src] + n * g.in_size(), o.param[0], o.param[1], b[o.dst] + n * g.out_size(), 1);
}
inline void reference_batch_norm(const op& o, float* const* b, int batch, kernels::part p) {
  const long size = long(o.channels) * o.spatial;
  for (int n = p.begin(batch); n < p.end(batch); ++n)
    kernels::reference::batch_norm(o.channels, o.spatial, b[o.src] + n * size, o.param[0], o.param[1], o.param[2],
                                   o.param[3], o.eps, b[o.dst] + n * size, 1);
}
// Elementwise ops split the whole batch's elements between the parts.
inline void relu_op(const op& o, float* const* b, int batch, kernels::part p) {
  const long n = o.size * batch, begin = n * p.index / p.count, end = n * (p.index + 1) / p.count;
  kernels::reference::relu(end - begin, b[o.src] + begin, b[o.dst] + begin);
}
inline void add_op(const op& o, float* const* b, int batch, kernels::part p) {
  const long n = o.size * batch, begin = n * p.index / p.count, end = n * (p.index + 1) / p.count;
  kernels::reference::add(end - begin, b[o.src] + begin, b[o.res] + begin, b[o.dst] + begin);
  if (o.relu) kernels::reference::relu(end - begin, b[o.dst] + begin, b[o.dst] + begin);
}
inline void copy_op(const op& o, float* const* b, int batch, kernels::part p) {
  const long n = o.size * batch, begin = n * p.index / p.count, end = n * (p.index + 1) / p.count;
  std::copy(b[o.src] + begin, b[o.src] + end, b[o.dst] + begin);
}
inline void fused_max_pool(const op& o, float* const* b, int batch, kernels::part p) {
  kernels::max_pool(o.pool, b[o.src], b[o.dst], batch, p);
}
inline void reference_max_pool(const op& o, float* const* b, int batch, kernels::part p) {
  const auto& g = o.pool;
  for (int n = p.begin(batch); n < p.end(batch); ++n)
    kernels::reference::max_pool(g, b[o.src] + n * g.in_size(), b[o.dst] + n * g.out_size(), 1);
}
inline void fused_global_avg_pool(const op& o, float* const* b, int batch, kernels::part p) {
  kernels::global_avg_pool(o.channels, o.spatial, b[o.src], b[o.dst], batch, p);
}
inline void reference_global_avg_pool(const op& o, float* const* b, int batch, kernels::part p) {
  for (int n = p.begin(batch); n < p.end(batch); ++n)
    kernels::reference::global_avg_pool(o.channels, o.spatial, b[o.src] + n * long(o.channels) * o.spatial,
                                        b[o.dst] + n * o.channels, 1);
}
inline void fused_linear(const op& o, float* const* b, int batch, kernels::part p) {
  kernels::linear(o.in_features, o.out_features, b[o.src], o.param[0], o.param[1], b[o.dst], batch, p);
}
inline void reference_linear(const op& o, float* const* b, int batch, kernels::part p) {
  for (int n = p.begin(batch); n < p.end(batch); ++n)
    kernels::reference::linear(o.in_features, o.out_features, b[o.src] + long(n) * o.in_features, o.param[0], o.param[1],
                               b[o.dst] + long(n) * o.out_features, 1);
}

// ---- the plan builder: walks the layer tree once at set-up, as the static one walks the type ----
class plan_builder : public typenet::detail::plan_state {
 public:
  using plan_state::plan_state;

  // Emits ops computing dst = l(src) for input shape `in`.
  void emit(const layer& l, dims in, int src, int dst, const std::string& path, bool post_relu = false) {
    switch (l.kind) {
      case layer_kind::sequential: return emit_sequence(l, in, src, dst, path);
      case layer_kind::residual: return emit_residual(l, in, src, dst, path, post_relu);
      case layer_kind::conv2d: return emit_conv(l, in, src, dst, path, "", 0.0f);
      case layer_kind::batch_norm: {
        op o = make(&reference_batch_norm, src, dst, path);
        o.channels = in.channels, o.spatial = in.height * in.width, o.eps = l.eps;
        o.param[0] = weights_.data(path + ".weight"), o.param[1] = weights_.data(path + ".bias");
        o.param[2] = weights_.data(path + ".running_mean"), o.param[3] = weights_.data(path + ".running_var");
        return ops.push_back(o);
      }
      case layer_kind::relu:
      case layer_kind::identity: {
        op o = make(l.kind == layer_kind::relu ? &relu_op : &copy_op, src, dst, path);
        o.size = in.size();
        return ops.push_back(o);
      }
      case layer_kind::max_pool: {
        op o = make(fused_ ? &fused_max_pool : &reference_max_pool, src, dst, path);
        o.pool = pool_geometry(l, in);
        return ops.push_back(o);
      }
      case layer_kind::global_avg_pool: {
        op o = make(fused_ ? &fused_global_avg_pool : &reference_global_avg_pool, src, dst, path);
        o.channels = in.channels, o.spatial = in.height * in.width;
        return ops.push_back(o);
      }
      case layer_kind::linear: {
        op o = make(fused_ ? &fused_linear : &reference_linear, src, dst, path);
        o.in_features = int(in.size()), o.out_features = l.out;
        o.param[0] = weights_.data(path + ".weight");
        if (l.bias) o.param[1] = weights_.data(path + ".bias");
        o.macs = in.size() * l.out;
        return ops.push_back(o);
      }
    }
  }

 private:
  // The fused path takes conv+bn(+relu) and residual+relu as one op each (as the static builder).
  void emit_sequence(const layer& l, dims in, int src, int dst, const std::string& path) {
    const auto& c = l.children;
    const std::size_t n = c.size();
    auto kind_at = [&](std::size_t i) { return i < n ? std::optional<layer_kind>(c[i].kind) : std::nullopt; };
    int cur = src;
    for (std::size_t i = 0; i < n;) {
      const bool conv_bn = c[i].kind == layer_kind::conv2d && kind_at(i + 1) == layer_kind::batch_norm;
      const bool conv_bn_relu = conv_bn && kind_at(i + 2) == layer_kind::relu;
      const bool residual_relu = c[i].kind == layer_kind::residual && kind_at(i + 1) == layer_kind::relu;
      const std::size_t take = !fused_ ? 1 : conv_bn_relu ? 3 : (conv_bn || residual_relu) ? 2 : 1;
      const int out = i + take == n ? dst : acquire();
      const std::string own_path = child_path(c[i], path, int(i));
      if (fused_ && conv_bn) {
        emit_conv(c[i], in, cur, out, own_path, child_path(c[i + 1], path, int(i + 1)), c[i + 1].eps);
        ops.back().relu = conv_bn_relu;
      } else {
        emit(c[i], in, cur, out, own_path, fused_ && residual_relu);
      }
      if (cur != src) release(cur);
      for (std::size_t k = i; k < i + take; ++k) in = output_of(c[k], in, child_path(c[k], path, int(k)));
      cur = out, i += take;
    }
  }
  void emit_residual(const layer& l, dims in, int src, int dst, const std::string& path, bool post_relu) {
    const layer &branch = l.children[0], &shortcut_layer = l.children[1];
    int shortcut = src;
    if (shortcut_layer.kind != layer_kind::identity) {
      shortcut = acquire();
      emit(shortcut_layer, in, src, shortcut, child_path(shortcut_layer, path, 1));
    }
    const std::string branch_path = child_path(branch, path, 0);
    emit(branch, in, src, dst, branch_path);
    finish_residual(&add_op, output_of(branch, in, branch_path).size(), dst, shortcut, path, post_relu);
    if (shortcut != src) release(shortcut);
  }
  void emit_conv(const layer& l, dims in, int src, int dst, const std::string& path, const std::string& bn_path, float bn_eps) {
    emit_conv_op(conv_geometry(l, in), &reference_conv, &fused_conv, src, dst, path, l.bias, bn_path, bn_eps);
  }
};

// The largest activation per image (input included): the size of every activation buffer.
inline long largest_activation(const model& m) {
  struct visitor {
    long largest;
    void operator()(const layer& l, dims in, const std::string& path) {
      largest = std::max({largest, in.size(), output_of(l, in, path).size()});
    }
  } v{m.input_shape().size()};
  for_each_leaf(m.body(), m.input_shape(), "", v);
  return v.largest;
}
}  // namespace detail

// A dynamic model ready to run: the same API as typenet::executor<M>, sizes as member functions.
class executor : public typenet::detail::executor_core {
 public:
  executor(const model& m, const weight_store& weights, executor_options options = {})
      : typenet::detail::executor_core(options), input_size_(m.input_shape().size()), output_size_(m.output_shape().size()) {
    check_weights(m.tensor_specs(), weights);
    detail::plan_builder builder(weights, options_.fused);
    builder.emit(m.body(), m.input_shape(), 0, 1, "");
    install(std::move(builder), weights, detail::largest_activation(m));
  }

  long input_size() const { return input_size_; }    // floats per image
  long output_size() const { return output_size_; }  // floats per image

 private:
  long input_size_, output_size_;
};

}  // namespace typenet::dynamic
