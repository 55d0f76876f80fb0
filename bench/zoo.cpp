// Batch-1 latency of the zoo's mobile and small models (where the zoo differs from ResNe(X)t:
// depthwise convolutions, narrow 1x1s, relu6 / hardswish / silu / sigmoid activations), 224x224,
// seeded weights, fused path, on 1 and 2 threads. Wall time per image (Google Benchmark's real
// time); the median of the repetitions is the figure to report.
//   build/bin/zoo --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
//   build/bin/zoo --benchmark_filter='mobilenet_v2/' ...
#include <benchmark/benchmark.h>

#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace {
template <class M>
void forward(benchmark::State& state) {
  const int threads = int(state.range(0));
  static const auto weights = typenet::seeded_weights<M>(42);
  typenet::executor<M> e(weights, {.threads = threads, .max_batch = 1});
  std::vector<float> x(std::size_t(e.input_size), 0.25f), y(std::size_t(e.output_size));
  e.forward(x.data(), y.data(), 1);  // warm-up
  for (auto _ : state) {
    e.forward(x.data(), y.data(), 1);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GMAC/s"] = benchmark::Counter(double(typenet::macs_v<M>) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

template <class M>
void add(const char* name) {
  benchmark::RegisterBenchmark(name, forward<M>)
      ->ArgName("threads")
      ->Arg(1)
      ->Arg(2)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MinTime(0.5);
}

int register_all() {
  namespace m = typenet::models;
  add<m::mobilenet_v2>("mobilenet_v2");
  add<m::mobilenet_v3_small>("mobilenet_v3_small");
  add<m::mobilenet_v3_large>("mobilenet_v3_large");
  add<m::efficientnet_b0>("efficientnet_b0");
  add<m::mnasnet1_0>("mnasnet1_0");
  add<m::shufflenet_v2_x1_0>("shufflenet_v2_x1_0");
  add<m::regnet_x_400mf>("regnet_x_400mf");
  add<m::regnet_y_400mf>("regnet_y_400mf");
  add<m::resnet18>("resnet18");  // the ResNet control: dense 3x3s, ReLU only
  return 0;
}
const int registered = register_all();
}  // namespace

BENCHMARK_MAIN();
