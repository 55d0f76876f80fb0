#pragma once
// identity: passes its input on unchanged (the shortcut of a residual block). It emits no call.
#include "../layer.hpp"

namespace typenet {

namespace ops {
struct identity {
  static constexpr std::string_view kind = "identity";
  struct attributes {};
  using rules = rule_list<>;
  static constexpr ir::wiring wiring{.call = false};  // no call: its output is its input
  static runtime::value emit(const attributes&, ir::emit_context& ctx) { return ctx.x; }
};
}  // namespace ops

struct identity : layer_of<ops::identity> {};

namespace dynamic {
inline layer identity() { return ir::make<ops::identity>({}); }
}  // namespace dynamic

}  // namespace typenet
