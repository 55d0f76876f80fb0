// Deploying to a budget: the compiler picks the largest zoo model (by MACs) whose parameters, MACs
// and activation memory per image fit, then checks it with static_assert(within<...>) and runs it
// on a typed tensor. A model over budget would not compile:
//   static_assert(within<models::resnet101, edge>);  // error: typenet::within: the model has more
//                                                     // parameters than the budget
//                                                     // (over_budget<params, 44549160, 26000000>)
#include <cstdio>
#include <tuple>
#include <typenet/runtime/executor.hpp>
#include <typenet/models/zoo.hpp>
#include <typenet/typenet.hpp>

using namespace typenet;

// The deployment: a flash of 26 M float parameters, 4.3 G MACs per image, 10 MB of activations.
constexpr budget edge{.params = 26'000'000, .macs = 4'300'000'000, .activation_bytes = 10'000'000};

// The candidates are the whole zoo (models::zoo, the registry `typenet list` walks); the choice is
// the first of the largest that fits, a constant expression.
constexpr int pick(std::initializer_list<long> macs, std::initializer_list<bool> fit) {
  int best = -1, i = 0;
  long most = -1;
  auto f = fit.begin();
  for (long m : macs) {
    if (*f && m > most) most = m, best = i;
    ++i, ++f;
  }
  return best;
}

template <class Registry>
struct candidates;
template <class... E>
struct candidates<typenet::detail::type_list<E...>> {
  static constexpr int chosen = pick({macs_v<typename E::type>...}, {fits<typename E::type, edge>...});
  using entry = std::tuple_element_t<std::size_t(chosen), std::tuple<E...>>;

  static void print() {
    std::printf("%-20s %12s %16s %18s  %s\n", "model", "params", "MACs", "activation bytes", "fits");
    (print_row<E>(), ...);
  }
  template <class Entry, class M = typename Entry::type>
  static void print_row() {
    std::printf("%-20.*s %12ld %16ld %18ld  %s\n", int(Entry::name.size()), Entry::name.data(), param_count_v<M>, macs_v<M>,
                activation_bytes_v<M>, fits<M, edge> ? "yes" : "no");
  }
};

using zoo = candidates<models::zoo>;
using chosen = zoo::entry::type;

static_assert(within<chosen, edge>);
static_assert(std::is_same_v<chosen, models::resnext50_32x4d>);  // 25.0 M params, 4.23 G MACs, 8.0 MB

int main() {
  std::printf("budget: %ld params, %ld MACs, %ld activation bytes per image\n", edge.params, edge.macs, edge.activation_bytes);
  zoo::print();
  constexpr memory_plan plan = memory_plan_v<chosen>;
  std::printf("chosen: %.*s, memory plan %ld bytes per image (naive %d buffers x largest: %ld)\n",
              int(zoo::entry::name.size()), zoo::entry::name.data(), plan.bytes,
              plan.buffers, plan.naive_bytes);

  // Run it once on seeded weights, through typed tensors: the shapes are the model's types.
  executor<chosen> run(seeded_weights<chosen>(1), {.max_batch = 1});
  tensor<chosen::input_shape> image(1);
  for (long i = 0; i < image.size(); ++i) image.data()[i] = float(i % 255) / 255.0f;
  const tensor<output_shape_t<chosen>> logits = run.forward(image);
  std::printf("ran: %d image -> %d logits; executor arena %ld bytes per image\n", logits.batch(), output_shape_t<chosen>::channels,
              run.memory().bytes);
  return run.memory().bytes == plan.bytes ? 0 : 1;
}
