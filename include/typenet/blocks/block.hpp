#pragma once
// block_of<Op, Body, Attrs...>: a block written as the layers of Body (a composite: a sequential,
// a concat, ...) under its own op kind Op, so that Op's rules are checked, in the block's words,
// before its layers, and summaries show the block by name. Attrs are Op's attributes, in order.
//   template <int Squeeze, int E1, int E3>
//   struct fire : block_of<ops::fire, detail::fire_body<Squeeze, E1, E3>, Squeeze, E1, E3> {};
#include <string_view>

#include "../diagnostics.hpp"
#include "../fixed_string.hpp"
#include "../op.hpp"

namespace typenet {

namespace ops {
// The op kind of a block with no rules of its own: a chain of its layers under the name Kind.
template <fixed_string Kind>
struct unchecked_block {
  static constexpr std::string_view kind = Kind.view();
  struct attributes {};
  using rules = rule_list<>;
  static constexpr ir::flow flow = ir::flow::chain;
};
}  // namespace ops

template <composite_op_kind Op, class Body, auto... Attrs>
struct block_of : Body {
  using op = Op;
  static constexpr std::string_view kind = Op::kind;
  static constexpr typename Op::attributes attrs{Attrs...};
};

}  // namespace typenet
