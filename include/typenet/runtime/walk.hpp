#pragma once
// Walking a model type at set-up time: which kind of layer a type is, and every leaf with its
// torchvision-style dotted path. Used by weight loading and by the executor's plan builder.
#include <boost/hana/at.hpp>
#include <boost/hana/length.hpp>
#include <string>
#include <utility>

#include "../layers/activation.hpp"
#include "../layers/batch_norm.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/linear.hpp"
#include "../layers/pool.hpp"
#include "../layers/residual.hpp"
#include "../layers/sequential.hpp"

namespace typenet::detail {

// The layer under a named<> wrapper.
template <class L>
struct unwrap {
  using type = L;
};
template <fixed_string Name, class L>
struct unwrap<named<Name, L>> : unwrap<L> {};
template <class L>
using unwrap_t = typename unwrap<L>::type;

// The sequential<> or residual<> a composite (resnext::block, a named stack...) derives from;
// void for anything else. Derived-to-base pointer conversion beats conversion to const void*.
template <class... Ls>
sequential<Ls...> sequential_base(const sequential<Ls...>*);
void sequential_base(const void*);
template <class B, class S>
residual<B, S> residual_base(const residual<B, S>*);
void residual_base(const void*);
template <class L>
inline constexpr bool is_sequential = !std::is_void_v<decltype(sequential_base(static_cast<const L*>(nullptr)))>;
template <class L>
inline constexpr bool is_residual = !std::is_void_v<decltype(residual_base(static_cast<const L*>(nullptr)))>;

template <class L, template <auto...> class Template>
inline constexpr bool is_instance_of = false;
template <template <auto...> class Template, auto... Args>
inline constexpr bool is_instance_of<Template<Args...>, Template> = true;

template <class L>
inline constexpr bool is_conv2d = is_instance_of<unwrap_t<L>, conv2d>;
template <class L>
inline constexpr bool is_linear = is_instance_of<unwrap_t<L>, linear>;
template <class L>
inline constexpr bool is_max_pool = is_instance_of<unwrap_t<L>, max_pool>;
template <class L>
inline constexpr bool is_batch_norm = false;
template <class Eps>
inline constexpr bool is_batch_norm<basic_batch_norm<Eps>> = true;
template <fixed_string Name, class L>
inline constexpr bool is_batch_norm<named<Name, L>> = is_batch_norm<L>;
template <class L>
inline constexpr bool is_relu = std::is_same_v<unwrap_t<L>, relu>;
template <class L>
inline constexpr bool is_identity = std::is_same_v<unwrap_t<L>, identity>;
template <class L>
inline constexpr bool is_global_avg_pool = std::is_same_v<unwrap_t<L>, global_avg_pool>;

// The dotted path of child `index` of the layer at `parent`: its name, its index if unnamed, or
// the parent's path itself if the child is transparent (named "").
template <class Child>
std::string child_path(const std::string& parent, int index) {
  std::string own;
  if constexpr (is_named<Child>) {
    if (Child::name.empty()) return parent;
    own = std::string(Child::name);
  } else {
    own = std::to_string(index);
  }
  return parent.empty() ? own : parent + "." + own;
}

// Calls f.template operator()<Child, ChildInput>(index) for every child of composite L on In.
template <class L, class In, class F>
void for_each_child(F&& f) {
  constexpr auto inputs = L::template child_inputs<In>();
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f.template operator()<type_of<decltype(hana::at_c<I>(L::children))>, type_of<decltype(hana::at_c<I>(inputs))>>(int(I)),
     ...);
  }(std::make_index_sequence<decltype(hana::length(L::children))::value>{});
}

// Calls visit.template operator()<Leaf, In>(path) for every leaf layer, depth first.
template <class L, class In, class Visit>
void for_each_leaf(Visit& visit, const std::string& path) {
  if constexpr (composite_layer<L>) {
    for_each_child<L, In>([&]<class Child, class ChildIn>(int index) {
      for_each_leaf<Child, ChildIn>(visit, child_path<Child>(path, index));
    });
  } else {
    visit.template operator()<L, In>(path);
  }
}

}  // namespace typenet::detail
