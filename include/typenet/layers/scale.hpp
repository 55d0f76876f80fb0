#pragma once
// scale<Gate>: y = x * Gate(x), the gate giving one factor per channel, (C, 1, 1): the multiply
// of squeeze-excitation (blocks/squeeze_excitation.hpp).
#include "../kernels/elementwise.hpp"
#include "../layer.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(scale_children, "scale: needs exactly one gate", "{} children");
TYPENET_RULE(scale_gate, "scale: the gate must give (C, 1, 1) with C the input's channels",
             "gate {}x{}x{}, input channels {}");
}  // namespace rule

namespace ops {
struct scale {
  static constexpr std::string_view kind = "scale";
  struct attributes {};
  using rules = rule_list<rule::scale_children, rule::scale_gate>;
  static constexpr ir::flow flow = ir::flow::parallel;
  static constexpr ir::wiring wiring{.input_first = true};  // the call reads x, then the gate
  static constexpr runtime::fusion_traits fusion{.gate = true};  // a 1x1 conv after it may fold it

  static constexpr outcome join(const attributes&, dims in, const dims* outs, int n) {
    if (n != 1) return {rules::broken<rule::scale_children>({n}), in};
    const dims g = outs[0];
    if (g.channels != in.channels || g.height != 1 || g.width != 1)
      return {rules::broken<rule::scale_gate>({g.channels, g.height, g.width, in.channels}), in};
    return {{}, in};
  }

  // One product per element, exact in float: the reference and the fast path are the same loop.
  class call final : public runtime::call {
   public:
    explicit call(dims in) : in_(in) {}
    void run(const runtime::io& x, int batch, kernels::part p) const override {
      kernels::scale_channels(in_.channels, long(in_.height) * in_.width, x.in[0], x.in[1], x.out, batch, p);
    }
    bool is_gate() const override { return true; }

   private:
    dims in_;
  };

  static runtime::value emit(const attributes&, ir::emit_context& ctx) {
    const runtime::value gate = ctx.child(0, ctx.x);
    return ctx.add(std::make_shared<call>(ctx.in), {ctx.x, gate});
  }
};
}  // namespace ops

template <class Gate>
struct scale : composite_of<ops::scale, Gate> {};

namespace dynamic {
inline layer scale(layer gate) { return ir::make<ops::scale>({}, {std::move(gate)}); }
}  // namespace dynamic

}  // namespace typenet
