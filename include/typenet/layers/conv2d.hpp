#pragma once
// conv2d: 2-D convolution, PyTorch semantics (zero padding on every side, weights
// [Out][In/Groups][KH][KW]). Rules, shapes, tensors and kernels for both front ends.
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "../hw.hpp"
#include "../kernels/conv2d.hpp"
#include "../kernels/reference.hpp"
#include "../kernels/strassen.hpp"
#include "../layer.hpp"
#include "../runtime/cpu.hpp"

namespace typenet {

// conv2d's optional parameters by name: conv2d<64, 3, conv_options{.padding = 1, .bias = true}>,
// dynamic::conv2d(64, 3, {.stride = 2, .groups = 32}). Members default as PyTorch's do.
struct conv_options {
  hw stride = 1;
  hw padding = 0;
  int groups = 1;
  bool bias = false;
  friend constexpr bool operator==(const conv_options&, const conv_options&) = default;
};

namespace rule {
TYPENET_RULE(conv2d_positive, "conv2d: Out, Kernel, Stride and Groups must be positive and Padding non-negative",
             "Out {}, Kernel {}x{}, Stride {}x{}, Padding {}x{}, Groups {}");
TYPENET_RULE(conv2d_output_groups, "conv2d: output channels must be divisible by Groups", "Out {}, Groups {}");
TYPENET_RULE(conv2d_input_groups, "conv2d: input channels must be divisible by Groups", "input channels {}, Groups {}");
TYPENET_RULE(conv2d_kernel_fits, "conv2d: kernel larger than the padded input", "kernel {}x{}, padded input {}x{}");
}  // namespace rule

namespace detail {
// Whether the layers strassen_fast takes run Strassen's products: as measured for this CPU
// (kernels::strassen_pays_on), or as the environment variable TYPENET_STRASSEN says (0 or 1: for
// A/B runs in one binary, and tests). Read when a model is set up.
inline bool strassen_chosen() {
  if (const char* v = std::getenv("TYPENET_STRASSEN")) {
    if (std::string(v) == "0") return false;
    if (std::string(v) == "1") return true;
    throw std::invalid_argument(std::string("TYPENET_STRASSEN must be 0 or 1, got '") + v + "'");
  }
  const runtime::cpu_identity& cpu = runtime::this_cpu();
  return kernels::strassen_pays_on(cpu.amd, cpu.family);
}
}  // namespace detail

namespace ops {
struct conv2d {
  static constexpr std::string_view kind = "conv2d";
  struct attributes {
    int out = 0;
    hw kernel = 0, stride = 1, padding = 0;
    int groups = 1;
    bool bias = false;
  };
  using rules = rule_list<rule::conv2d_positive, rule::conv2d_output_groups, rule::conv2d_input_groups, rule::conv2d_kernel_fits>;
  static constexpr runtime::fusion_traits fusion{.absorbs_affine = true, .absorbs_residual = true, .absorbs_activation = true,
                                                 .residual_in_place = true, .slice_inputs = 1, .slice_output = true};  // the fast kernel's
  // A squeeze-excitation gate before it folds into a dense 1x1 conv's weights, per image, where
  // that costs less than the pass over the input it saves. Measured (one thread, batch 1): the
  // fold wins while the packed weights are at most a quarter of the input (MobileNetV3's and
  // EfficientNet's 28x28 to 112x112 blocks: 2-20% of the conv saved) and loses beyond (at 7x7 the
  // weights outweigh the input: up to 38% slower).
  static constexpr bool folds_gate(const kernels::conv_geometry& g) {
    return g.taps() == 1 && g.groups == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 && g.pad_w == 0 &&
           4 * kernels::packed_conv_weight_size(g) <= g.in_size();
  }
  static constexpr runtime::fusion_traits fusion_of(const attributes& a, dims in) {
    runtime::fusion_traits f = fusion;
    f.absorbs_gate = folds_gate(geometry(a, in));
    f.absorbs_stem_pool = kernels::stem_pool_conv(geometry(a, in));
    return f;
  }

  static constexpr verdict check(const attributes& a, dims in) {
    const hw k = a.kernel, s = a.stride, p = a.padding;
    if (!(a.out > 0 && k.h > 0 && k.w > 0 && s.h > 0 && s.w > 0 && p.h >= 0 && p.w >= 0 && a.groups > 0))
      return rules::broken<rule::conv2d_positive>({a.out, k.h, k.w, s.h, s.w, p.h, p.w, a.groups});
    if (a.out % a.groups != 0) return rules::broken<rule::conv2d_output_groups>({a.out, a.groups});
    if (in.channels % a.groups != 0) return rules::broken<rule::conv2d_input_groups>({in.channels, a.groups});
    const int padded_h = in.height + 2 * p.h, padded_w = in.width + 2 * p.w;
    if (k.h > padded_h || k.w > padded_w) return rules::broken<rule::conv2d_kernel_fits>({k.h, k.w, padded_h, padded_w});
    return {};
  }
  static constexpr kernels::conv_geometry geometry(const attributes& a, dims in) {
    return kernels::make_conv_geometry(in.channels, in.height, in.width, a.out, a.kernel, a.stride, a.padding, a.groups);
  }
  static constexpr dims output(const attributes& a, dims in) {
    const auto g = geometry(a, in);
    return {g.out_c, g.out_h, g.out_w};
  }
  static constexpr long params(const attributes& a, dims in) { return geometry(a, in).weight_size() + (a.bias ? a.out : 0); }
  static constexpr long macs(const attributes& a, dims in) { return geometry(a, in).macs(); }
  static void tensors(const attributes& a, dims in, ir::tensor_list& t) {
    t.add(".weight", {a.out, in.channels / a.groups, a.kernel.h, a.kernel.w});
    if (a.bias) t.add(".bias", {a.out});
  }

  // The call: reference loops, or (after fusion) the fast kernel with batch norm folded into its
  // weights and bias and the residual add and the activation applied in its store.
  class call final : public runtime::call {
   public:
    call(kernels::conv_geometry g, std::vector<float> weight, std::vector<float> bias)
        : g_(g), weight_(std::move(weight)), bias_(std::move(bias)) {}

    void run(const runtime::io& x, int batch, kernels::part p) const override {
      const float* residual = residual_ ? x.in[gated_ ? 2 : 1] : nullptr;
      if (packed_) {
        kernels::conv_geometry g = g_;
        g.in_image_stride = x.in_stride[0], g.out_image_stride = x.out_stride;  // channel slices
        if (gated_) return run_gated(g, x, residual, p);
        if (strassen_)
          return kernels::strassen_conv2d(g, x.in[0], x.scratch, packed_.get(), {fast_bias_.get(), residual, act_.kind}, x.out, batch, p);
        if (pooled_) {
          kernels::pool_geometry q = pool_;
          q.out_image_stride = x.out_stride;
          return kernels::stem_max_pool(g, q, x.in[0], packed_.get(), {fast_bias_.get(), nullptr, act_.kind}, x.out, batch, p);
        }
        return kernels::conv2d(g, x.in[0], packed_.get(), {fast_bias_.get(), residual, act_.kind}, x.out, batch, p);
      }
      for (int n = p.begin(batch); n < p.end(batch); ++n) {
        float* y = x.out + n * g_.out_size();
        kernels::reference::conv2d(g_, x.in[0] + n * g_.in_size(), weight_.data(), bias_.empty() ? nullptr : bias_.data(), y, 1);
        if (residual) kernels::reference::add(g_.out_size(), y, residual + n * g_.out_size(), y);
        if (act_.reference) act_.reference(g_.out_size(), y, y);
      }
    }
    // Gated (a folded squeeze-excitation scale): per image, phase 2n scales the packed weights'
    // input-channel columns by image n's gate, phase 2n + 1 runs the conv on image n with them.
    int phases(int batch) const override { return gated_ && packed_ ? 2 * batch : 1; }
    void prepare(bool fast) override {
      if (!fast) return;
      strassen_ = strassens();
      packed_ = runtime::allocate_floats(strassen_ ? kernels::packed_strassen_weight_size(g_) : kernels::packed_conv_weight_size(g_));
      if (strassen_)
        kernels::pack_strassen_weights(g_, weight_.data(), packed_.get());
      else
        kernels::pack_conv_weights(g_, weight_.data(), packed_.get());
      fast_bias_ = runtime::allocate_floats(g_.out_c);
      std::copy(bias_.begin(), bias_.end(), fast_bias_.get());
      weight_ = std::vector<float>(), bias_ = std::vector<float>();  // frees them (`= {}` would keep the capacity)
    }
    bool absorb_affine(const runtime::channel_affine& a) override {
      if (activated() || residual_ || pooled_) return false;
      if (bias_.empty()) bias_.assign(std::size_t(g_.out_c), 0.0f);
      kernels::fold_affine(g_.out_c, g_.weight_size() / g_.out_c, weight_.data(), bias_.data(), a.scale.data(), a.shift.data());
      return true;
    }
    bool absorb_activation(const runtime::activation& f) override {
      if (activated() || pooled_) return false;
      act_ = f;
      return true;
    }
    bool absorb_residual() override { return !activated() && !residual_ && !pooled_ && (residual_ = true); }
    // The stem's max pool, applied by the stem's kernel (stem_pool_conv, stem_pool_window): last.
    bool absorb_max_pool(const kernels::pool_geometry& q) override {
      if (!kernels::stem_pool_conv(g_) || !kernels::stem_pool_window(q) || residual_ || pooled_ || gated_) return false;
      pool_ = q;
      return pooled_ = true;
    }
    bool residual_in_place() const override { return residual_; }  // (the kernels read it first)
    bool absorb_gate() override { return folds_gate(g_) && !gated_ && !activated() && !residual_ && (gated_ = true); }
    // Blocked layouts: the pointwise kernel's (a residual in the output's layout), not Strassen's.
    bool writes_blocked() const override { return !gated_ && !pooled_ && kernels::pointwise_takes_layout(g_) && !strassens(); }
    // A blocked input with an NCHW output goes through the tile's transposing store, which on
    // images over 28x28 is slower than the pixel tile's NCHW kernel: ResNeXt-50's 56x56 conv1s,
    // 5-7% alone; on two threads they and the grouped 3x3s after them lost 0.02-0.1 ms each.
    bool reads_blocked(int input, kernels::layout out) const override {
      if (!writes_blocked() || (input != 0 && input != output_layout_input())) return false;
      return input != 0 || out == kernels::layout::nchw16c || long(g_.out_h) * g_.out_w <= 28 * 28;
    }
    int output_layout_input() const override { return residual_ ? (gated_ ? 2 : 1) : -1; }
    void set_layouts(const std::vector<kernels::layout>& in, kernels::layout out) override {
      g_.in_layout = in[0], g_.out_layout = out;
    }
    int slice_inputs() const override { return fusion.slice_inputs; }  // slices are placed on the fast path only
    bool slice_output() const override { return fusion.slice_output; }
    long weight_floats() const override { return g_.weight_size(); }
    // Gated: the packed weights times one image's gate; Strassen (kernels/strassen.hpp): one image's
    // input sums and the products of two output blocks (strassen_scratch_size).
    long scratch_floats() const override {
      if (!packed_) return 0;
      return gated_ ? kernels::packed_conv_weight_size(g_) : strassen_ ? kernels::strassen_scratch_size(g_) : 0;
    }

   private:
    kernels::conv_geometry g_;
    std::vector<float> weight_, bias_;
    runtime::aligned_floats packed_, fast_bias_;
    runtime::activation act_;  // none, or the one applied last
    bool residual_ = false;
    bool pooled_ = false;          // its output is pool_'s (after the activation)
    kernels::pool_geometry pool_{};
    bool gated_ = false;  // inputs: x, the gate (C per image), then the residual
    bool strassen_ = false;  // packed as kernels::pack_strassen_weights

    void run_gated(const kernels::conv_geometry& g, const runtime::io& x, const float* residual, kernels::part p) const {
      const int n = x.phase / 2;
      if (x.phase % 2 == 0)
        return kernels::scale_weight_columns(kernels::conv_blocks_per_group(g), g.in_c, kernels::conv_block(g), packed_.get(),
                                             x.in[1] + long(n) * g.in_c, x.scratch, p);
      kernels::conv2d(g, x.in[0] + n * g.in_image(), x.scratch,
                      {fast_bias_.get(), residual ? residual + n * g.out_size() : nullptr, act_.kind}, x.out + n * g.out_image(), 1, p);
    }
    bool activated() const { return act_.kind != kernels::activation::none; }
    bool strassens() const {
      return kernels::strassen_fast(g_) && !gated_ && !pooled_ && g_.in_layout == kernels::layout::nchw &&
             g_.out_layout == kernels::layout::nchw && detail::strassen_chosen();
    }
  };

  static runtime::value emit(const attributes& a, ir::emit_context& ctx) {
    const auto g = geometry(a, ctx.in);
    return ctx.add(std::make_shared<call>(g, ctx.tensor(".weight"), a.bias ? ctx.tensor(".bias") : std::vector<float>{}), {}, g.macs());
  }
};
}  // namespace ops

namespace detail {
// conv2d's third argument: a stride (an int or an hw), or every optional parameter at once.
template <auto Stride, hw Padding, int Groups, bool Bias>
constexpr conv_options conv2d_options() {
  using S = std::remove_cvref_t<decltype(Stride)>;  // a class-type template argument is const
  if constexpr (std::is_same_v<S, conv_options>) {
    static_assert(Padding == hw{0} && Groups == 1 && !Bias,
                  "conv2d: with conv_options, give padding, groups and bias in the options, not as later template arguments");
    return Stride;
  } else {
    constexpr bool stride = std::is_same_v<S, hw> || (std::is_integral_v<S> && !std::is_same_v<S, bool>);
    static_assert(stride, "conv2d: the third argument is the stride (an int or an hw) or a conv_options");
    if constexpr (std::is_same_v<S, hw>)
      return {Stride, Padding, Groups, Bias};
    else if constexpr (stride)
      return {int(Stride), Padding, Groups, Bias};
    else
      return {};
  }
}
}  // namespace detail

// conv2d<Out, Kernel, Stride = 1, Padding = 0, Groups = 1, Bias = false>, PyTorch's order; Kernel,
// Stride and Padding are an int (square) or an hw{h, w}. Or conv2d<Out, Kernel, conv_options{...}>.
template <int Out, hw Kernel, auto Stride = 1, hw Padding = 0, int Groups = 1, bool Bias = false>
struct conv2d : layer_of<ops::conv2d> {
  static constexpr conv_options options = detail::conv2d_options<Stride, Padding, Groups, Bias>();
  static constexpr ops::conv2d::attributes attrs{Out, Kernel, options.stride, options.padding, options.groups, options.bias};
  static constexpr int out_channels = Out, groups = options.groups;
  static constexpr hw kernel = Kernel, stride = options.stride, padding = options.padding;
  static constexpr bool bias = options.bias;
};

namespace dynamic {
inline layer conv2d(int out, int kernel, int stride = 1, int padding = 0, int groups = 1, bool bias = false) {
  return ir::make<ops::conv2d>({out, kernel, stride, padding, groups, bias});
}
// dynamic::conv2d(192, {1, 7}, {.padding = {0, 3}}): a rectangular kernel, options by name.
inline layer conv2d(int out, hw kernel, conv_options o) {
  return ir::make<ops::conv2d>({out, kernel, o.stride, o.padding, o.groups, o.bias});
}
}  // namespace dynamic

}  // namespace typenet
