// Static tests: the DSL's rules checked in-process through its predicates (accepts, well_formed),
// as mp-units does. Each invalid case says why it must be rejected; the compile-fail suite checks
// that the same cases, written as user code, give the named diagnostic.
#include <catch2/catch.hpp>
#include <sstream>
#include <typenet/typenet.hpp>

namespace {
using namespace typenet;

// ---- conv2d: size arithmetic, params and MACs --------------------------------------------------
static_assert(std::is_same_v<output_t<conv2d<64, 7, 2, 3>, shape<3, 224, 224>>, shape<64, 112, 112>>);
static_assert(std::is_same_v<output_t<conv2d<8, 3, 2, 1>, shape<4, 7, 9>>, shape<8, 4, 5>>);  // odd sizes round down
static_assert(std::is_same_v<output_t<conv2d<8, 1, 2>, shape<4, 7, 7>>, shape<8, 4, 4>>);
static_assert(layer_params_v<conv2d<64, 7, 2, 3>, shape<3, 224, 224>> == 64 * 3 * 7 * 7);
static_assert(layer_params_v<conv2d<64, 3, 1, 1, 1, true>, shape<3, 8, 8>> == 64 * 3 * 9 + 64);
static_assert(layer_params_v<conv2d<128, 3, 1, 1, 32>, shape<128, 56, 56>> == 128 * 4 * 9);  // 4 channels per group
static_assert(layer_macs_v<conv2d<64, 7, 2, 3>, shape<3, 224, 224>> == 118'013'952L);
static_assert(layer_macs_v<conv2d<128, 3, 2, 1, 32>, shape<128, 56, 56>> == 128L * 4 * 9 * 28 * 28);

static_assert(accepts<conv2d<64, 3, 1, 1, 32>, shape<64, 8, 8>>);
static_assert(!accepts<conv2d<64, 3, 1, 1, 32>, shape<3, 8, 8>>);  // 3 input channels, 32 groups
static_assert(!accepts<conv2d<30, 3, 1, 1, 4>, shape<8, 8, 8>>);  // 30 output channels, 4 groups
static_assert(!accepts<conv2d<8, 7>, shape<8, 5, 5>>);             // 7x7 kernel, 5x5 input, no padding
static_assert(accepts<conv2d<8, 7, 1, 1>, shape<8, 5, 5>>);         // padding makes it 7x7: one output pixel
static_assert(!accepts<conv2d<8, 3, 0>, shape<8, 5, 5>>);           // stride 0
static_assert(!accepts<conv2d<0, 3>, shape<8, 5, 5>>);              // no output channels
static_assert(!accepts<conv2d<8, 3, 1, -1>, shape<8, 5, 5>>);       // negative padding
static_assert(!accepts<conv2d<8, 3, 1, 1, 0>, shape<8, 5, 5>>);     // zero groups

// Rectangular kernels, strides and paddings (hw{h, w}; an int is the square pair), PyTorch's sizes.
static_assert(std::is_same_v<output_t<conv2d<192, hw{1, 7}, 1, hw{0, 3}>, shape<128, 17, 17>>, shape<192, 17, 17>>);
static_assert(std::is_same_v<output_t<conv2d<192, hw{7, 1}, 1, hw{3, 0}>, shape<128, 17, 17>>, shape<192, 17, 17>>);
static_assert(std::is_same_v<output_t<conv2d<8, hw{1, 7}>, shape<4, 9, 11>>, shape<8, 9, 5>>);  // only the width shrinks
static_assert(std::is_same_v<output_t<conv2d<8, hw{3, 5}, hw{2, 1}, hw{1, 2}>, shape<6, 11, 9>>, shape<8, 6, 9>>);
static_assert(std::is_same_v<output_t<conv2d<5, hw{2, 5}, hw{1, 3}, hw{0, 1}>, shape<3, 7, 13>>, shape<5, 6, 4>>);
static_assert(layer_params_v<conv2d<192, hw{1, 7}, 1, hw{0, 3}>, shape<128, 17, 17>> == 192 * 128 * 1 * 7);
static_assert(layer_params_v<conv2d<384, hw{3, 1}, 1, hw{1, 0}, 1, true>, shape<448, 8, 8>> == 384 * 448 * 3 + 384);
static_assert(layer_macs_v<conv2d<192, hw{7, 1}, 1, hw{3, 0}>, shape<160, 17, 17>> == 192L * 160 * 7 * 17 * 17);
static_assert(layer_macs_v<conv2d<8, hw{3, 5}, hw{2, 1}, hw{1, 2}, 2>, shape<6, 11, 9>> == 8L * 3 * 15 * 6 * 9);
static_assert(accepts<conv2d<8, hw{7, 1}>, shape<8, 9, 5>>);
static_assert(!accepts<conv2d<8, hw{1, 7}>, shape<8, 9, 5>>);           // 7 columns on a 5-wide input
static_assert(accepts<conv2d<8, hw{1, 7}, 1, hw{0, 1}>, shape<8, 9, 5>>);  // padded to 7 wide
static_assert(!accepts<conv2d<8, hw{3, 0}>, shape<8, 5, 5>>);           // zero kernel width
static_assert(!accepts<conv2d<8, 3, hw{1, 0}>, shape<8, 5, 5>>);        // zero column stride
static_assert(!accepts<conv2d<8, 3, 1, hw{0, -1}>, shape<8, 5, 5>>);    // negative column padding
// The positional spelling keeps its meaning; the members are hw pairs.
static_assert(conv2d<64, 3, 2, 1, 32, true>::kernel == hw{3, 3} && conv2d<64, 3, 2, 1, 32, true>::stride == hw{2, 2});
static_assert(conv2d<64, 3, 2, 1, 32, true>::padding == hw{1, 1} && conv2d<64, 3, 2, 1, 32, true>::groups == 32);
static_assert(conv2d<64, 3, 2, 1, 32, true>::bias && conv2d<64, 3, 2, 1, 32, true>::out_channels == 64);
static_assert(!conv2d<64, 3>::bias && conv2d<64, 3>::stride == hw{1} && conv2d<64, 3>::padding == hw{0});
static_assert(conv2d<64, 3, std::size_t{2}>::stride == hw{2});  // any integer stride, e.g. a computed one
// Optional parameters by name: the same layer as the positional spelling.
using named_options = conv2d<64, 3, conv_options{.stride = 2, .padding = 1, .groups = 32, .bias = true}>;
static_assert(named_options::options == conv2d<64, 3, 2, 1, 32, true>::options);
static_assert(named_options::kernel == hw{3} && named_options::bias && named_options::groups == 32);
static_assert(layer_params_v<named_options, shape<64, 9, 9>> == layer_params_v<conv2d<64, 3, 2, 1, 32, true>, shape<64, 9, 9>>);
static_assert(layer_macs_v<named_options, shape<64, 9, 9>> == 64L * 2 * 9 * 5 * 5);
static_assert(std::is_same_v<output_t<conv2d<64, 3, conv_options{.padding = 1, .bias = true}>, shape<3, 8, 8>>, shape<64, 8, 8>>);
static_assert(layer_params_v<conv2d<64, 3, conv_options{.padding = 1, .bias = true}>, shape<3, 8, 8>> == 64 * 3 * 9 + 64);
static_assert(std::is_same_v<output_t<conv2d<8, hw{1, 7}, conv_options{.padding = hw{0, 3}}>, shape<4, 9, 11>>, shape<8, 9, 11>>);
static_assert(!accepts<conv2d<8, 3, conv_options{.groups = 3}>, shape<8, 5, 5>>);  // options go through the same rules

// ---- pools, linear, batch norm -------------------------------------------------------------------
static_assert(std::is_same_v<output_t<max_pool<3, 2, 1>, shape<64, 112, 112>>, shape<64, 56, 56>>);
static_assert(std::is_same_v<output_t<max_pool<3, 2, 1>, shape<5, 7, 9>>, shape<5, 4, 5>>);
static_assert(!accepts<max_pool<3, 2, 2>, shape<8, 8, 8>>);  // padding above half the kernel (PyTorch rejects it)
static_assert(!accepts<max_pool<3>, shape<8, 2, 2>>);        // kernel larger than the input
static_assert(!accepts<max_pool<0>, shape<8, 2, 2>>);
static_assert(std::is_same_v<output_t<global_avg_pool, shape<2048, 7, 7>>, shape<2048, 1, 1>>);
static_assert(layer_params_v<linear<1000>, shape<2048, 1, 1>> == 2048 * 1000 + 1000);
static_assert(layer_params_v<sequential<flatten, linear<10, false>>, shape<2, 3, 4>> == 24 * 10);
static_assert(!accepts<linear<10>, shape<2, 3, 4>>);  // a feature map: flatten (or pool) first
static_assert(std::is_same_v<output_t<adaptive_avg_pool<7>, shape<512, 9, 11>>, shape<512, 7, 7>>);
static_assert(!accepts<adaptive_avg_pool<0>, shape<8, 4, 4>>);
static_assert(!accepts<linear<0>, shape<8, 1, 1>>);
static_assert(layer_params_v<batch_norm, shape<64, 5, 5>> == 128);  // weight and bias; running stats are buffers
static_assert(basic_batch_norm<std::ratio<1001, 100000000>>::eps == 1.001e-5f);

// ---- avg_pool and max_pool: PyTorch's every option (executor.cpp runs the `pools` model) ---------
static_assert(std::is_same_v<output_t<avg_pool<3, 2>, shape<4, 7, 7>>, shape<4, 3, 3>>);
static_assert(std::is_same_v<output_t<avg_pool<3, 2, 0, true>, shape<4, 7, 7>>, shape<4, 3, 3>>);   // ceil: last window fits
static_assert(std::is_same_v<output_t<avg_pool<3, 2, 0, true>, shape<4, 8, 8>>, shape<4, 4, 4>>);   // ceil: one more, clipped
static_assert(std::is_same_v<output_t<avg_pool<3, 2>, shape<4, 55, 55>>, shape<4, 27, 27>>);
static_assert(std::is_same_v<output_t<max_pool<3, 2, 0, true>, shape<96, 109, 109>>, shape<96, 54, 54>>);  // SqueezeNet 1.0
static_assert(std::is_same_v<output_t<max_pool<2, 2, 1, true>, shape<4, 5, 6>>, shape<4, 3, 4>>);  // a window on padding only is dropped
static_assert(std::is_same_v<output_t<avg_pool<hw{1, 7}, 1, hw{0, 3}>, shape<4, 9, 11>>, shape<4, 9, 11>>);
static_assert(std::is_same_v<output_t<avg_pool<5, 3>, shape<768, 17, 17>>, shape<768, 5, 5>>);  // Inception-v3's aux head
// the positional and the options spellings are the same window
static_assert(avg_pool<3, 2, 1, true, false>::attrs.stride == avg_pool<3, pool_options{.stride = 2, .padding = 1, .ceil_mode = true,
                                                                                        .count_include_pad = false}>::attrs.stride);
static_assert(!avg_pool<3, pool_options{.padding = 1, .count_include_pad = false}>::attrs.count_include_pad);
static_assert(avg_pool<3, pool_options{.padding = 1}>::attrs.stride == hw{3, 3});  // stride defaults to the kernel
static_assert(max_pool<3>::attrs.stride == hw{3, 3} && max_pool<3, 2, 1>::attrs.padding == hw{1, 1});
// no parameters and no MACs (as every pool counts them); the model's are its conv's and linear's
static_assert(layer_params_v<avg_pool<3, 1, 1>, shape<8, 9, 8>> == 0 && layer_macs_v<avg_pool<3, 1, 1>, shape<8, 9, 8>> == 0);
static_assert(layer_params_v<max_pool<3, 2, 0, true>, shape<8, 9, 8>> == 0 && layer_macs_v<max_pool<3, 2>, shape<8, 9, 8>> == 0);
// the rules, in-process (tests/compile_fail/avg_pool_*.cpp and max_pool_*.cpp: the same as errors)
static_assert(!accepts<avg_pool<0>, shape<4, 8, 8>>);                      // kernel 0
static_assert(!accepts<avg_pool<3, hw{1, 0}>, shape<4, 8, 8>>);            // stride 0 along the width
static_assert(!accepts<avg_pool<3, 1, -1>, shape<4, 8, 8>>);               // negative padding
static_assert(!accepts<avg_pool<3, 1, 2>, shape<4, 8, 8>>);                // padding above half the kernel
static_assert(!accepts<avg_pool<hw{1, 3}, 1, hw{1, 0}>, shape<4, 8, 8>>);  // ... along the height only (1 > 1/2)
static_assert(accepts<avg_pool<hw{2, 3}, 1, hw{1, 1}>, shape<4, 8, 8>>);   // 1 <= 2/2 and 1 <= 3/2
static_assert(!accepts<avg_pool<3>, shape<4, 2, 2>>);                      // kernel larger than the input
static_assert(!accepts<max_pool<hw{1, 9}>, shape<4, 9, 8>>);               // 9 columns over 8
static_assert(accepts<max_pool<hw{1, 9}, 1, hw{0, 1}>, shape<4, 9, 8>>);  // padding makes them 10

// ---- residual ------------------------------------------------------------------------------------
static_assert(accepts<residual<conv2d<16, 3, 1, 1>, identity>, shape<16, 8, 8>>);
static_assert(!accepts<residual<conv2d<32, 1>, identity>, shape<16, 8, 8>>);        // 32 vs 16 channels
static_assert(!accepts<residual<conv2d<16, 3, 2, 1>, identity>, shape<16, 8, 8>>);  // 4x4 vs 8x8
static_assert(accepts<residual<conv2d<16, 3, 2, 1>, conv2d<16, 1, 2>>, shape<16, 8, 8>>);

// ---- the seed's block, as a template-template predicate (mp-units style) ----------------------
template <template <int, int, bool, int> class Block>
concept resnext_block_rules = requires {
  requires accepts<Block<64, 1, true, 32>, shape<64, 56, 56>>;    // projection: any input width
  requires accepts<Block<128, 1, false, 32>, shape<256, 56, 56>>;  // identity: input == 2*Filters
  requires !accepts<Block<128, 1, false, 32>, shape<64, 56, 56>>;  // identity with 64 != 256 channels
  requires !accepts<Block<128, 2, false, 32>, shape<256, 56, 56>>; // identity cannot downsample
  requires !accepts<Block<100, 1, true, 32>, shape<64, 56, 56>>;   // 100 filters, 32 groups
  requires !accepts<Block<0, 1, true, 32>, shape<64, 56, 56>>;
};
static_assert(resnext_block_rules<resnext::block>);
static_assert(std::is_same_v<output_t<resnext::block<128, 2, true>, shape<256, 56, 56>>, shape<256, 28, 28>>);

// The ResNet block is the same machinery with other numbers.
static_assert(!accepts<resnet::block<64, 1, false>, shape<64, 56, 56>>);  // 64 != 4*64
static_assert(accepts<resnet::block<64, 1, false>, shape<256, 56, 56>>);
static_assert(std::is_base_of_v<bottleneck<128, 256, 1, 32, false>, resnext::block<128, 1, false>>);
static_assert(std::is_base_of_v<bottleneck<64, 256, 1, 1, false>, resnet::block<64, 1, false>>);

// ---- stacks: exactly Blocks blocks, the first projecting (keras-applications' stack3) ---------
static_assert(decltype(hana::length(resnext::stack<128, 3, 1>::children))::value == 3);
static_assert(std::is_same_v<std::remove_cvref_t<decltype(resnext::stack<128, 3, 2>::children)>,
                             std::remove_cvref_t<decltype(hana::tuple_t<resnext::block<128, 2, true>, resnext::block<128, 1, false>,
                                                                        resnext::block<128, 1, false>>)>>);
static_assert(!accepts<resnext::stack<128, 0, 1>, shape<64, 56, 56>>);
static_assert(!accepts<resnet::stack<64, 0, 1>, shape<64, 56, 56>>);

// ---- models --------------------------------------------------------------------------------------
using models::resnet50;
using models::resnext50_32x4d;
static_assert(param_count_v<resnext50_32x4d> == 25'028'904);  // torchvision: sum(p.numel() for p in m.parameters())
static_assert(param_count_v<resnet50> == 25'557'032);
static_assert(macs_v<resnext50_32x4d> == 4'230'479'872L);  // torchvision's "4.23 GFLOPS" (counted as MACs)
static_assert(macs_v<resnet50> == 4'089'184'256L);         // torchvision's "4.09"
static_assert(std::is_same_v<output_shape_t<resnext50_32x4d>, shape<1000, 1, 1>>);
static_assert(std::is_same_v<output_shape_t<models::resnext50_32x4d_t<160, 192>>, shape<1000, 1, 1>>);
static_assert(std::is_same_v<output_shape_t<models::resnext50_32x4d_t<224, 224, 10>>, shape<10, 1, 1>>);
static_assert(param_count_v<models::resnext50_32x4d_t<224, 224, 10>> == 25'028'904 - 990 * 2049);
static_assert(well_formed<resnext50_32x4d>);
static_assert(!well_formed<model<input<3, 224, 224>, conv2d<64, 7, 2, 3>, resnext::block<128, 1, false>>>);  // the seed's mismatch
static_assert(!well_formed<model<input<3, 16, 16>, conv2d<8, 3, 2, 1>, conv2d<8, 3, 2, 1>, conv2d<8, 3, 2, 1>,
                                 conv2d<8, 3, 2, 1>, conv2d<8, 7>>>);  // shrinks to 1x1 before the 7x7

// A broken layer stops the check: the verdict names the first broken rule and where it is.
constexpr verdict deep = detail::walk<model<input<3, 16, 16>, named<"a", conv2d<8, 7>>, linear<0>>::body>(dims{3, 16, 16}).v;
static_assert(!deep.ok() && deep.where() == "1" && deep.values[0] == 0);  // linear<0>, the model's second layer
constexpr verdict first = detail::walk<sequential<conv2d<8, 3, 2, 1>, named<"b", sequential<conv2d<8, 7>, linear<0>>>>>(dims{3, 8, 8}).v;
static_assert(!first.ok() && first.where() == "b.0" && first.values[0] == 7 && first.values[1] == 7 && first.values[2] == 4);  // kernel 7x7, padded input 4x4
// A batch norm with a zero epsilon is rejected by the predicate, not by a hard error.
static_assert(!accepts<basic_batch_norm<std::ratio<0>>, shape<8, 4, 4>>);

// ---- the summary table -----------------------------------------------------------------------------
constexpr auto& rows = summary_v<resnext50_32x4d>;
static_assert(rows[0].name == "conv1" && rows[0].channels == 64 && rows[0].height == 112 && rows[0].params == 9408);
static_assert(rows.back().name == "fc" && rows.back().params == 2'049'000);
}  // namespace

TEST_CASE("summary rows add up to the model's totals", "[dsl][summary]") {
  long params = 0, macs = 0;
  int blocks = 0;
  for (const auto& r : rows) {
    if (r.depth == 0) params += r.params, macs += r.macs;
    if (r.kind == "resnext::block") ++blocks;
  }
  CHECK(params == param_count_v<resnext50_32x4d>);
  CHECK(macs == macs_v<resnext50_32x4d>);
  CHECK(blocks == 3 + 4 + 6 + 3);  // stack3: exactly Blocks blocks per stage (the seed builds 20)
}

TEST_CASE("summary prints torchvision's dotted names", "[dsl][summary]") {
  std::ostringstream os;
  print_summary<resnext50_32x4d>(os, "resnext50_32x4d");
  const std::string text = os.str();
  CHECK_THAT(text, Catch::Contains("layer1.0.downsample.0 (conv2d)"));
  CHECK_THAT(text, Catch::Contains("layer3.5.conv2 (conv2d)"));
  CHECK_THAT(text, Catch::Contains("(1024, 14, 14)"));
  CHECK_THAT(text, Catch::Contains("Total params: 25,028,904"));
  CHECK_THAT(text, Catch::Contains("Total MACs:   4,230,479,872"));

  std::ostringstream top;
  print_summary<resnext50_32x4d>(top, "resnext50_32x4d", 0);
  CHECK_THAT(top.str(), Catch::Contains("layer4 (resnext::stack)"));
  CHECK_THAT(top.str(), !Catch::Contains("layer4.0"));
}

// ---- torchvision's ResNet family: torchvision 0.14's sum(p.numel()), exactly --------------------
namespace {
using namespace typenet::models;
static_assert(param_count_v<resnet18> == 11'689'512);
static_assert(param_count_v<resnet34> == 21'797'672);
static_assert(param_count_v<resnet101> == 44'549'160);
static_assert(param_count_v<resnet152> == 60'192'808);
static_assert(param_count_v<wide_resnet50_2> == 68'883'240);
static_assert(param_count_v<resnext101_32x8d> == 88'791'336);
static_assert(param_count_v<resnext101_64x4d> == 83'455'272);
// MACs per 224x224 image; torchvision's docs round them to 1.81, 3.66, 7.80, 11.51, 11.40, 16.41, 15.46 G.
static_assert(macs_v<resnet18> / 10'000'000 == 181);
static_assert(macs_v<resnet34> / 10'000'000 == 366);
static_assert(macs_v<resnet101> / 10'000'000 == 780);
static_assert(macs_v<resnet152> / 10'000'000 == 1151);
static_assert(macs_v<wide_resnet50_2> / 10'000'000 == 1139);
static_assert(macs_v<resnext101_32x8d> / 10'000'000 == 1641);
static_assert(macs_v<resnext101_64x4d> / 10'000'000 == 1546);
static_assert(std::is_same_v<output_shape_t<resnet18_t<160, 192, 10>>, shape<10, 1, 1>>);
static_assert(param_count_v<mobilenet_v2> == 3'504'872);
static_assert(macs_v<mobilenet_v2> / 10'000'000 == 30);  // torchvision: 0.30 GFLOPS

// MobileNetV2's inverted residual: a residual connection exactly when the shape is kept.
static_assert(std::is_base_of_v<residual<named<"conv", mobilenet::detail::branch<32, 32, 1, 6>>, named<"", identity>>,
                                mobilenet::detail::body<32, 32, 1, 6>>);
static_assert(!accepts<mobilenet::inverted_residual<32, 32, 1, 6>, shape<24, 28, 28>>);  // 24 channels in, In = 32
static_assert(accepts<mobilenet::inverted_residual<24, 32, 2, 6>, shape<24, 56, 56>>);
static_assert(!accepts<dropout<std::ratio<1>>, shape<8, 1, 1>>);  // P = 1 drops everything
static_assert(param_count_v<vgg11_bn> == 132'868'840);
static_assert(param_count_v<vgg16_bn> == 138'365'992);
static_assert(param_count_v<alexnet> == 61'100'840);
static_assert(macs_v<vgg11_bn> / 10'000'000 == 760 && macs_v<vgg16_bn> / 10'000'000 == 1547);  // torchvision: 7.61, 15.47 G
static_assert(macs_v<alexnet> / 10'000'000 == 71);                                                 // torchvision: 0.71 G

// The BasicBlock's rules, as predicates.
static_assert(accepts<resnet::basic_block<64, 1, false>, shape<64, 56, 56>>);
static_assert(!accepts<resnet::basic_block<128, 1, false>, shape<64, 56, 56>>);  // identity, 64 != 128 channels
static_assert(!accepts<resnet::basic_block<64, 2, false>, shape<64, 56, 56>>);   // identity cannot downsample
static_assert(accepts<resnet::basic_block<128, 2, true>, shape<64, 56, 56>>);
static_assert(!accepts<resnet::basic_stack<64, 0, 1>, shape<64, 56, 56>>);

// ---- RegNet, MNASNet, ShuffleNetV2: torchvision 0.14's sum(p.numel()) and MACs --------------------
static_assert(param_count_v<regnet_x_400mf> == 5'495'976);
static_assert(param_count_v<regnet_y_400mf> == 4'344'144);
static_assert(param_count_v<mnasnet1_0> == 4'383'312);
static_assert(param_count_v<shufflenet_v2_x1_0> == 2'278'604);
// torchvision's docs: 0.41, 0.40, 0.31 and 0.14 GFLOPS (counted as MACs).
static_assert(macs_v<regnet_x_400mf> / 10'000'000 == 41 && macs_v<regnet_y_400mf> / 10'000'000 == 40);
static_assert(macs_v<mnasnet1_0> / 10'000'000 == 31 && macs_v<shufflenet_v2_x1_0> / 10'000'000 == 14);
static_assert(std::is_same_v<output_shape_t<regnet_x_400mf>, shape<1000, 1, 1>>);
static_assert(std::is_same_v<output_shape_t<regnet_y_400mf_t<160, 192, 10>>, shape<10, 1, 1>>);
static_assert(std::is_same_v<output_shape_t<mnasnet1_0_t<160, 192>>, shape<1000, 1, 1>>);
static_assert(std::is_same_v<output_shape_t<shufflenet_v2_x1_0_t<160, 192, 10>>, shape<10, 1, 1>>);
static_assert(param_count_v<shufflenet_v2_x1_0_t<224, 224, 10>> == 2'278'604 - 990 * 1025);

// RegNet: the X block projects exactly when the shape changes; the Y block adds SE on round(In/4).
static_assert(std::is_same_v<output_t<regnet::block<32, 64, 2, 16>, shape<32, 56, 56>>, shape<64, 28, 28>>);
static_assert(layer_params_v<regnet::block<64, 64, 1, 16>, shape<64, 28, 28>> ==
              (64 * 64 + 128) + (64 * 16 * 9 + 128) + (64 * 64 + 128));  // a, b (4 groups), c; no proj
static_assert(layer_params_v<regnet::block<104, 104, 1, 8, std::ratio<1>, std::ratio<1, 4>>, shape<104, 14, 14>> ==
              2 * (104 * 104 + 208) + (104 * 8 * 9 + 208) + (104 * 26 + 26) + (26 * 104 + 104));  // SE squeezes to 26
static_assert(regnet::detail::round_times<std::ratio<1, 4>>(50) == 12 && regnet::detail::round_times<std::ratio<1, 4>>(54) == 14);
static_assert(numbered<"block", 3, 11>.view() == "block3-11");
static_assert(!accepts<regnet::block<48, 64, 2, 16>, shape<32, 56, 56>>);   // 32 channels in, In = 48
static_assert(!accepts<regnet::block<32, 40, 2, 16>, shape<32, 56, 56>>);   // bottleneck 40, group width 16
static_assert(!accepts<regnet::block<32, 64, 2, 0>, shape<32, 56, 56>>);    // group width 0
static_assert(!accepts<regnet::block<2, 8, 2, 8, std::ratio<1>, std::ratio<1, 4>>, shape<2, 8, 8>>);  // SE on round(2/4) = 0 channels
static_assert(!accepts<regnet::any_stage<1, 32, 64, 0, 2, 16, std::ratio<1>, std::ratio<0>>, shape<32, 56, 56>>);  // no blocks

// MNASNet: the skip exactly when the shape is kept; torchvision's kernel and stride choices.
static_assert(std::is_base_of_v<residual<named<"layers", mnasnet::detail::layers<24, 3, 1, 72>>, named<"", identity>>,
                                mnasnet::detail::body<24, 24, 3, 1, 3>>);
static_assert(accepts<mnasnet::inverted_residual<24, 40, 5, 2, 3>, shape<24, 56, 56>>);
static_assert(!accepts<mnasnet::inverted_residual<24, 40, 7, 2, 3>, shape<24, 56, 56>>);  // 7x7: torchvision takes 3 or 5
static_assert(!accepts<mnasnet::inverted_residual<24, 40, 5, 3, 3>, shape<24, 56, 56>>);  // stride 3
static_assert(!accepts<mnasnet::inverted_residual<16, 40, 5, 2, 3>, shape<24, 56, 56>>);  // 24 channels in, In = 16
static_assert(!accepts<mnasnet::stack<24, 40, 5, 2, 3, 0>, shape<24, 56, 56>>);

// ShuffleNetV2: a stride-1 unit keeps half its input, so In == Out; Out splits in two.
static_assert(std::is_same_v<output_t<shufflenet::inverted_residual<24, 116, 2>, shape<24, 56, 56>>, shape<116, 28, 28>>);
static_assert(accepts<shufflenet::inverted_residual<116, 116, 1>, shape<116, 28, 28>>);
static_assert(!accepts<shufflenet::inverted_residual<116, 232, 1>, shape<116, 28, 28>>);  // stride 1, In != Out
static_assert(!accepts<shufflenet::inverted_residual<24, 115, 2>, shape<24, 56, 56>>);    // odd Out
static_assert(!accepts<shufflenet::inverted_residual<24, 116, 4>, shape<24, 56, 56>>);    // stride 4
static_assert(!accepts<shufflenet::inverted_residual<24, 116, 2>, shape<32, 56, 56>>);    // 32 channels in, In = 24
static_assert(!accepts<shufflenet::stage<24, 116, 0>, shape<24, 56, 56>>);
}  // namespace

// ---- DenseNet: torchvision 0.14's sum(p.numel()); a dense layer appends Growth channels ----------
static_assert(param_count_v<densenet121> == 7'978'856);
static_assert(param_count_v<densenet161> == 28'681'000);
static_assert(param_count_v<densenet169> == 14'149'480);
static_assert(param_count_v<densenet201> == 20'013'928);
static_assert(macs_v<densenet121> / 10'000'000 == 283);  // torchvision's docs: 2.83 GFLOPS (counted as MACs)
static_assert(std::is_same_v<output_shape_t<densenet121_t<160, 192, 10>>, shape<10, 1, 1>>);
static_assert(std::is_same_v<output_t<densenet::dense_layer<32>, shape<64, 56, 56>>, shape<96, 56, 56>>);
static_assert(std::is_same_v<output_t<densenet::block<6, 32>, shape<64, 56, 56>>, shape<256, 56, 56>>);
static_assert(std::is_same_v<output_t<densenet::transition<128>, shape<256, 56, 56>>, shape<128, 28, 28>>);
static_assert(numbered<"denselayer", 24>.view() == "denselayer24");
static_assert(!accepts<densenet::dense_layer<0>, shape<64, 56, 56>>);
static_assert(!accepts<densenet::block<0, 32>, shape<64, 56, 56>>);

// ---- SqueezeNet, GoogLeNet, Inception-v3: torchvision 0.14's sum(p.numel()) of the eval form -----
namespace {
using namespace typenet::models;
static_assert(param_count_v<squeezenet1_1> == 1'235'496);
static_assert(param_count_v<googlenet> == 6'624'904);  // aux_logits=False
static_assert(param_count_v<inception_v3> == 23'834'568);
static_assert(param_count_v<squeezenet1_1_t<224, 224, 10>> == 727'626);
static_assert(param_count_v<googlenet_t<224, 224, 10>> == 5'610'154);
static_assert(param_count_v<inception_v3_t<299, 299, 10>> == 21'806'058);
// MACs per image (convolutions and linear layers), counted by forward hooks on torchvision's
// modules; its docs round them to 0.35, 1.50 and 5.71 G.
static_assert(macs_v<squeezenet1_1> == 349'151'936L);
static_assert(macs_v<googlenet> == 1'498'376'192L);
static_assert(macs_v<inception_v3> == 5'713'216'096L);
static_assert(std::is_same_v<inception_v3::input_shape, shape<3, 299, 299>>);
static_assert(std::is_same_v<output_shape_t<squeezenet1_1>, shape<1000, 1, 1>>);
static_assert(std::is_same_v<output_shape_t<googlenet_t<160, 192, 10>>, shape<10, 1, 1>>);
static_assert(std::is_same_v<output_shape_t<inception_v3_t<160, 192>>, shape<1000, 1, 1>>);
static_assert(std::is_same_v<output_shape_t<squeezenet1_1_t<160, 192, 10>>, shape<10, 1, 1>>);

// SqueezeNet's pools round up (ceil_mode): a 56x56 fire output pools to 28x28 (floor: 27x27).
static_assert(std::is_same_v<output_t<squeezenet::fire<16, 64, 64>, shape<64, 55, 55>>, shape<128, 55, 55>>);
static_assert(std::is_same_v<output_t<sequential<squeezenet::fire<16, 64, 64>, max_pool<3, 2, 0, true>>, shape<64, 56, 56>>,
                             shape<128, 28, 28>>);
static_assert(layer_params_v<squeezenet::fire<16, 64, 64>, shape<64, 55, 55>> == 64 * 16 + 16 + 16 * 64 + 64 + 16 * 64 * 9 + 64);
static_assert(!accepts<squeezenet::fire<0, 64, 64>, shape<64, 55, 55>>);  // nothing to squeeze to
static_assert(!accepts<squeezenet::fire<16, 64, 0>, shape<64, 55, 55>>);  // no 3x3 expand filters
static_assert(std::is_same_v<output_t<squeezenet::classifier<10>, shape<512, 13, 13>>, shape<10, 1, 1>>);

// GoogLeNet's module: #1x1 + #3x3 + #5x5 + pool proj channels, the size kept (table 1's 3a: 256).
static_assert(std::is_same_v<output_t<inception::block<64, 96, 128, 16, 32, 32>, shape<192, 28, 28>>, shape<256, 28, 28>>);
static_assert(std::is_same_v<output_t<inception::block<384, 192, 384, 48, 128, 128>, shape<832, 7, 9>>, shape<1024, 7, 9>>);
static_assert(!accepts<inception::block<64, 96, 128, 0, 32, 32>, shape<192, 28, 28>>);  // a 5x5 reduce to 0 channels
static_assert(accepts<inception::block<64, 96, 128, 16, 32, 32>, shape<192, 1, 1>>);  // every branch pads: any size
// BasicConv2d: no conv bias, batch norm with eps 0.001.
static_assert(layer_params_v<inception::basic_conv2d<64, 7, 2, 3>, shape<3, 224, 224>> == 64 * 3 * 49 + 2 * 64);
static_assert(std::is_same_v<typenet::detail::child_t<inception::basic_conv2d<64, 1>, 1>, named<"bn", basic_batch_norm<std::ratio<1, 1000>>>>);

// Inception-v3's modules on their grids: A 35x35, B to 17x17, C 17x17, D to 8x8, E 8x8.
static_assert(std::is_same_v<output_t<inception::block_a<32>, shape<192, 35, 35>>, shape<256, 35, 35>>);
static_assert(std::is_same_v<output_t<inception::block_b, shape<288, 35, 35>>, shape<768, 17, 17>>);
static_assert(std::is_same_v<output_t<inception::block_c<128>, shape<768, 17, 17>>, shape<768, 17, 17>>);
static_assert(std::is_same_v<output_t<inception::block_d, shape<768, 17, 17>>, shape<1280, 8, 8>>);
static_assert(std::is_same_v<output_t<inception::block_e, shape<1280, 8, 8>>, shape<2048, 8, 8>>);
static_assert(std::is_same_v<output_t<inception::block_c<128>, shape<768, 5, 11>>, shape<768, 5, 11>>);  // 1x7, 7x1 keep any size
static_assert(!accepts<inception::block_a<0>, shape<192, 35, 35>>);
static_assert(!accepts<inception::block_c<0>, shape<768, 17, 17>>);
static_assert(!accepts<inception::block_b, shape<288, 2, 2>>);  // 3x3 stride 2 unpadded: at least 3x3 in
// The smallest input: torchvision's inception_v3 needs 75x75 (Mixed_7a's unpadded 3x3 stride 2
// sees 3x3 there, 2x2 at 74x74).
static_assert(well_formed<inception_v3_t<75, 75>> && !well_formed<inception_v3_t<74, 75>>);
}  // namespace

TEST_CASE("SqueezeNet, GoogLeNet and Inception-v3 summaries print torchvision's names", "[dsl][summary]") {
  std::ostringstream s, g, i;
  print_summary<typenet::models::squeezenet1_1>(s, "squeezenet1_1");
  CHECK_THAT(s.str(), Catch::Contains("features.3.expand3x3 (conv2d)"));
  CHECK_THAT(s.str(), Catch::Contains("features.12 (squeezenet::fire)"));
  CHECK_THAT(s.str(), Catch::Contains("classifier.1 (conv2d)"));
  CHECK_THAT(s.str(), Catch::Contains("Total params: 1,235,496"));
  print_summary<typenet::models::googlenet>(g, "googlenet");
  CHECK_THAT(g.str(), Catch::Contains("inception4e.branch3.1.bn (batch_norm)"));
  CHECK_THAT(g.str(), Catch::Contains("inception5b (inception::block)"));
  CHECK_THAT(g.str(), Catch::Contains("conv3 (inception::basic_conv2d)"));
  CHECK_THAT(g.str(), Catch::Contains("(1024, 7, 7)"));
  print_summary<typenet::models::inception_v3>(i, "inception_v3");
  CHECK_THAT(i.str(), Catch::Contains("Mixed_7c.branch3x3dbl_3b.conv (conv2d)"));
  CHECK_THAT(i.str(), Catch::Contains("Mixed_6e.branch_pool.conv (conv2d)"));
  CHECK_THAT(i.str(), Catch::Contains("Mixed_7a (inception::block_d)"));
}
