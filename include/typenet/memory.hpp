#pragma once
// The compile-time memory plan: a model type's calls sketched by the compiler (each layer's op
// kind appends what its emit() would, runtime/sketch.hpp), then the planner's own fusion pass and
// placement, run in a constant expression. memory_plan_v<M> is therefore the plan the executor
// makes at run time for M (fused path), byte for byte: what executor<M> allocates per image.
#include "model.hpp"
#include "runtime/sketch.hpp"

namespace typenet {

namespace detail {
using sketch_fn = runtime::value (*)(runtime::sketch&, runtime::value);

template <layer L>
constexpr runtime::value sketch_layer(runtime::sketch& s, runtime::value x);

// The children's sketches as a table (as lower<L> does with lowerings): the walk through a
// composite is op_sketch's loop, compiled once per op kind.
template <class... C>
inline constexpr sketch_fn sketches_v[sizeof...(C) + 1] = {&sketch_layer<C>..., nullptr};
template <class... C>
constexpr const sketch_fn* sketches_of(type_list<C...>) {
  return sketches_v<C...>;
}

template <layer L>
constexpr runtime::value sketch_layer(runtime::sketch& s, runtime::value x) {
  const sketch_fn* children = nullptr;
  int count = 0;
  if constexpr (composite_layer<L>) {
    children = sketches_of(children_t<L>{});
    count = int(decltype(hana::length(L::children))::value);
  }
  return ir::detail::op_sketch<typename L::op>(L::attrs, s, x, count,
                                               [&](int i, runtime::value v) { return children[i](s, v); });
}

// M's plan, or zeros for an ill-formed M (after its one diagnostic).
template <class M, bool Ok>
constexpr memory_plan plan_memory(bool fused) {
  if constexpr (!Ok) {
    return {};
  } else {
    runtime::sketch s(M::input_shape::dims);
    const runtime::value result = sketch_layer<typename M::body>(s, 0);
    return runtime::plan_memory(s, result, fused);
  }
}
}  // namespace detail

// M's activation memory per image for its fused plan (what executor<M> allocates per image of
// max_batch): scratch bytes, the naive figure (largest activation x buffers), the live peak.
template <model_type M>
inline constexpr memory_plan memory_plan_v = detail::plan_memory<M, detail::model_ok<M>>(true);

// The bytes of activation memory per image that executor<M> allocates (its input and output are
// the caller's): buffer liveness over the fused plan, each buffer as large as its largest value.
template <model_type M>
inline constexpr long activation_bytes_v = memory_plan_v<M>.bytes;

}  // namespace typenet
