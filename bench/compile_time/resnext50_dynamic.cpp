// The dynamic counterpart of resnext50_executor.cpp, for tools/static_vs_dynamic.py: ResNeXt-50
// (32x4d) written with the run-time builders (no model type is instantiated), checked when it is
// built, then dynamic::executor and one forward pass. Prints its parameter and MAC counts, which
// the script compares with the static type's (`typenet list`).
#include <cstdio>
#include <string>
#include <typenet/dynamic/executor.hpp>
#include <typenet/typenet.hpp>

namespace dy = typenet::dynamic;

namespace {
// torchvision's Bottleneck with groups 32: 1x1, grouped 3x3 (stride here), 1x1 to 2 * filters.
dy::layer block(int filters, int stride, bool conv_shortcut) {
  auto branch = dy::sequential({dy::named("conv1", dy::conv2d(filters, 1)), dy::named("bn1", dy::batch_norm()), dy::relu(),
                                dy::named("conv2", dy::conv2d(filters, 3, stride, 1, 32)), dy::named("bn2", dy::batch_norm()),
                                dy::relu(), dy::named("conv3", dy::conv2d(2 * filters, 1)), dy::named("bn3", dy::batch_norm())});
  auto shortcut = conv_shortcut ? dy::named("downsample", dy::sequential({dy::named("0", dy::conv2d(2 * filters, 1, stride)),
                                                                          dy::named("1", dy::batch_norm())}))
                                : dy::identity();
  return dy::sequential({dy::residual(std::move(branch), std::move(shortcut)), dy::relu()});
}

dy::layer stack(const char* name, int filters, int blocks, int stride) {
  std::vector<dy::layer> b;
  for (int i = 0; i < blocks; ++i) b.push_back(dy::named(std::to_string(i), block(filters, i ? 1 : stride, i == 0)));
  return dy::named(name, dy::sequential(std::move(b)));
}
}  // namespace

int main() {
  const dy::model m({3, 224, 224}, dy::sequential({dy::named("conv1", dy::conv2d(64, 7, 2, 3)), dy::named("bn1", dy::batch_norm()),
                                                   dy::relu(), dy::named("maxpool", dy::max_pool(3, 2, 1)), stack("layer1", 128, 3, 1),
                                                   stack("layer2", 256, 4, 2), stack("layer3", 512, 6, 2), stack("layer4", 1024, 3, 2),
                                                   dy::global_avg_pool(), dy::named("fc", dy::linear(1000))}));
  dy::executor net(m, dy::seeded_weights(m, 42), {.threads = 1});
  std::vector<float> x(std::size_t(net.input_size()), 0.5f), y(std::size_t(net.output_size()));
  net.forward(x.data(), y.data(), 1);
  std::printf("params %ld macs %ld logit0 %f\n", m.param_count(), m.macs(), double(y[0]));
}
