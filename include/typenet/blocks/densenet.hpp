#pragma once
// DenseNet's blocks (Huang et al. 2017; torchvision's names): every layer of a dense block sees
// the concatenation of the block's input and all earlier layers' outputs. A dense layer is
// therefore concat<its input, its new features>, and a block a chain of them: the features grow
// by Growth channels per layer (torchvision concatenates the same list anew in every layer).
#include <utility>

#include "../fixed_string.hpp"
#include "block.hpp"
#include "../layers/avg_pool.hpp"
#include "../layers/batch_norm.hpp"
#include "../layers/concat.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/identity.hpp"
#include "../layers/relu.hpp"
#include "../layers/sequential.hpp"
#include "bottleneck.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(dense_layer_positive, "densenet::dense_layer: Growth and BnSize must be positive", "Growth {}, BnSize {}");
TYPENET_RULE(dense_block_empty, "densenet::block: needs at least one layer", "{} layers");
}  // namespace rule

namespace ops {
struct dense_layer {
  static constexpr std::string_view kind = "densenet::dense_layer";
  struct attributes {
    int growth = 0, bn_size = 0;
  };
  using rules = rule_list<rule::dense_layer_positive>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr verdict check(const attributes& a, dims) {
    if (!(a.growth > 0 && a.bn_size > 0)) return rules::broken<rule::dense_layer_positive>({a.growth, a.bn_size});
    return {};
  }
};
using dense_block = stage<rule::dense_block_empty>;
}  // namespace ops

namespace densenet {

namespace detail {
// torchvision's _DenseLayer body: pre-activation bottleneck, BN-ReLU-1x1 to BnSize*Growth, then
// BN-ReLU-3x3 to Growth.
template <int Growth, int BnSize>
using new_features = sequential<named<"norm1", batch_norm>, named<"relu1", relu>, named<"conv1", conv2d<BnSize * Growth, 1>>,
                                named<"norm2", batch_norm>, named<"relu2", relu>, named<"conv2", conv2d<Growth, 3, 1, 1>>>;
}  // namespace detail

// One dense layer: its input with Growth new channels appended.
template <int Growth, int BnSize = 4>
struct dense_layer : block_of<ops::dense_layer,
                              sequential<named<"", concat<named<"", identity>, named<"", detail::new_features<Growth, BnSize>>>>>,
                              Growth, BnSize> {};

namespace detail {
template <int Growth, int BnSize, std::size_t... I>
auto layers(std::index_sequence<I...>) -> sequential<named<numbered<"denselayer", int(I) + 1>, dense_layer<Growth, BnSize>>...>;
}  // namespace detail

// A dense block of Layers layers (denselayer1 ... denselayerN): In + Layers*Growth channels out.
template <int Layers, int Growth, int BnSize = 4>
struct block
    : block_of<ops::dense_block,
               decltype(detail::layers<Growth, BnSize>(std::make_index_sequence<std::size_t(Layers > 0 ? Layers : 0)>{})),
               Layers> {};

// The transition between blocks: BN-ReLU-1x1 to Out channels, then 2x2 average pooling.
template <int Out>
using transition = sequential<named<"norm", batch_norm>, named<"relu", relu>, named<"conv", conv2d<Out, 1>>, named<"pool", avg_pool<2, 2>>>;

}  // namespace densenet
}  // namespace typenet
