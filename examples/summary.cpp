// Models as types: shapes, parameter counts and MACs are compile-time constants.
#include <iostream>
#include <typenet/typenet.hpp>

using namespace typenet;

// A small residual network written by hand.
using tiny = model<input<3, 32, 32>,
                   named<"stem", conv2d<16, 3, 1, 1>>, batch_norm, relu,
                   named<"res", residual<sequential<conv2d<16, 3, 1, 1>, batch_norm, relu, conv2d<16, 3, 1, 1>, batch_norm>, identity>>,
                   relu, global_avg_pool, named<"head", linear<10>>>;

static_assert(std::is_same_v<output_shape_t<tiny>, shape<10, 1, 1>>);
static_assert(param_count_v<models::resnext50_32x4d> == 25'028'904);  // torchvision's figure, exactly

// using broken = model<input<3, 32, 32>, conv2d<16, 3, 1, 1>,
//                      residual<conv2d<32, 1>, identity>>;   // error: residual: branch and shortcut
//                                                             // must give the same channels (32 == 16)

int main() {
  print_summary<tiny>(std::cout, "tiny");
  print_summary<models::resnext50_32x4d>(std::cout, "resnext50_32x4d");
  print_summary<models::resnet50>(std::cout, "resnet50", 1);
}
