#pragma once
// The dynamic-graph twin of the static DSL: the same layers as a run-time tree, shapes checked
// when a dynamic::model is constructed (not when it is compiled), with the static side's rule
// texts. It exists so that static and dynamic graphs can be benchmarked against each other
// honestly: dynamic/executor.hpp runs the same kernels with run-time geometry.
//
//   auto m = dynamic::model({3, 224, 224}, dynamic::sequential({dynamic::named("conv1", dynamic::conv2d(64, 7, 2, 3)), ...}));
//
// Naming follows the static side: a named child uses its name, an unnamed child its index, and an
// empty name makes a node transparent (its children take its place in dotted paths).
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../kernels/geometry.hpp"
#include "../runtime/weights.hpp"

namespace typenet::dynamic {

// A model that breaks a rule: "<dotted path>: <the static_assert's text> (<numbers>)".
struct shape_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct dims {
  int channels = 0, height = 0, width = 0;
  long size() const { return long(channels) * height * width; }
  friend bool operator==(const dims&, const dims&) = default;
};

enum class layer_kind { conv2d, batch_norm, relu, identity, max_pool, global_avg_pool, linear, sequential, residual };

// The extra rules of the composite blocks, checked before their children (as the static check<>).
enum class block_rule { none, bottleneck, resnext_block, resnext_stack, resnet_stack };

struct layer {
  layer_kind kind = layer_kind::identity;
  std::optional<std::string> name;  // named(): "" is transparent
  int out = 0, kernel = 0, stride = 1, padding = 0, groups = 1;  // conv2d, max_pool, linear (out)
  bool bias = false;
  float eps = 1e-5f;
  std::vector<layer> children;  // sequential; residual: {branch, shortcut}
  // Blocks: which rule set, and its numbers (bottleneck: width, out, stride, groups, projection;
  // resnext::block: filters, stride, groups, conv_shortcut; stacks: blocks).
  block_rule rule = block_rule::none;
  int filters = 0, blocks = 0;
  bool projection = false;
};

// ---- builders, mirroring the static names ----------------------------------------------------
inline layer conv2d(int out, int kernel, int stride = 1, int padding = 0, int groups = 1, bool bias = false) {
  layer l;
  l.kind = layer_kind::conv2d, l.out = out, l.kernel = kernel, l.stride = stride, l.padding = padding, l.groups = groups,
  l.bias = bias;
  return l;
}
inline layer batch_norm(float eps = 1e-5f) {
  layer l;
  l.kind = layer_kind::batch_norm, l.eps = eps;
  return l;
}
inline layer relu() {
  layer l;
  l.kind = layer_kind::relu;
  return l;
}
inline layer identity() { return layer{}; }
inline layer max_pool(int kernel, int stride, int padding = 0) {
  layer l;
  l.kind = layer_kind::max_pool, l.kernel = kernel, l.stride = stride, l.padding = padding;
  return l;
}
inline layer max_pool(int kernel) { return max_pool(kernel, kernel, 0); }
inline layer global_avg_pool() {
  layer l;
  l.kind = layer_kind::global_avg_pool;
  return l;
}
inline layer linear(int out, bool bias = true) {
  layer l;
  l.kind = layer_kind::linear, l.out = out, l.bias = bias;
  return l;
}
inline layer sequential(std::vector<layer> children) {
  layer l;
  l.kind = layer_kind::sequential, l.children = std::move(children);
  return l;
}
inline layer residual(layer branch, layer shortcut) {
  layer l;
  l.kind = layer_kind::residual, l.children = {std::move(branch), std::move(shortcut)};
  return l;
}
inline layer named(std::string name, layer l) {
  l.name = std::move(name);
  return l;
}
inline layer transparent(layer l) { return named("", std::move(l)); }

// torchvision's Bottleneck with its state_dict names (as blocks/bottleneck.hpp).
inline layer bottleneck(int width, int out, int stride, int groups, bool projection) {
  layer l = sequential(
      {transparent(residual(
           transparent(sequential({named("conv1", conv2d(width, 1)), named("bn1", batch_norm()), named("relu", relu()),
                                   named("conv2", conv2d(width, 3, stride, 1, groups)), named("bn2", batch_norm()),
                                   named("relu", relu()), named("conv3", conv2d(out, 1)), named("bn3", batch_norm())})),
           projection ? named("downsample", sequential({conv2d(out, 1, stride), batch_norm()})) : transparent(identity()))),
       named("relu", relu())});
  l.rule = block_rule::bottleneck, l.filters = width, l.out = out, l.stride = stride, l.groups = groups,
  l.projection = projection;
  return l;
}

namespace detail {
// First, then blocks - 1 copies of rest (at least first alone): the static detail::stage_t.
inline layer stage(layer first, const layer& rest, int blocks, block_rule rule) {
  std::vector<layer> children{std::move(first)};
  for (int i = 1; i < blocks; ++i) children.push_back(rest);
  layer l = sequential(std::move(children));
  l.rule = rule, l.blocks = blocks;
  return l;
}
}  // namespace detail

inline layer resnext_block(int filters, int stride, bool conv_shortcut, int groups = 32) {
  layer l = bottleneck(filters, 2 * filters, stride, groups, conv_shortcut);
  l.rule = block_rule::resnext_block;
  return l;
}
inline layer resnext_stack(int filters, int blocks, int stride, int groups = 32) {
  return detail::stage(resnext_block(filters, stride, true, groups), resnext_block(filters, 1, false, groups), blocks,
                       block_rule::resnext_stack);
}
inline layer resnet_block(int planes, int stride, bool projection) {
  return bottleneck(planes, 4 * planes, stride, 1, projection);
}
inline layer resnet_stack(int planes, int blocks, int stride) {
  return detail::stage(resnet_block(planes, stride, true), resnet_block(planes, 1, false), blocks,
                       block_rule::resnet_stack);
}

// ---- shape propagation and the rules -----------------------------------------------------------
namespace detail {

inline std::string numbers(std::initializer_list<long> v) {
  std::string s;
  for (long x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
  return s;
}
// The rule text is the static_assert's; the numbers are those of detail::shape_mismatch<>.
[[noreturn]] inline void fail(const std::string& path, const std::string& rule, const std::string& values) {
  throw shape_error((path.empty() ? std::string("model") : path) + ": " + rule + " (" + values + ")");
}

inline std::string child_path(const layer& child, const std::string& parent, int index) {
  std::string own;
  if (child.name) {
    if (child.name->empty()) return parent;
    own = *child.name;
  } else {
    own = std::to_string(index);
  }
  return parent.empty() ? own : parent + "." + own;
}

inline kernels::conv_geometry conv_geometry(const layer& l, dims in) {
  return kernels::make_conv_geometry(in.channels, in.height, in.width, l.out, l.kernel, l.stride, l.padding, l.groups);
}
inline kernels::pool_geometry pool_geometry(const layer& l, dims in) {
  return kernels::make_pool_geometry(in.channels, in.height, in.width, l.kernel, l.stride, l.padding);
}

// A block's own rules, in the order of its static check<>.
inline void check_block(const layer& l, dims in, const std::string& path) {
  switch (l.rule) {
    case block_rule::none: return;
    case block_rule::resnext_stack:
      if (l.blocks < 1) fail(path, "resnext::stack: needs at least one block", numbers({l.blocks}));
      return;
    case block_rule::resnet_stack:
      if (l.blocks < 1) fail(path, "resnet::stack: needs at least one block", numbers({l.blocks}));
      return;
    case block_rule::resnext_block:
      if (!(l.filters > 0 && l.stride > 0 && l.groups > 0))
        fail(path, "resnext::block: Filters, Stride and Groups must be positive", numbers({l.filters, l.stride, l.groups}));
      if (l.filters % l.groups != 0)
        fail(path, "resnext::block: Filters must be divisible by Groups", numbers({l.filters, l.groups}));
      if (!l.projection && in.channels != 2 * l.filters)
        fail(path, "resnext::block: identity shortcut needs input channels == 2*Filters",
             std::to_string(in.channels) + " vs " + std::to_string(2 * l.filters));
      if (!l.projection && l.stride != 1)
        fail(path, "resnext::block: identity shortcut cannot downsample (Stride must be 1)", numbers({l.stride}));
      [[fallthrough]];  // then the bottleneck's rules, as resnext::block's base
    case block_rule::bottleneck:
      if (!l.projection && in.channels != l.out)
        fail(path, "bottleneck: identity shortcut needs input channels == Out",
             std::to_string(in.channels) + " vs " + std::to_string(l.out));
      if (!l.projection && l.stride != 1)
        fail(path, "bottleneck: identity shortcut cannot downsample (Stride must be 1)", numbers({l.stride}));
      return;
  }
}

// Checks l on `in` (throwing shape_error for the first broken rule) and returns its output.
inline dims output_of(const layer& l, dims in, const std::string& path) {
  check_block(l, in, path);
  switch (l.kind) {
    case layer_kind::conv2d: {
      if (!(l.out > 0 && l.kernel > 0 && l.stride > 0 && l.padding >= 0 && l.groups > 0))
        fail(path, "conv2d: Out, Kernel, Stride and Groups must be positive and Padding non-negative",
             numbers({l.out, l.kernel, l.stride, l.padding, l.groups}));
      if (l.out % l.groups != 0) fail(path, "conv2d: output channels must be divisible by Groups", numbers({l.out, l.groups}));
      if (in.channels % l.groups != 0)
        fail(path, "conv2d: input channels must be divisible by Groups", numbers({in.channels, l.groups}));
      if (l.kernel > in.height + 2 * l.padding || l.kernel > in.width + 2 * l.padding)
        fail(path, "conv2d: kernel larger than the padded input",
             numbers({l.kernel, in.height + 2 * l.padding, in.width + 2 * l.padding}));
      const auto g = conv_geometry(l, in);
      return {g.out_c, g.out_h, g.out_w};
    }
    case layer_kind::batch_norm:
      if (!(l.eps > 0)) fail(path, "batch_norm: Eps must be positive", std::to_string(l.eps));
      return in;
    case layer_kind::relu:
    case layer_kind::identity: return in;
    case layer_kind::max_pool: {
      if (!(l.kernel > 0 && l.stride > 0 && l.padding >= 0))
        fail(path, "max_pool: Kernel and Stride must be positive and Padding non-negative",
             numbers({l.kernel, l.stride, l.padding}));
      if (2 * l.padding > l.kernel) fail(path, "max_pool: Padding must be at most half the kernel", numbers({l.padding, l.kernel}));
      if (l.kernel > in.height + 2 * l.padding || l.kernel > in.width + 2 * l.padding)
        fail(path, "max_pool: kernel larger than the padded input",
             numbers({l.kernel, in.height + 2 * l.padding, in.width + 2 * l.padding}));
      const auto g = pool_geometry(l, in);
      return {in.channels, g.out_h, g.out_w};
    }
    case layer_kind::global_avg_pool: return {in.channels, 1, 1};
    case layer_kind::linear:
      if (l.out <= 0) fail(path, "linear: Out must be positive", numbers({l.out}));
      return {l.out, 1, 1};
    case layer_kind::sequential: {
      if (l.children.empty()) fail(path, "sequential: needs at least one layer", "0");
      dims cur = in;
      for (std::size_t i = 0; i < l.children.size(); ++i)
        cur = output_of(l.children[i], cur, child_path(l.children[i], path, int(i)));
      return cur;
    }
    case layer_kind::residual: {
      if (l.children.size() != 2) fail(path, "residual: needs a branch and a shortcut", numbers({long(l.children.size())}));
      const dims b = output_of(l.children[0], in, child_path(l.children[0], path, 0));
      const dims s = output_of(l.children[1], in, child_path(l.children[1], path, 1));
      if (b.channels != s.channels)
        fail(path, "residual: branch and shortcut must give the same channels", numbers({b.channels, s.channels}));
      if (b.height != s.height || b.width != s.width)
        fail(path, "residual: branch and shortcut must give the same height and width",
             numbers({b.height, b.width, s.height, s.width}));
      return b;
    }
  }
  return in;
}

// Calls visit(leaf, input dims, path) for every leaf, depth first (the static for_each_leaf).
template <class Visit>
dims for_each_leaf(const layer& l, dims in, const std::string& path, Visit& visit) {
  if (l.kind == layer_kind::sequential) {
    for (std::size_t i = 0; i < l.children.size(); ++i) in = for_each_leaf(l.children[i], in, child_path(l.children[i], path, int(i)), visit);
    return in;
  }
  if (l.kind == layer_kind::residual) {
    const dims out = for_each_leaf(l.children[0], in, child_path(l.children[0], path, 0), visit);
    for_each_leaf(l.children[1], in, child_path(l.children[1], path, 1), visit);
    return out;
  }
  visit(l, in, path);
  return output_of(l, in, path);
}

}  // namespace detail

// ---- the model -----------------------------------------------------------------------------------
// An input shape and a layer tree, checked on construction (shape_error for the first broken rule).
class model {
 public:
  model(dims input, layer body) : input_(input), body_(std::move(body)) {
    if (!(input.channels > 0 && input.height > 0 && input.width > 0))
      detail::fail("input", "typenet::input: every dimension must be positive",
                   detail::numbers({input.channels, input.height, input.width}));
    output_ = detail::output_of(body_, input_, "");
    struct totals {
      long params = 0, macs = 0;
      std::vector<tensor_spec> specs;
      void operator()(const layer& l, dims in, const std::string& path) {
        if (l.kind == layer_kind::conv2d) {
          const auto g = detail::conv_geometry(l, in);
          params += g.weight_size() + (l.bias ? l.out : 0), macs += g.macs();
          typenet::detail::conv2d_tensors(specs, path, g, l.bias);
        } else if (l.kind == layer_kind::batch_norm) {
          params += 2L * in.channels;
          typenet::detail::batch_norm_tensors(specs, path, in.channels);
        } else if (l.kind == layer_kind::linear) {
          params += in.size() * l.out + (l.bias ? l.out : 0), macs += in.size() * l.out;
          typenet::detail::linear_tensors(specs, path, in.size(), l.out, l.bias);
        }
      }
    } t;
    detail::for_each_leaf(body_, input_, "", t);
    params_ = t.params, macs_ = t.macs, specs_ = std::move(t.specs);
  }

  dims input_shape() const { return input_; }
  dims output_shape() const { return output_; }
  long param_count() const { return params_; }
  long macs() const { return macs_; }  // per image
  const std::vector<tensor_spec>& tensor_specs() const { return specs_; }
  const layer& body() const { return body_; }

 private:
  dims input_, output_;
  layer body_;
  long params_ = 0, macs_ = 0;
  std::vector<tensor_spec> specs_;
};

// Deterministic weights for a dynamic model: the same as typenet::seeded_weights<M>(seed) for its
// static twin (same specs, same order).
inline weight_store seeded_weights(const model& m, std::uint64_t seed) { return typenet::seeded_weights(m.tensor_specs(), seed); }

// ---- models: torchvision's ResNet family (models/torchvision_resnet.hpp) -------------------------
inline model torchvision_resnet(int h, int w, int classes, std::vector<layer> stages) {
  std::vector<layer> body{named("conv1", conv2d(64, 7, 2, 3)), named("bn1", batch_norm()), named("relu", relu()),
                          named("maxpool", max_pool(3, 2, 1))};
  for (std::size_t i = 0; i < stages.size(); ++i) body.push_back(named("layer" + std::to_string(i + 1), std::move(stages[i])));
  body.push_back(named("avgpool", global_avg_pool()));
  body.push_back(named("fc", linear(classes)));
  return model({3, h, w}, sequential(std::move(body)));
}
inline model resnext50_32x4d(int h = 224, int w = 224, int classes = 1000) {
  return torchvision_resnet(h, w, classes, {resnext_stack(128, 3, 1), resnext_stack(256, 4, 2), resnext_stack(512, 6, 2),
                                            resnext_stack(1024, 3, 2)});
}
inline model resnet50(int h = 224, int w = 224, int classes = 1000) {
  return torchvision_resnet(h, w, classes, {resnet_stack(64, 3, 1), resnet_stack(128, 4, 2), resnet_stack(256, 6, 2),
                                            resnet_stack(512, 3, 2)});
}

}  // namespace typenet::dynamic
