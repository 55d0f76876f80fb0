#pragma once
// flatten: (C, H, W) -> (C*H*W, 1, 1), torch.flatten(x, 1). NCHW is already that order in memory,
// so it emits no call.
#include "../layer.hpp"

namespace typenet {

namespace ops {
struct flatten {
  static constexpr std::string_view kind = "flatten";
  struct attributes {};
  using rules = rule_list<>;
  static constexpr dims output(const attributes&, dims in) { return {int(in.size()), 1, 1}; }
  static constexpr ir::wiring wiring{.call = false};  // no call: its output is its input
  static runtime::value emit(const attributes&, ir::emit_context& ctx) { return ctx.x; }
};
}  // namespace ops

struct flatten : layer_of<ops::flatten> {};

namespace dynamic {
inline layer flatten() { return ir::make<ops::flatten>({}); }
}  // namespace dynamic

}  // namespace typenet
