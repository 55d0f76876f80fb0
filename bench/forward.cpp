// End-to-end forward pass of the statically checked ResNeXt-50 (32x4d) and ResNet-50, 224x224,
// seeded weights. Wall time per batch (Google Benchmark's real time); the "images/s" counter is
// batch / time. Compare with tools/bench_pytorch.py, the PyTorch peer on the same machine.
//   build/bin/forward --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace {
template <class M>
void forward(benchmark::State& state) {
  const int batch = int(state.range(0)), threads = int(state.range(1));
  const bool fused = state.range(2) != 0;
  static const auto weights = typenet::seeded_weights<M>(42);
  typenet::executor<M> e(weights, {.threads = threads, .max_batch = batch, .fused = fused});
  std::vector<float> x(std::size_t(batch * e.input_size), 0.25f), y(std::size_t(batch * e.output_size));
  e.forward(x.data(), y.data(), batch);  // warm-up
  for (auto _ : state) {
    e.forward(x.data(), y.data(), batch);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["images/s"] = benchmark::Counter(double(batch), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GMAC/s"] = benchmark::Counter(double(batch) * double(typenet::macs_v<M>) / 1e9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}
}  // namespace

// Args: batch, threads, fused.
BENCHMARK(forward<typenet::models::resnext50_32x4d>)
    ->Name("resnext50_32x4d")
    ->ArgNames({"batch", "threads", "fused"})
    ->Args({1, 1, 1})->Args({1, 2, 1})->Args({8, 2, 1})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(forward<typenet::models::resnext50_32x4d>)
    ->Name("resnext50_32x4d_reference")
    ->ArgNames({"batch", "threads", "fused"})
    ->Args({1, 1, 0})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(forward<typenet::models::resnet50>)
    ->Name("resnet50")
    ->ArgNames({"batch", "threads", "fused"})
    ->Args({1, 2, 1})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

BENCHMARK_MAIN();
