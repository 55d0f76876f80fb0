#pragma once
// block_of<Op, Body, Attrs...>: a block written as the layers of Body (a composite: a sequential,
// a concat, ...) under its own op kind Op, so that Op's rules are checked, in the block's words,
// before its layers, and summaries show the block by name. Attrs are Op's attributes, in order.
//   template <int Squeeze, int E1, int E3>
//   struct fire : block_of<ops::fire, detail::fire_body<Squeeze, E1, E3>, Squeeze, E1, E3> {};
#include <string_view>

#include "../op.hpp"

namespace typenet {

template <composite_op_kind Op, class Body, auto... Attrs>
struct block_of : Body {
  using op = Op;
  static constexpr std::string_view kind = Op::kind;
  static constexpr typename Op::attributes attrs{Attrs...};
};

}  // namespace typenet
