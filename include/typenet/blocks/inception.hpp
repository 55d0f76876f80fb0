#pragma once
// GoogLeNet's blocks (Szegedy et al. 2015; torchvision's names): BasicConv2d, shared with
// Inception-v3, and the Inception module, four branches side by side whose outputs are
// concatenated: 1x1 | 1x1 reduce, 3x3 | 1x1 reduce, "5x5" | 3x3 max pool, 1x1 projection.
#include <ratio>

#include "../hw.hpp"
#include "../layers/batch_norm.hpp"
#include "../layers/concat.hpp"
#include "../layers/conv2d.hpp"
#include "../layers/max_pool.hpp"
#include "../layers/relu.hpp"
#include "../layers/sequential.hpp"
#include "block.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(inception_block_positive, "inception::block: every branch's width must be positive",
             "#1x1 {}, #3x3 reduce {}, #3x3 {}, #5x5 reduce {}, #5x5 {}, pool proj {}");
}  // namespace rule

namespace ops {
struct inception_block {
  static constexpr std::string_view kind = "inception::block";
  struct attributes {
    int c1x1 = 0, c3x3_reduce = 0, c3x3 = 0, c5x5_reduce = 0, c5x5 = 0, pool_proj = 0;
  };
  using rules = rule_list<rule::inception_block_positive>;
  static constexpr ir::flow flow = ir::flow::chain;
  static constexpr verdict check(const attributes& a, dims) {
    if (!(a.c1x1 > 0 && a.c3x3_reduce > 0 && a.c3x3 > 0 && a.c5x5_reduce > 0 && a.c5x5 > 0 && a.pool_proj > 0))
      return rules::broken<rule::inception_block_positive>({a.c1x1, a.c3x3_reduce, a.c3x3, a.c5x5_reduce, a.c5x5, a.pool_proj});
    return {};
  }
};
}  // namespace ops

namespace inception {

// torchvision's BasicConv2d: convolution without bias, batch norm with eps 0.001, ReLU (F.relu:
// no module). Kernel and Padding may be rectangular (hw{1, 7}).
template <int Out, hw Kernel, int Stride = 1, hw Padding = 0>
struct basic_conv2d
    : block_of<ops::unchecked_block<"inception::basic_conv2d">,
               sequential<named<"conv", conv2d<Out, Kernel, Stride, Padding>>, named<"bn", basic_batch_norm<std::ratio<1, 1000>>>,
                          named<"", relu>>> {};

namespace detail {
template <int C1x1, int C3x3Reduce, int C3x3, int C5x5Reduce, int C5x5, int PoolProj>
using block_body = sequential<named<"", concat<
    named<"branch1", basic_conv2d<C1x1, 1>>,
    named<"branch2", sequential<basic_conv2d<C3x3Reduce, 1>, basic_conv2d<C3x3, 3, 1, 1>>>,
    // The paper's 5x5; torchvision's 3x3 (a known slip kept for its pretrained weights).
    named<"branch3", sequential<basic_conv2d<C5x5Reduce, 1>, basic_conv2d<C5x5, 3, 1, 1>>>,
    named<"branch4", sequential<max_pool<3, 1, 1, true>, basic_conv2d<PoolProj, 1>>>>>>;
}  // namespace detail

// GoogLeNet's Inception module with the columns of the paper's table 1: #1x1, #3x3 reduce, #3x3,
// #5x5 reduce, #5x5, pool proj. C1x1 + C3x3 + C5x5 + PoolProj channels out, same size.
template <int C1x1, int C3x3Reduce, int C3x3, int C5x5Reduce, int C5x5, int PoolProj>
struct block : block_of<ops::inception_block, detail::block_body<C1x1, C3x3Reduce, C3x3, C5x5Reduce, C5x5, PoolProj>, C1x1,
                        C3x3Reduce, C3x3, C5x5Reduce, C5x5, PoolProj> {};

}  // namespace inception
}  // namespace typenet
