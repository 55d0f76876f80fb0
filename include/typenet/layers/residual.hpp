#pragma once
// residual<Branch, Shortcut>: y = Branch(x) + Shortcut(x). Both children see the same input and
// must agree on the output shape. Keras' Add raises "Inputs have incompatible shapes" at graph
// build and dlib's add_prev zero-pads silently; here a mismatch does not compile.
#include "../kernels/elementwise.hpp"
#include "../kernels/reference.hpp"
#include "../layer.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(residual_children, "residual: needs a branch and a shortcut", "{} children");
TYPENET_RULE(residual_channels, "residual: branch and shortcut must give the same channels",
             "branch {} channels, shortcut {} channels");
TYPENET_RULE(residual_spatial, "residual: branch and shortcut must give the same height and width",
             "branch {}x{}, shortcut {}x{}");
}  // namespace rule

namespace ops {
struct residual {
  static constexpr std::string_view kind = "residual";
  struct attributes {};
  using rules = rule_list<rule::residual_children, rule::residual_channels, rule::residual_spatial>;
  static constexpr ir::flow flow = ir::flow::parallel;
  static constexpr ir::wiring wiring{.reversed = true};  // see emit()
  static constexpr runtime::fusion_traits fusion{.add = true, .absorbs_relu = true};

  static constexpr outcome join(const attributes&, dims in, const dims* outs, int n) {
    if (n != 2) return {rules::broken<rule::residual_children>({n}), in};
    const dims b = outs[0], s = outs[1];
    if (b.channels != s.channels) return {rules::broken<rule::residual_channels>({b.channels, s.channels}), in};
    if (b.height != s.height || b.width != s.width)
      return {rules::broken<rule::residual_spatial>({b.height, b.width, s.height, s.width}), in};
    return {{}, b};
  }

  // out = a + b (then ReLU, if it absorbed one); the planner usually folds it into the branch's
  // last convolution instead.
  class add final : public runtime::call {
   public:
    explicit add(long size) : size_(size) {}
    void run(const runtime::io& x, int batch, kernels::part p) const override {
      if (fast_) return (relu_ ? kernels::add_relu : kernels::add)(size_ * batch, x.in[0], x.in[1], x.out, p);
      long begin, end;
      runtime::element_range(size_ * batch, p, begin, end);
      kernels::reference::add(end - begin, x.in[0] + begin, x.in[1] + begin, x.out + begin);
      if (relu_) kernels::reference::relu(end - begin, x.out + begin, x.out + begin);
    }
    void prepare(bool fast) override { fast_ = fast; }
    bool is_add() const override { return true; }
    bool absorb_activation(const runtime::activation& f) override {
      return f.kind == kernels::activation::relu && !relu_ && (relu_ = true);
    }

   private:
    long size_;
    bool fast_ = false, relu_ = false;
  };

  // The shortcut first, so that the add can go into the store of the branch's last call.
  static runtime::value emit(const attributes&, ir::emit_context& ctx) {
    const runtime::value shortcut = ctx.child(1, ctx.x);
    const runtime::value branch = ctx.child(0, ctx.x);
    return ctx.add(std::make_shared<add>(ctx.out.size()), {branch, shortcut});
  }
};
}  // namespace ops

template <class Branch, class Shortcut>
struct residual : composite_of<ops::residual, Branch, Shortcut> {};

namespace dynamic {
inline layer residual(layer branch, layer shortcut) {
  return ir::make<ops::residual>({}, {std::move(branch), std::move(shortcut)});
}
}  // namespace dynamic

}  // namespace typenet
