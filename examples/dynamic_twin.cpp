// The dynamic-graph twin: ResNeXt-50 as a run-time value (typenet::dynamic), shapes checked when
// the model is built, run by the same planner and kernels as the static executor<M>. Both front
// ends produce the same description (ir::node): a static block type lowers to it
// (typenet::lower<resnext::block<...>>()), and the dynamic builders make it by hand. It exists so that
// static and dynamic graphs can be benchmarked honestly (bench/static_vs_dynamic.cpp).
//
// This example builds the dynamic ResNeXt-50, prints its figures, catches the shape_error of the
// seed's mismatch (a stage that starts with an identity block), and runs one forward pass at 64x64
// through both executors on the same seeded weights.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <typenet/dynamic/executor.hpp>
#include <typenet/typenet.hpp>

namespace tn = typenet;
namespace dy = typenet::dynamic;

int main() {
  const dy::model net = dy::resnext50_32x4d();
  const auto out = net.output_shape();
  std::cout << "dynamic resnext50_32x4d: output (" << out.channels << ", " << out.height << ", " << out.width
            << "), params " << net.param_count() << ", MACs " << net.macs() << "\n"
            << "static twin:             params " << tn::param_count_v<tn::models::resnext50_32x4d> << ", MACs "
            << tn::macs_v<tn::models::resnext50_32x4d> << "\n";

  // The seed's question at run time: a stage whose first block has no projection shortcut.
  try {
    dy::model broken({3, 224, 224},
                     dy::sequential({dy::named("conv1", dy::conv2d(64, 7, 2, 3)), dy::named("bn1", dy::batch_norm()),
                                     dy::named("relu", dy::relu()), dy::named("maxpool", dy::max_pool(3, 2, 1)),
                                     dy::named("layer1", dy::sequential({tn::lower<tn::resnext::block<128, 1, false>>(),
                                                                         tn::lower<tn::resnext::block<128, 1, false>>()}))}));
    std::cout << "error: the mismatched model was accepted\n";
    return 1;
  } catch (const dy::shape_error& e) {
    std::cout << "shape_error: " << e.what() << "\n";
  }

  // One forward pass at 64x64, static against dynamic, on the same weights and input.
  using small = tn::models::resnext50_32x4d_t<64, 64>;
  const dy::model dnet = dy::resnext50_32x4d(64, 64);
  const auto weights = tn::seeded_weights<small>(42);
  tn::executor<small> s(weights, {.threads = 2});
  dy::executor d(dnet, weights, {.threads = 2});
  std::vector<float> x(std::size_t(s.input_size)), ys(std::size_t(s.output_size)), yd(std::size_t(d.output_size()));
  tn::detail::splitmix64 rng{1};
  for (float& v : x) v = rng.uniform(-2.0f, 2.0f);
  s.forward(x.data(), ys.data(), 1);
  d.forward(x.data(), yd.data(), 1);
  float diff = 0.0f;
  for (std::size_t i = 0; i < ys.size(); ++i) diff = std::max(diff, std::fabs(ys[i] - yd[i]));
  std::cout << "64x64 forward, " << s.op_count() << " static ops vs " << d.op_count()
            << " dynamic ops: max |static - dynamic| = " << diff << (diff == 0.0f ? " (bit-identical)" : "") << "\n";
  return diff <= 1e-6f * std::max(1.0f, *std::max_element(ys.begin(), ys.end())) ? 0 : 1;
}
