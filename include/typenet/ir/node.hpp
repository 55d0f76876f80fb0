#pragma once
// The one run-time description of a model, which both front ends produce: the static front end
// lowers a model type to it (typenet::lower<L>()), the dynamic one builds it by hand. A node is an
// op kind with its attributes (type-erased), its children, its name. On it, one walker checks
// shapes (resolve), lists tensors, makes summary rows and emits the plan.
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "../op.hpp"
#include "../runtime/plan.hpp"
#include "../runtime/sketch.hpp"
#include "../runtime/weight_store.hpp"

namespace typenet::ir {

// Where an op kind appends its state_dict entries: suffixes (".weight") under the layer's path.
class tensor_list {
 public:
  tensor_list(std::vector<tensor_spec>& out, std::string path) : out_(out), path_(std::move(path)) {}
  void add(std::string_view suffix, std::vector<long> shape) { out_.push_back({path_ + std::string(suffix), std::move(shape)}); }

 private:
  std::vector<tensor_spec>& out_;
  std::string path_;
};

// What an op kind's emit() sees: its layer's shapes, path, input value and parameters, the plan,
// and (for a composite) a way to emit its children.
struct emit_context {
  runtime::builder& plan;
  const weight_store& weights;
  const std::string& path;  // the layer's dotted path
  dims in, out;
  runtime::value x;         // the layer's input
  int children = 0;
  std::function<runtime::value(int, runtime::value)> child;  // emits child i on a value

  // A copy of the layer's parameter `suffix` (".weight"): calls own what they read (a mapped
  // file's pages are released once copied).
  std::vector<float> tensor(std::string_view suffix) const { return weights.take_copy(path + std::string(suffix)); }
  // Appends a call computing this layer's output from `inputs` (the layer's input by default).
  runtime::value add(std::shared_ptr<runtime::call> body, std::vector<runtime::value> inputs = {}, long macs = 0) const {
    if (inputs.empty()) inputs.push_back(x);
    return plan.add(std::move(body), std::move(inputs), out, path, macs);
  }
};

struct node;

namespace detail {
// The protocol's defaults for the plans made without emitting.
template <op_kind Op>
constexpr wiring op_wiring() {
  if constexpr (requires { Op::wiring; }) return Op::wiring;
  else if constexpr (composite_op_kind<Op>) return {.call = Op::flow == flow::parallel};
  else return {};
}
// What a call offers the fusion pass: Op::fusion_of(attributes, input) where it depends on them, else Op::fusion.
template <op_kind Op>
constexpr runtime::fusion_traits op_fusion(const typename Op::attributes& a, dims in) {
  if constexpr (requires { Op::fusion_of(a, in); }) return Op::fusion_of(a, in);
  else if constexpr (requires { Op::fusion; }) return Op::fusion;
  else return {};
}

// What an op kind's emit() appends, on a sketch: the same values in the same order, from its
// wiring. `child(i, v)` sketches child i on value v (n children). Both front ends' walkers call it.
template <op_kind Op, class Child>
constexpr runtime::value op_sketch(const typename Op::attributes& a, runtime::sketch& s, runtime::value x, int n, const Child& child) {
  constexpr wiring w = op_wiring<Op>();
  const dims in = s.shape(x);
  if constexpr (composite_op_kind<Op>) {
    if (!w.call) {
      for (int i = 0; i < n; ++i) x = child(i, x);
      return x;
    }
    if (n > runtime::io::max_inputs) throw std::logic_error("executor: a call has too many inputs");
    runtime::value outs[runtime::io::max_inputs] = {};
    dims shapes[runtime::io::max_inputs] = {};
    for (int k = 0; k < n; ++k) {
      const int i = w.reversed ? n - 1 - k : k;
      outs[i] = child(i, x);
      shapes[i] = s.shape(outs[i]);
    }
    runtime::value_list inputs;
    if (w.input_first) inputs.push_back(x);
    for (int i = 0; i < n; ++i) inputs.push_back(outs[i]);
    return s.add(inputs, typenet::detail::op_join<Op>(a, in, shapes, n).out, op_fusion<Op>(a, in));
  } else {
    if (!w.call) return x;
    return s.add({x}, typenet::detail::op_output<Op>(a, in), op_fusion<Op>(a, in));
  }
}

// An op kind with its attributes, behind one interface.
struct op_model {
  virtual ~op_model() = default;
  virtual std::string_view kind() const = 0;
  virtual bool composite() const = 0;
  virtual flow wiring() const = 0;
  virtual verdict check(dims in) const = 0;
  virtual dims output(dims in) const = 0;
  virtual outcome join(dims in, const dims* outs, int n) const = 0;
  virtual long params(dims in) const = 0;
  virtual long macs(dims in) const = 0;
  virtual void tensors(dims in, tensor_list& out) const = 0;
  virtual runtime::value emit(emit_context& ctx) const = 0;
  // What emit() would append, on a sketch (`self` is this op's node, for its children).
  virtual runtime::value sketch(runtime::sketch& s, runtime::value x, const node& self) const = 0;
  virtual std::string message(std::string_view path, const verdict& v) const = 0;
};

template <op_kind Op>
struct op_instance final : op_model {
  using A = typename Op::attributes;
  explicit op_instance(const A& a) : attrs(a) {}
  A attrs;

  std::string_view kind() const override { return Op::kind; }
  bool composite() const override { return composite_op_kind<Op>; }
  flow wiring() const override {
    if constexpr (composite_op_kind<Op>) return Op::flow; else return flow::chain;
  }
  verdict check(dims in) const override { return typenet::detail::op_check<Op>(attrs, in); }
  dims output(dims in) const override { return typenet::detail::op_output<Op>(attrs, in); }
  outcome join(dims in, const dims* outs, int n) const override { return typenet::detail::op_join<Op>(attrs, in, outs, n); }
  long params(dims in) const override { return typenet::detail::op_params<Op>(attrs, in); }
  long macs(dims in) const override { return typenet::detail::op_macs<Op>(attrs, in); }
  void tensors(dims in, tensor_list& out) const override {
    if constexpr (requires { Op::tensors(attrs, in, out); }) Op::tensors(attrs, in, out);
  }
  runtime::value emit(emit_context& ctx) const override {
    if constexpr (requires { Op::emit(attrs, ctx); }) {
      return Op::emit(attrs, ctx);
    } else if constexpr (composite_op_kind<Op>) {
      static_assert(Op::flow == flow::chain, "op kind: a parallel composite needs emit() to combine its children");
      runtime::value v = ctx.x;
      for (int i = 0; i < ctx.children; ++i) v = ctx.child(i, v);
      return v;
    } else {
      throw std::logic_error("executor: op kind '" + std::string(Op::kind) + "' has no emit() (no kernel)");
    }
  }
  runtime::value sketch(runtime::sketch& s, runtime::value x, const node& self) const override;
  std::string message(std::string_view path, const verdict& v) const override {
    const auto i = std::size_t(v.rule);
    return typenet::detail::rule_message(path, Op::rules::texts[i], Op::rules::details[i], v);
  }
};
}  // namespace detail

// One layer of the description.
struct node {
  std::shared_ptr<const detail::op_model> op;
  std::vector<node> children;
  std::optional<std::string> name;  // named: its state_dict name; "" makes it transparent
  std::string_view label;           // its kind in summaries, if not the op kind's (a block's)

  std::string_view kind() const { return label.empty() ? op->kind() : label; }
};

template <op_kind Op>
runtime::value detail::op_instance<Op>::sketch(runtime::sketch& s, runtime::value x, const node& self) const {
  return op_sketch<Op>(attrs, s, x, int(self.children.size()), [&](int i, runtime::value v) {
    const node& c = self.children[std::size_t(i)];
    return c.op->sketch(s, v, c);
  });
}

// The memory plan of `n` on `input` (a checked pair: see resolve), made without weights: the same as the
// executor's for it (fused, or the reference path's with !fused).
inline memory_plan plan_memory(const node& n, dims input, bool fused = true) {
  runtime::sketch s(input);
  return runtime::plan_memory(s, n.op->sketch(s, 0, n), fused);
}

template <op_kind Op>
std::shared_ptr<const detail::op_model> make_op(const typename Op::attributes& attrs) {
  return std::make_shared<detail::op_instance<Op>>(attrs);
}
template <op_kind Op>
node make(const typename Op::attributes& attrs, std::vector<node> children = {}) {
  return node{make_op<Op>(attrs), std::move(children), std::nullopt, {}};
}

using lowering = node (*)();  // makes one child's description (typenet::lower<L>)

namespace detail {
// A node from its parts (out of line: one copy, not one per lowered layer type).
[[gnu::noinline]] inline node assemble(std::shared_ptr<const op_model> op, const lowering* children, int count,
                                       std::string_view kind, std::optional<std::string_view> name) {
  node n{std::move(op), {}, std::nullopt, {}};
  n.children.reserve(std::size_t(count));
  for (int i = 0; i < count; ++i) n.children.push_back(children[i]());
  if (kind != n.op->kind()) n.label = kind;
  if (name) n.name = std::string(*name);
  return n;
}
}  // namespace detail

// The dotted path of child `index` under `parent`: its name, its index if unnamed, or the
// parent's path if it is transparent.
inline std::string child_path(const node& child, const std::string& parent, int index) {
  std::string own;
  if (child.name) {
    if (child.name->empty()) return parent;
    own = *child.name;
  } else {
    own = std::to_string(index);
  }
  return parent.empty() ? own : parent + "." + own;
}

// A node on a given input: its checked shapes, path, totals and resolved children.
struct resolved {
  const node* n = nullptr;
  dims in, out;
  std::string path;
  long params = 0, macs = 0;  // children included
  std::vector<resolved> children;
};

// Checks `n` on `in` (shape_error naming the path, rule and numbers of the first broken rule) and
// resolves every shape below it.
inline resolved resolve(const node& n, dims in, const std::string& path = "") {
  const auto& op = *n.op;
  if (const verdict v = op.check(in); !v.ok()) throw shape_error(op.message(path, v));
  resolved r{&n, in, {}, path, op.params(in), op.macs(in), {}};
  if (op.composite()) {
    std::vector<dims> outs;
    dims cur = in;
    for (std::size_t i = 0; i < n.children.size(); ++i) {
      const node& c = n.children[i];
      r.children.push_back(resolve(c, op.wiring() == flow::chain ? cur : in, child_path(c, path, int(i))));
      cur = r.children.back().out;
      outs.push_back(cur);
      r.params += r.children.back().params, r.macs += r.children.back().macs;
    }
    const outcome o = op.join(in, outs.data(), int(outs.size()));
    if (!o.v.ok()) throw shape_error(op.message(path, o.v));
    r.out = o.out;
  } else {
    r.out = op.output(in);
  }
  return r;
}

// Every tensor the resolved tree reads, in model order, named as in torchvision's state_dict.
inline void collect_tensors(const resolved& r, std::vector<tensor_spec>& out) {
  tensor_list list(out, r.path);
  r.n->op->tensors(r.in, list);
  for (const auto& c : r.children) collect_tensors(c, out);
}
inline std::vector<tensor_spec> tensor_specs(const resolved& r) {
  std::vector<tensor_spec> out;
  collect_tensors(r, out);
  return out;
}

// Emits the calls computing `r` from value x; returns the output value.
inline runtime::value emit(const resolved& r, runtime::builder& plan, const weight_store& weights, runtime::value x) {
  emit_context ctx{plan, weights, r.path, r.in, r.out, x, int(r.children.size()), {}};
  ctx.child = [&](int i, runtime::value v) { return emit(r.children[std::size_t(i)], plan, weights, v); };
  return r.n->op->emit(ctx);
}

}  // namespace typenet::ir

// The dynamic front end's layers are nodes; each layer kind's file adds its builder function
// (dynamic::conv2d(...), ...) beside its op kind.
namespace typenet::dynamic {
using layer = ir::node;
using typenet::dims;
using typenet::shape_error;

inline layer named(std::string name, layer l) {
  l.name = std::move(name);
  return l;
}
inline layer transparent(layer l) { return named("", std::move(l)); }
}  // namespace typenet::dynamic
