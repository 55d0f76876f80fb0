#pragma once
// batch_norm in inference form: y = (x - running_mean) / sqrt(running_var + eps) * weight + bias.
// Parameters count weight and bias only (running statistics are buffers, as in PyTorch). After a
// convolution the planner folds it into the convolution's weights.
#include <ratio>

#include "../kernels/elementwise.hpp"
#include "../kernels/reference.hpp"
#include "../layer.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(batch_norm_eps, "batch_norm: Eps must be positive", "Eps {} x 1e-12");
}  // namespace rule

namespace ops {
struct batch_norm {
  static constexpr std::string_view kind = "batch_norm";
  struct attributes {
    float eps = 1e-5f;
  };
  using rules = rule_list<rule::batch_norm_eps>;
  // Folded into a conv before it; else it runs on its own, applying the activation after it.
  static constexpr runtime::fusion_traits fusion{.affine = true, .absorbs_activation = true, .slice_inputs = 1, .slice_output = true};

  static constexpr verdict check(const attributes& a, dims) {
    if (!(a.eps > 0)) return rules::broken<rule::batch_norm_eps>({long(double(a.eps) * 1e12)});
    return {};
  }
  static constexpr long params(const attributes&, dims in) { return 2L * in.channels; }
  static void tensors(const attributes&, dims in, ir::tensor_list& t) {
    for (const char* s : {".weight", ".bias", ".running_mean", ".running_var"}) t.add(s, {in.channels});
  }

  class call final : public runtime::call {
   public:
    call(dims d, float eps, std::vector<float> gamma, std::vector<float> beta, std::vector<float> mean, std::vector<float> var)
        : d_(d), eps_(eps), gamma_(std::move(gamma)), beta_(std::move(beta)), mean_(std::move(mean)), var_(std::move(var)),
          affine_(runtime::batch_norm_affine(gamma_, beta_, mean_, var_, eps)) {}
    void run(const runtime::io& x, int batch, kernels::part p) const override {
      const int spatial = d_.height * d_.width;
      if (fast_)  // in float, parts over the planes, the activation in the same pass
        return kernels::affine_channels(d_.channels, spatial, x.in[0], x.in_stride[0], scale_.data(), shift_.data(), act_.kind,
                                        x.out, x.out_stride, batch, p);
      for (int n = p.begin(batch); n < p.end(batch); ++n) {
        float* y = x.out + n * d_.size();
        kernels::reference::batch_norm(d_.channels, spatial, x.in[0] + n * d_.size(), gamma_.data(), beta_.data(), mean_.data(),
                                       var_.data(), eps_, y, 1);
        if (act_.reference) act_.reference(d_.size(), y, y);
      }
    }
    void prepare(bool fast) override {
      fast_ = fast;
      scale_.assign(affine_.scale.begin(), affine_.scale.end());
      shift_.assign(affine_.shift.begin(), affine_.shift.end());
    }
    const runtime::channel_affine* affine() const override { return act_.kind == kernels::activation::none ? &affine_ : nullptr; }
    bool absorb_activation(const runtime::activation& f) override {
      if (act_.kind != kernels::activation::none) return false;
      act_ = f;
      return true;
    }
    int slice_inputs() const override { return fusion.slice_inputs; }
    bool slice_output() const override { return fusion.slice_output; }

   private:
    dims d_;
    float eps_;
    std::vector<float> gamma_, beta_, mean_, var_;
    runtime::channel_affine affine_;
    std::vector<float> scale_, shift_;  // the fast path's
    runtime::activation act_;
    bool fast_ = false;
  };

  static runtime::value emit(const attributes& a, ir::emit_context& ctx) {
    return ctx.add(std::make_shared<call>(ctx.in, a.eps, ctx.tensor(".weight"), ctx.tensor(".bias"), ctx.tensor(".running_mean"),
                                          ctx.tensor(".running_var")));
  }
};
}  // namespace ops

// basic_batch_norm<std::ratio<...>> for another epsilon.
template <class Eps = std::ratio<1, 100000>>
struct basic_batch_norm : layer_of<ops::batch_norm> {
  static constexpr float eps = float(double(Eps::num) / double(Eps::den));
  static constexpr ops::batch_norm::attributes attrs{eps};
};

using batch_norm = basic_batch_norm<>;  // torchvision's eps; Keras' ResNeXt: basic_batch_norm<std::ratio<1001, 100000000>>

namespace dynamic {
inline layer batch_norm(float eps = 1e-5f) { return ir::make<ops::batch_norm>({eps}); }
}  // namespace dynamic

}  // namespace typenet
