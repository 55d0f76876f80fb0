// Adding a layer without touching the library, in the two ways typenet offers:
//
//   1. composed from existing layers: a type deriving from sequential<...> (or residual<...>);
//   2. a new op kind with its own rule, parameters, MACs, state_dict tensor and kernel:
//      ConvNeXt's layer scale, y[c] = gamma[c] * x[c].
//
// Both run in the static front end (checked at compile time) and the dynamic one (checked at run
// time), on the same planner; the new kernel is checked here against a plain loop.
#include <cmath>
#include <iostream>
#include <typenet/dynamic/executor.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace my {
using namespace typenet;

// ---- 1. composed: a conv-bn-relu unit under its own name in summaries ---------------------------
template <int Out, int Stride = 1>
struct conv_bn_relu : sequential<named<"conv", conv2d<Out, 3, Stride, 1>>, named<"bn", batch_norm>, named<"act", relu>> {
  static constexpr std::string_view kind = "my::conv_bn_relu";
};

// ---- 2. a new op kind: everything about it in one place -----------------------------------------
TYPENET_RULE(layer_scale_channels, "my::layer_scale: input channels must equal Channels", "input channels {}, Channels {}");

struct layer_scale_op {
  static constexpr std::string_view kind = "my::layer_scale";
  struct attributes {
    int channels = 0;
  };
  using rules = rule_list<layer_scale_channels>;

  static constexpr verdict check(const attributes& a, dims in) {
    if (in.channels != a.channels) return rules::broken<layer_scale_channels>({in.channels, a.channels});
    return {};
  }
  // output(): the input shape (the default). Own parameters, MACs and state_dict entry:
  static constexpr long params(const attributes& a, dims) { return a.channels; }
  static constexpr long macs(const attributes&, dims in) { return in.size(); }
  static void tensors(const attributes& a, dims, ir::tensor_list& t) { t.add(".gamma", {a.channels}); }

  // The kernel call: owns its parameters; part p of the work is images [p.begin, p.end).
  class call final : public runtime::call {
   public:
    call(dims d, std::vector<float> gamma) : d_(d), gamma_(std::move(gamma)) {}
    void run(const runtime::io& x, int batch, kernels::part p) const override {
      const long plane = long(d_.height) * d_.width;
      for (int n = p.begin(batch); n < p.end(batch); ++n)
        for (int c = 0; c < d_.channels; ++c) {
          const float* in = x.in[0] + (long(n) * d_.channels + c) * plane;
          float* out = x.out + (long(n) * d_.channels + c) * plane;
          for (long i = 0; i < plane; ++i) out[i] = gamma_[std::size_t(c)] * in[i];
        }
    }

   private:
    dims d_;
    std::vector<float> gamma_;
  };
  static runtime::value emit(const attributes&, ir::emit_context& ctx) {
    return ctx.add(std::make_shared<call>(ctx.in, ctx.tensor(".gamma")), {}, ctx.in.size());
  }
};

// The static layer and the dynamic builder.
template <int Channels>
struct layer_scale : layer_of<layer_scale_op> {
  static constexpr layer_scale_op::attributes attrs{Channels};
};
inline dynamic::layer dynamic_layer_scale(int channels) { return ir::make<layer_scale_op>({channels}); }

static_assert(layer<layer_scale<16>> && accepts<layer_scale<16>, shape<16, 8, 8>>);
static_assert(!accepts<layer_scale<8>, shape<16, 8, 8>>);  // 16 channels in, 8 scales
}  // namespace my

namespace tn = typenet;
using tn::named;

// A small network with both new layers: a residual whose branch ends in a layer scale.
using net = tn::model<tn::input<3, 32, 32>, named<"stem", my::conv_bn_relu<16, 2>>,
                      named<"block", tn::residual<tn::sequential<named<"unit", my::conv_bn_relu<16>>, named<"ls", my::layer_scale<16>>>,
                                                  tn::identity>>,
                      named<"pool", tn::global_avg_pool>, named<"fc", tn::linear<10>>>;

static_assert(tn::param_count_v<net> == (16 * 27 + 32) + (16 * 144 + 32) + 16 + (16 * 10 + 10));

int main() {
  tn::print_summary<net>(std::cout, "custom layers");
  const auto weights = tn::seeded_weights<net>(5);  // "block.ls.gamma" among them

  // The static and the dynamic front end on the same weights and input.
  const auto dnet = tn::dynamic::model(
      {3, 32, 32},
      tn::dynamic::sequential(
          {tn::dynamic::named("stem", tn::lower<my::conv_bn_relu<16, 2>>()),
           tn::dynamic::named("block", tn::dynamic::residual(tn::dynamic::sequential({tn::dynamic::named("unit", tn::lower<my::conv_bn_relu<16>>()),
                                                                                      tn::dynamic::named("ls", my::dynamic_layer_scale(16))}),
                                                             tn::dynamic::identity())),
           tn::dynamic::named("pool", tn::dynamic::global_avg_pool()), tn::dynamic::named("fc", tn::dynamic::linear(10))}));
  std::vector<float> x(2 * 3 * 32 * 32);
  tn::detail::splitmix64 rng{9};
  for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
  std::vector<float> ys(20), yd(20);
  tn::executor<net>(weights, {.threads = 2, .max_batch = 2}).forward(x.data(), ys.data(), 2);
  tn::dynamic::executor(dnet, weights, {.threads = 2, .max_batch = 2}).forward(x.data(), yd.data(), 2);
  bool ok = ys == yd;
  std::cout << "static and dynamic front ends: " << (ok ? "identical logits" : "DIFFERENT logits") << "\n";

  // The new kernel against a plain loop, fused and reference paths.
  using scale_only = tn::model<tn::input<4, 5, 3>, named<"ls", my::layer_scale<4>>>;
  const auto w = tn::seeded_weights<scale_only>(2);
  const auto& gamma = w.at("ls.gamma").data;
  std::vector<float> in(2 * 60), expected(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    in[i] = rng.uniform(-3.0f, 3.0f);
    expected[i] = gamma[i / 15 % 4] * in[i];  // [n][c][h][w]: c = i / (5*3) % 4
  }
  for (bool fused : {true, false}) {
    std::vector<float> out(in.size());
    tn::executor<scale_only>(w, {.threads = 2, .max_batch = 2, .fused = fused}).forward(in.data(), out.data(), 2);
    const bool same = out == expected;
    std::cout << "layer_scale (" << (fused ? "fused" : "reference") << " path) vs plain loop: " << (same ? "equal" : "DIFFERENT") << "\n";
    ok = ok && same;
  }

  // Its rule, at run time, in the same words as at compile time.
  try {
    tn::dynamic::model({8, 4, 4}, tn::dynamic::named("ls", my::dynamic_layer_scale(4)));
    ok = false;
  } catch (const tn::shape_error& e) {
    std::cout << "shape_error: " << e.what() << "\n";
  }
  return ok ? 0 : 1;
}
