// Static tests of torchvision's MobileNetV3 and EfficientNet: parameter counts (torchvision 0.14's
// sum(p.numel()), exactly), MACs, output shapes, the blocks' wiring and rules, and the summary.
#include <catch2/catch.hpp>
#include <sstream>
#include <typenet/typenet.hpp>

namespace {
using namespace typenet;
using namespace typenet::models;
using typenet::detail::layer_at;

static_assert(param_count_v<mobilenet_v3_small> == 2'542'856);
static_assert(param_count_v<mobilenet_v3_large> == 5'483'032);
static_assert(param_count_v<efficientnet_b0> == 5'288'548);
static_assert(param_count_v<efficientnet_v2_s> == 21'458'488);
// MACs per 224x224 image; torchvision's docs round them to 0.06, 0.22 and 0.39 G.
static_assert(macs_v<mobilenet_v3_small> == 56'510'400);
static_assert(macs_v<mobilenet_v3_large> / 10'000'000 == 21);
static_assert(macs_v<efficientnet_b0> / 10'000'000 == 38);
static_assert(macs_v<efficientnet_v2_s_t<384, 384>> / 10'000'000 == 836);  // torchvision: 8.37 G at its 384x384
static_assert(std::is_same_v<output_shape_t<mobilenet_v3_small>, shape<1000, 1, 1>>);
static_assert(std::is_same_v<output_shape_t<mobilenet_v3_small_t<160, 192, 10>>, shape<10, 1, 1>>);
static_assert(std::is_same_v<output_shape_t<mobilenet_v3_large_t<160, 192, 10>>, shape<10, 1, 1>>);
static_assert(std::is_same_v<output_shape_t<efficientnet_b0_t<160, 192, 10>>, shape<10, 1, 1>>);
static_assert(std::is_same_v<output_shape_t<efficientnet_v2_s_t<160, 192, 10>>, shape<10, 1, 1>>);
static_assert(std::is_same_v<output_t<layer_at<mobilenet_v3_large::body, 0>::type, shape<3, 160, 192>>, shape<960, 5, 6>>);
static_assert(std::is_same_v<output_t<layer_at<efficientnet_b0::body, 0>::type, shape<3, 160, 192>>, shape<1280, 5, 6>>);

// MobileNetV3's bneck: the input added exactly when stride 1 and In == Out; the expansion left out
// when Expanded == In, the squeeze-excitation when not SE (torchvision numbers only what is there).
using bneck_plain = mobilenet_v3::bneck<16, 3, 16, 16, true, relu, 2>;  // small's features.1
using bneck_kept = mobilenet_v3::bneck<24, 3, 88, 24, false, relu, 1>;  // small's features.3
static_assert(std::is_base_of_v<sequential<named<"block", mobilenet_v3::detail::branch<16, 3, 16, 16, true, relu, 2>>>,
                                mobilenet_v3::detail::body<16, 3, 16, 16, true, relu, 2>>);
static_assert(std::is_same_v<mobilenet_v3::detail::body<24, 3, 88, 24, false, relu, 1>,
                             residual<named<"block", mobilenet_v3::detail::branch<24, 3, 88, 24, false, relu, 1>>, named<"", identity>>>);
static_assert(std::is_same_v<mobilenet_v3::detail::branch<16, 3, 16, 16, true, relu, 2>,
                             sequential<mobilenet_v3::conv_bn<16, 3, 2, relu, 16>, squeeze_excitation<16, 8, relu, hardsigmoid>,
                                        mobilenet_v3::conv_bn<16, 1, 1, void>>>);
static_assert(layer_params_v<bneck_plain, shape<16, 112, 112>> == 744 && layer_params_v<bneck_kept, shape<24, 28, 28>> == 5'416);
static_assert(accepts<bneck_kept, shape<24, 28, 28>>);
static_assert(!accepts<bneck_kept, shape<16, 28, 28>>);                                  // 16 channels in, In = 24
static_assert(!accepts<mobilenet_v3::bneck<24, 3, 88, 24, false, relu, 3>, shape<24, 28, 28>>);  // torchvision: stride 1 or 2
static_assert(!accepts<mobilenet_v3::bneck<24, 3, 0, 24, false, relu, 1>, shape<24, 28, 28>>);   // no expanded channels
// The squeeze width: _make_divisible(Expanded / 4, 8) (72 / 4 = 18 -> 24; 120 / 4 = 30 -> 32).
static_assert(make_divisible(18) == 24 && make_divisible(30) == 32 && make_divisible(4) == 8 && make_divisible(11) == 16);

// EfficientNet: stochastic depth 0.2 * i / 16 for block i of B0's 16 (torchvision:
// features.5.1.stochastic_depth.p == 0.1125), on the residual branch only.
using b0_features = layer_at<efficientnet_b0::body, 0>::type;
static_assert(std::is_same_v<layer_at<b0_features, 5, 1>::type, efficientnet::mbconv<112, 112, 5, 1, 6, std::ratio<9, 80>>>);
static_assert(std::is_same_v<layer_at<b0_features, 1, 0>::type, efficientnet::mbconv<32, 16, 3, 1, 1, std::ratio<0>>>);
static_assert(std::is_same_v<efficientnet::detail::body<112, 112, 1, std::ratio<9, 80>, relu>,
                             residual<named<"", sequential<named<"block", relu>, named<"stochastic_depth", stochastic_depth<std::ratio<9, 80>>>>>,
                                      named<"", identity>>>);
static_assert(std::is_same_v<efficientnet::detail::body<80, 112, 1, std::ratio<9, 80>, relu>, sequential<named<"block", relu>>>);
static_assert(layer_params_v<b0_features, shape<3, 224, 224>> == 4'007'548);
using mbconv_kept = efficientnet::mbconv<24, 24, 5, 1, 6, std::ratio<0>>;
static_assert(accepts<mbconv_kept, shape<24, 28, 28>>);
static_assert(!accepts<mbconv_kept, shape<40, 28, 28>>);                                              // 40 channels in, In = 24
static_assert(!accepts<efficientnet::mbconv<24, 24, 5, 0, 6, std::ratio<0>>, shape<24, 28, 28>>);     // stride 0
static_assert(!accepts<efficientnet::mbconv<24, 24, 5, 1, 0, std::ratio<0>>, shape<24, 28, 28>>);     // expand ratio 0
static_assert(!accepts<efficientnet::fused_mbconv<24, 48, 3, 2, 4, std::ratio<0>>, shape<32, 28, 28>>);  // 32 channels in
// V2-S: 40 blocks, the last (features.6.14) dropping with 0.2 * 39 / 40; FusedMBConv stages first.
using v2_s_features = layer_at<efficientnet_v2_s::body, 0>::type;
static_assert(std::is_same_v<layer_at<v2_s_features, 6, 14>::type,
                             efficientnet::mbconv<256, 256, 3, 1, 6, std::ratio<39, 200>, basic_batch_norm<std::ratio<1, 1000>>>>);
static_assert(std::is_same_v<layer_at<v2_s_features, 2, 0>::type,
                             efficientnet::fused_mbconv<24, 48, 3, 2, 4, std::ratio<1, 100>, basic_batch_norm<std::ratio<1, 1000>>>>);
static_assert(!accepts<efficientnet::features<efficientnet::stage<6, 3, 2, 24, 40, 0>>, shape<24, 28, 28>>);  // no blocks
// FusedMBConv: without expansion one conv straight to Out, else the conv and a 1x1 projection.
static_assert(layer_params_v<efficientnet::fused_mbconv<24, 24, 3, 1, 1, std::ratio<0>>, shape<24, 8, 8>> == 24 * 24 * 9 + 48);
static_assert(layer_params_v<efficientnet::fused_mbconv<24, 48, 3, 2, 4, std::ratio<0>>, shape<24, 8, 8>> ==
              96 * 24 * 9 + 192 + 48 * 96 + 96);
}  // namespace

TEST_CASE("MobileNetV3 and EfficientNet summaries name torchvision's modules", "[summary]") {
  std::ostringstream out;
  print_summary<mobilenet_v3_small>(out, "mobilenet_v3_small");
  const std::string text = out.str();
  CHECK_THAT(text, Catch::Contains("features.1 (mobilenet_v3::bneck)"));
  CHECK_THAT(text, Catch::Contains("features.1.block.1.fc1 (conv2d)"));
  CHECK_THAT(text, Catch::Contains("features.4.block.2.scale_activation (hardsigmoid)  (96, 1, 1)"));  // the column widens
  CHECK_THAT(text, Catch::Contains("classifier.3 (linear)"));
  CHECK_THAT(text, Catch::Contains("Total params: 2,542,856"));

  std::ostringstream b0;
  print_summary<efficientnet_b0>(b0, "efficientnet_b0", 1);
  CHECK_THAT(b0.str(), Catch::Contains("features.5 (efficientnet::stage)"));
  CHECK_THAT(b0.str(), !Catch::Contains("features.5.0"));
}
