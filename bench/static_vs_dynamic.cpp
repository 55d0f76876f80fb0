// Static against dynamic graphs, honestly: ResNeXt-50 (32x4d) at 224x224, batch 1, seeded weights,
// through executor<M> (the model type lowered to its description) and dynamic::executor (the
// description built at run time), on the one planner and the same kernels. Also the set-up time:
// building the executor (checks, weight copies, BN folding, packing, buffers, threads), and
// building the dynamic model alone.
//   build/bin/static_vs_dynamic --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <typenet/dynamic/executor.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace {
using M = typenet::models::resnext50_32x4d;

const typenet::weight_store& weights() {
  static const auto w = typenet::seeded_weights<M>(42);
  return w;
}
const typenet::dynamic::model& dynamic_model() {
  static const auto m = typenet::dynamic::resnext50_32x4d();
  return m;
}

template <class Executor>
void run(benchmark::State& state, Executor& e) {
  std::vector<float> x(std::size_t(M::input_shape::size), 0.25f), y(1000);
  e.forward(x.data(), y.data(), 1);  // warm-up
  for (auto _ : state) {
    e.forward(x.data(), y.data(), 1);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GMAC/s"] = benchmark::Counter(double(typenet::macs_v<M>) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

void static_forward(benchmark::State& state) {
  typenet::executor<M> e(weights(), {.threads = int(state.range(0))});
  run(state, e);
}
void dynamic_forward(benchmark::State& state) {
  typenet::dynamic::executor e(dynamic_model(), weights(), {.threads = int(state.range(0))});
  run(state, e);
}

void static_setup(benchmark::State& state) {
  for (auto _ : state) {
    typenet::executor<M> e(weights(), {.threads = 1});
    benchmark::DoNotOptimize(&e);
  }
}
// The dynamic set-up includes building and checking the model from its description.
void dynamic_setup(benchmark::State& state) {
  for (auto _ : state) {
    const auto m = typenet::dynamic::resnext50_32x4d();
    typenet::dynamic::executor e(m, weights(), {.threads = 1});
    benchmark::DoNotOptimize(&e);
  }
}
void dynamic_model_only(benchmark::State& state) {
  for (auto _ : state) {
    const auto m = typenet::dynamic::resnext50_32x4d();
    benchmark::DoNotOptimize(&m);
  }
}
}  // namespace

BENCHMARK(static_forward)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(dynamic_forward)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(static_setup)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
BENCHMARK(dynamic_setup)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
BENCHMARK(dynamic_model_only)->Unit(benchmark::kMicrosecond)->UseRealTime();

BENCHMARK_MAIN();
