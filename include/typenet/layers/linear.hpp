#pragma once
// linear: fully connected, (C, 1, 1) -> (Out, 1, 1), weights [Out][C]. A feature map must be
// flattened (or pooled) first: a linear layer that flattened silently let a forgotten pool compile.
#include "../kernels/linear.hpp"
#include "../kernels/reference.hpp"
#include "../layer.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(linear_positive, "linear: Out must be positive", "Out {}");
TYPENET_RULE(linear_flatten_first, "linear: the input must be (C, 1, 1): flatten first", "input {}x{}x{}");
}  // namespace rule

namespace ops {
struct linear {
  static constexpr std::string_view kind = "linear";
  struct attributes {
    int out = 0;
    bool bias = true;
  };
  using rules = rule_list<rule::linear_positive, rule::linear_flatten_first>;

  static constexpr verdict check(const attributes& a, dims in) {
    if (a.out <= 0) return rules::broken<rule::linear_positive>({a.out});
    if (in.height != 1 || in.width != 1) return rules::broken<rule::linear_flatten_first>({in.channels, in.height, in.width});
    return {};
  }
  static constexpr dims output(const attributes& a, dims) { return {a.out, 1, 1}; }
  static constexpr long params(const attributes& a, dims in) { return in.size() * a.out + (a.bias ? a.out : 0); }
  static constexpr long macs(const attributes& a, dims in) { return in.size() * a.out; }
  static void tensors(const attributes& a, dims in, ir::tensor_list& t) {
    t.add(".weight", {a.out, in.size()});
    if (a.bias) t.add(".bias", {a.out});
  }

  class call final : public runtime::call {
   public:
    // The weights in huge pages where they fill one (runtime::allocate_floats): they are streamed
    // from DRAM every pass.
    call(int in, int out, const std::vector<float>& weight, std::vector<float> bias)
        : in_(in), out_(out), weight_(runtime::allocate_floats(long(weight.size()))), bias_(std::move(bias)) {
      std::copy(weight.begin(), weight.end(), weight_.get());
    }
    void run(const runtime::io& x, int batch, kernels::part p) const override {
      const float* b = bias_.empty() ? nullptr : bias_.data();
      if (fast_) return kernels::linear(in_, out_, x.in[0], weight_.get(), b, x.out, batch, p);
      for (int n = p.begin(batch); n < p.end(batch); ++n)
        kernels::reference::linear(in_, out_, x.in[0] + long(n) * in_, weight_.get(), b, x.out + long(n) * out_, 1);
    }
    void prepare(bool fast) override { fast_ = fast; }
    long weight_floats() const override { return long(in_) * out_; }

   private:
    int in_, out_;
    runtime::aligned_floats weight_;
    std::vector<float> bias_;
    bool fast_ = false;
  };

  static runtime::value emit(const attributes& a, ir::emit_context& ctx) {
    return ctx.add(std::make_shared<call>(int(ctx.in.size()), a.out, ctx.tensor(".weight"),
                                          a.bias ? ctx.tensor(".bias") : std::vector<float>{}),
                   {}, macs(a, ctx.in));
  }
};
}  // namespace ops

// linear<Out, Bias = true>
template <int Out, bool Bias = true>
struct linear : layer_of<ops::linear> {
  static constexpr ops::linear::attributes attrs{Out, Bias};
  static constexpr int out_features = Out;
  static constexpr bool bias = Bias;
};

namespace dynamic {
inline layer linear(int out, bool bias = true) { return ir::make<ops::linear>({out, bias}); }
}  // namespace dynamic

}  // namespace typenet
