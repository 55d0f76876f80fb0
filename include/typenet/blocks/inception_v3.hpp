#pragma once
// Inception-v3's modules (Szegedy et al. 2016, "Rethinking the Inception Architecture"), as
// torchvision's InceptionA ... InceptionE with their state_dict names: branches side by side,
// concatenated. A keeps the 35x35 grid, B reduces it to 17x17, C factorises 7x7 into 1x7 and 7x1,
// D reduces to 8x8, E splits 3x3 into 1x3 || 3x1 inside a branch (nested concats).
#include "../layers/avg_pool.hpp"
#include "block.hpp"
#include "bottleneck.hpp"  // ops::stage
#include "inception.hpp"

namespace typenet {

namespace rule {
TYPENET_RULE(inception_a_positive, "inception::block_a: PoolFeatures must be positive", "PoolFeatures {}");
TYPENET_RULE(inception_c_positive, "inception::block_c: Channels7x7 must be positive", "Channels7x7 {}");
}  // namespace rule

namespace ops {
// A and C check their one width as a stage checks its block count (positive; the rule's API
// prefix is the kind); B, D and E have nothing of their own to check.
using inception_a = stage<rule::inception_a_positive>;
using inception_c = stage<rule::inception_c_positive>;
using inception_b = unchecked_block<"inception::block_b">;
using inception_d = unchecked_block<"inception::block_d">;
using inception_e = unchecked_block<"inception::block_e">;
}  // namespace ops

namespace inception {

namespace detail {
// A module's body: its branches concatenated. Each branch is a basic_conv2d (named as
// torchvision names it) or a chain of them; a chain is transparent, its convolutions keep their
// flat names (Mixed_5b.branch5x5_2.conv.weight).
template <class... Branches>
using branches = sequential<named<"", concat<Branches...>>>;
template <class... Layers>
using chain = named<"", sequential<Layers...>>;
// The average-pooled branch of A, C and E: 3x3 average (stride 1, zeros counted), 1x1 to Out.
template <int Out>
using pool_branch = chain<named<"", avg_pool<3, 1, 1>>, named<"branch_pool", basic_conv2d<Out, 1>>>;

template <int PoolFeatures>
using a_body = branches<named<"branch1x1", basic_conv2d<64, 1>>,
                        chain<named<"branch5x5_1", basic_conv2d<48, 1>>, named<"branch5x5_2", basic_conv2d<64, 5, 1, 2>>>,
                        chain<named<"branch3x3dbl_1", basic_conv2d<64, 1>>, named<"branch3x3dbl_2", basic_conv2d<96, 3, 1, 1>>,
                              named<"branch3x3dbl_3", basic_conv2d<96, 3, 1, 1>>>,
                        pool_branch<PoolFeatures>>;
using b_body = branches<named<"branch3x3", basic_conv2d<384, 3, 2>>,
                        chain<named<"branch3x3dbl_1", basic_conv2d<64, 1>>, named<"branch3x3dbl_2", basic_conv2d<96, 3, 1, 1>>,
                              named<"branch3x3dbl_3", basic_conv2d<96, 3, 2>>>,
                        named<"", max_pool<3, 2>>>;
template <int C7>
using c_body = branches<named<"branch1x1", basic_conv2d<192, 1>>,
                        chain<named<"branch7x7_1", basic_conv2d<C7, 1>>, named<"branch7x7_2", basic_conv2d<C7, hw{1, 7}, 1, hw{0, 3}>>,
                              named<"branch7x7_3", basic_conv2d<192, hw{7, 1}, 1, hw{3, 0}>>>,
                        chain<named<"branch7x7dbl_1", basic_conv2d<C7, 1>>, named<"branch7x7dbl_2", basic_conv2d<C7, hw{7, 1}, 1, hw{3, 0}>>,
                              named<"branch7x7dbl_3", basic_conv2d<C7, hw{1, 7}, 1, hw{0, 3}>>,
                              named<"branch7x7dbl_4", basic_conv2d<C7, hw{7, 1}, 1, hw{3, 0}>>,
                              named<"branch7x7dbl_5", basic_conv2d<192, hw{1, 7}, 1, hw{0, 3}>>>,
                        pool_branch<192>>;
using d_body = branches<chain<named<"branch3x3_1", basic_conv2d<192, 1>>, named<"branch3x3_2", basic_conv2d<320, 3, 2>>>,
                        chain<named<"branch7x7x3_1", basic_conv2d<192, 1>>, named<"branch7x7x3_2", basic_conv2d<192, hw{1, 7}, 1, hw{0, 3}>>,
                              named<"branch7x7x3_3", basic_conv2d<192, hw{7, 1}, 1, hw{3, 0}>>,
                              named<"branch7x7x3_4", basic_conv2d<192, 3, 2>>>,
                        named<"", max_pool<3, 2>>>;
// E's split: 1x3 and 3x1 side by side on the same maps, their outputs concatenated.
template <class A, class B>
using split = named<"", concat<A, B>>;
using e_body = branches<named<"branch1x1", basic_conv2d<320, 1>>,
                        chain<named<"branch3x3_1", basic_conv2d<384, 1>>,
                              split<named<"branch3x3_2a", basic_conv2d<384, hw{1, 3}, 1, hw{0, 1}>>,
                                    named<"branch3x3_2b", basic_conv2d<384, hw{3, 1}, 1, hw{1, 0}>>>>,
                        chain<named<"branch3x3dbl_1", basic_conv2d<448, 1>>, named<"branch3x3dbl_2", basic_conv2d<384, 3, 1, 1>>,
                              split<named<"branch3x3dbl_3a", basic_conv2d<384, hw{1, 3}, 1, hw{0, 1}>>,
                                    named<"branch3x3dbl_3b", basic_conv2d<384, hw{3, 1}, 1, hw{1, 0}>>>>,
                        pool_branch<192>>;
}  // namespace detail

// InceptionA (the paper's figure 5 module, 5x5 kept as in torchvision): 224 + PoolFeatures
// channels out, same size.
template <int PoolFeatures>
struct block_a : block_of<ops::inception_a, detail::a_body<PoolFeatures>, PoolFeatures> {};

// InceptionB: grid reduction, 3x3 stride 2 || 3x3 double stride 2 || 3x3 max pool stride 2;
// 480 + input channels out.
struct block_b : block_of<ops::inception_b, detail::b_body> {};

// InceptionC (figure 6): 7x7 factorised into 1x7 and 7x1 at Channels7x7 channels; 768 out.
template <int Channels7x7>
struct block_c : block_of<ops::inception_c, detail::c_body<Channels7x7>, Channels7x7> {};

// InceptionD: grid reduction to 8x8; 512 + input channels out.
struct block_d : block_of<ops::inception_d, detail::d_body> {};

// InceptionE (figure 7): the expanded filter bank, 3x3 split into 1x3 || 3x1; 2048 out.
struct block_e : block_of<ops::inception_e, detail::e_body> {};

}  // namespace inception
}  // namespace typenet
