// The translation unit whose compile time and peak memory the README reports for running a model:
// executor<models::resnext50_32x4d> (every kernel it needs) and one forward pass. Measured by
// tools/compile_time.sh with -march=native, so the AVX-512 kernels are compiled too.
#include <cstdio>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

int main() {
  using M = typenet::models::resnext50_32x4d;
  typenet::executor<M> net(typenet::seeded_weights<M>(42), {.threads = 1});
  std::vector<float> x(std::size_t(net.input_size), 0.5f), y(std::size_t(net.output_size));
  net.forward(x.data(), y.data(), 1);
  std::printf("%f\n", double(y[0]));
}
