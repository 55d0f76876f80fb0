#pragma once
// The static front end's layer protocol. A layer L is a type with
//   L::op       its op kind (op.hpp): the one description of its rules, shapes, tensors, kernels;
//   L::attrs    its numbers, a constexpr L::op::attributes;
//   L::kind     its name in summaries (the op kind's, or a block's own);
// and a composite layer also has
//   L::children a hana::tuple_t of its child layers.
// A layer may also have L::name (named<>). Shapes, rules, params and MACs are computed by the
// compiler from the op kind's constexpr functions; lower<L>() gives the run-time description
// (ir::node) that the planner runs, the same one the dynamic front end builds.
#include <boost/hana/at.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>
#include <boost/hana/unpack.hpp>
#include <string_view>
#include <utility>

#include "diagnostics.hpp"
#include "fixed_string.hpp"
#include "ir/node.hpp"
#include "op.hpp"
#include "shape.hpp"

namespace typenet {
namespace hana = boost::hana;

template <class L>
concept layer = requires {
  typename L::op;
  requires op_kind<typename L::op>;
  { L::attrs } -> std::convertible_to<typename L::op::attributes>;
  { L::kind } -> std::convertible_to<std::string_view>;
};

template <class L>
concept composite_layer = layer<L> && composite_op_kind<typename L::op> && requires { L::children; };

// Bases for writing layers: the op kind, its name, default attributes (and the children).
template <op_kind Op>
struct layer_of {
  using op = Op;
  static constexpr std::string_view kind = Op::kind;
  static constexpr typename Op::attributes attrs{};
};
template <composite_op_kind Op, class... Children>
struct composite_of : layer_of<Op> {
  static constexpr auto children = hana::tuple_t<Children...>;
};

// named<"conv1", L>: L under the name torchvision's state_dict uses for it. An empty name makes
// a node transparent: its children take its place in names and summaries.
// (Composites take their children unconstrained, so that naming a model type instantiates only
// its own layers; model<> and every entry point check the protocol.)
template <fixed_string Name, class L>
struct named : L {
  using layer_type = L;
  static constexpr std::string_view name = Name.view();
};

namespace detail {
// The type a hana::type value (or a reference to one) stands for.
template <class HanaType>
using type_of = typename std::remove_cvref_t<HanaType>::type;

template <class L>
inline constexpr bool has_name = requires { { L::name } -> std::convertible_to<std::string_view>; };
template <class L>
constexpr std::string_view own_name() {
  if constexpr (has_name<L>) return L::name; else return {};
}
template <class L>
inline constexpr bool is_hidden = has_name<L> && own_name<L>().empty();

// The child layer types of a composite as a plain pack (hana::tuple_t<C...> is a tuple of
// hana::type<C>), so folds over children are pack expansions, not generic lambdas.
template <class... Ts>
struct type_list {};
template <class Tuple>
struct tuple_types;
template <class... H>
struct tuple_types<hana::tuple<H...>> {
  using type = type_list<typename H::type...>;
};
template <class L>
using children_t = typename tuple_types<std::remove_cvref_t<decltype(L::children)>>::type;
template <class L, std::size_t I>
using child_t = type_of<decltype(hana::at_c<I>(L::children))>;

// What the compiler knows of L on an input: the first broken rule (its path relative to L) or
// ok, and then the output shape, parameters and MACs per image (children included). One pass.
struct facts {
  verdict v;
  dims out;
  long params = 0, macs = 0;
};

template <layer L>
constexpr facts walk(dims in);

// One child of a composite: walked on its input, stopped at the first broken rule.
template <class C>
constexpr bool walk_child(ir::flow flow, dims in, dims& cur, dims* outs, int& i, facts& f) {
  const facts c = walk<C>(flow == ir::flow::chain ? cur : in);
  if (!c.v.ok()) {
    f.v = c.v;
    f.v.inside(i, own_name<C>(), has_name<C>);
    return false;
  }
  f.params += c.params, f.macs += c.macs;
  cur = outs[i++] = c.out;
  return true;
}
template <class L, class... C>
constexpr facts walk_composite(dims in, type_list<C...>) {
  static_assert((layer<C> && ...), "typenet: every child of a composite layer must be a typenet::layer (the concept in layer.hpp)");
  using Op = typename L::op;
  facts f;
  dims outs[sizeof...(C) + 1] = {};
  dims cur = in;
  int i = 0;
  if constexpr ((layer<C> && ...)) {
    if (!(true && ... && walk_child<C>(Op::flow, in, cur, outs, i, f))) return f;
  }
  const outcome o = op_join<Op>(L::attrs, in, outs, int(sizeof...(C)));
  f.v = o.v, f.out = o.out;
  return f;
}

template <layer L>
constexpr facts walk(dims in) {
  using Op = typename L::op;
  facts f;
  f.v = op_check<Op>(L::attrs, in);
  if (!f.v.ok()) return f;
  if constexpr (composite_layer<L>) {
    f = walk_composite<L>(in, children_t<L>{});
    if (!f.v.ok()) return f;
  } else {
    f.out = op_output<Op>(L::attrs, in);
  }
  f.params += op_params<Op>(L::attrs, in);
  f.macs += op_macs<Op>(L::attrs, in);
  return f;
}

// The layer a verdict's trail leads to.
template <class L, int... Trail>
struct layer_at {
  using type = L;
};
template <class L, int I, int... Rest>
struct layer_at<L, I, Rest...> : layer_at<child_t<L, std::size_t(I)>, Rest...> {};

// A layer without its named<> wrappers: what a diagnostic shows of it.
template <class L>
struct unnamed {
  using type = L;
};
template <fixed_string Name, class L>
struct unnamed<named<Name, L>> : unnamed<L> {};

template <class Rules, int I>
struct rule_at;
template <class R, class... Rs>
struct rule_at<rule_list<R, Rs...>, 0> {
  using type = R;
};
template <class R, class... Rs, int I>
struct rule_at<rule_list<R, Rs...>, I> : rule_at<rule_list<Rs...>, I - 1> {};

template <std::size_t N>
constexpr fixed_string<N + 1> to_fixed(const char* s) {
  fixed_string<N + 1> f;
  for (std::size_t i = 0; i < N; ++i) f.data[i] = s[i];
  return f;
}

template <class Body, class In>
inline constexpr verdict verdict_v = walk<Body>(In::dims).v;

// The failing rule's detail with its numbers ("branch 14x14, shortcut 28x28") and the dotted path
// of the failing layer, as template arguments (explicit types: GCC needs them in declarations).
struct text_buffer {
  char s[200];
  int n;
};
template <class Rule, class Body, class In>
constexpr text_buffer make_detail() {
  text_buffer t{};
  t.n = format_detail(Rule::detail, verdict_v<Body, In>, t.s, 200);
  if (t.n > 199) t.n = 199;
  return t;
}
template <class Rule, class Body, class In>
inline constexpr text_buffer detail_text_v = make_detail<Rule, Body, In>();
template <class Rule, class Body, class In>
inline constexpr fixed_string<std::size_t(detail_text_v<Rule, Body, In>.n) + 1> detail_fixed_v =
    to_fixed<std::size_t(detail_text_v<Rule, Body, In>.n)>(detail_text_v<Rule, Body, In>.s);
template <class Body, class In>
inline constexpr fixed_string<std::size_t(verdict_v<Body, In>.path_len ? verdict_v<Body, In>.path_len : 5) + 1> path_text_v =
    to_fixed<std::size_t(verdict_v<Body, In>.path_len ? verdict_v<Body, In>.path_len : 5)>(
        verdict_v<Body, In>.path_len ? verdict_v<Body, In>.path : "model");

// Declared only: their return types name the failing layer and the diagnostic's context.
template <class Body, class In, std::size_t... D>
auto failing_layer(std::index_sequence<D...>) -> hana::basic_type<typename layer_at<Body, verdict_v<Body, In>.trail[D]...>::type>;
#if defined(__clang__)
template <class Shown, class Rule, class Body, class In, std::size_t... I>
auto mismatch(std::index_sequence<I...>) -> shape_mismatch<Shown, verdict_v<Body, In>.values[I]...>*;
#else
template <class Shown, class Rule, class Body, class In, std::size_t... I>
auto mismatch(std::index_sequence<I...>)
    -> shape_mismatch<path_text_v<Body, In>, detail_fixed_v<Rule, Body, In>, Shown, verdict_v<Body, In>.values[I]...>*;
#endif

// The one compile-time report of a broken layer (once per body and input): the failing rule's
// static_assert, in the context of detail::shape_mismatch<...>, which shows the numbers (on GCC
// with the dotted path of the failing layer). Returns the output shape (a hana::type), or
// invalid_shape after the report. Entry points call it directly, so that the compiler's
// instantiation context, which spells out the whole model type on every line, stays short.
template <class Body, class In>
constexpr auto diagnose() {
  constexpr const verdict& v = verdict_v<Body, In>;
  if constexpr (v.ok()) {
    constexpr dims out = walk<Body>(In::dims).out;
    return hana::type_c<shape<out.channels, out.height, out.width>>;
  } else {
    using failing = typename decltype(failing_layer<Body, In>(std::make_index_sequence<std::size_t(v.depth)>{}))::type;
    using rule = typename rule_at<typename failing::op::rules, v.rule>::type;
    using context = std::remove_pointer_t<decltype(mismatch<typename unnamed<failing>::type, rule, Body, In>(
        std::make_index_sequence<std::size_t(v.count)>{}))>;
    rule::template fail<context>();
    return hana::type_c<invalid_shape>;
  }
}

// Parameters or MACs of L on In, given what diagnose<L, In>() returned (0 for a broken L).
template <class L, class In, bool Macs, class Out>
constexpr long checked_total(hana::basic_type<Out>) {
  if constexpr (std::is_same_v<Out, invalid_shape>) return 0; else return Macs ? walk<L>(In::dims).macs : walk<L>(In::dims).params;
}
}  // namespace detail

// Does layer L accept input shape In? A plain predicate: never a compile error.
template <class L, class In>
inline constexpr bool accepts = [] {
  if constexpr (layer<L> && shape_type<In>) return detail::walk<L>(In::dims).v.ok(); else return false;
}();

// The output shape of L on In; for an invalid pair, the first broken rule is the compile error.
template <layer L, shape_type In>
using output_t = detail::type_of<decltype(detail::diagnose<L, In>())>;

// Parameters and MACs per image of L on In (after the same check as output_t).
template <layer L, shape_type In>
inline constexpr long layer_params_v = detail::checked_total<L, In, false>(detail::diagnose<L, In>());
template <layer L, shape_type In>
inline constexpr long layer_macs_v = detail::checked_total<L, In, true>(detail::diagnose<L, In>());

// The run-time description of L: the same ir::node the dynamic front end builds by hand.
template <layer L>
ir::node lower();

namespace detail {
// The children's lowerings as a table of function pointers: each lower<L> stays a few
// instructions, and the loop that builds a node is compiled once (ir::detail::assemble).
template <class... C>
inline constexpr ir::lowering lowerings_v[sizeof...(C) + 1] = {&lower<C>..., nullptr};
template <class... C>
constexpr const ir::lowering* lowerings_of(type_list<C...>) {
  return lowerings_v<C...>;
}
}  // namespace detail

template <layer L>
ir::node lower() {
  const ir::lowering* children = nullptr;
  int count = 0;
  if constexpr (composite_layer<L>) {
    children = detail::lowerings_of(detail::children_t<L>{});
    count = int(decltype(hana::length(L::children))::value);
  }
  return ir::detail::assemble(ir::make_op<typename L::op>(L::attrs), children, count, L::kind,
                              detail::has_name<L> ? std::optional<std::string_view>(detail::own_name<L>()) : std::nullopt);
}

}  // namespace typenet
