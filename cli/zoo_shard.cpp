// One shard of the zoo's rows (zoo_table.hpp): compiled once per shard, through a generated file
// that defines TYPENET_ZOO_SHARD (cli/CMakeLists.txt); TYPENET_ZOO_SHARDS is the shard count.
#include <typenet/models/zoo.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/summary.hpp>

#include "zoo_table.hpp"

#if !defined(TYPENET_ZOO_SHARD) || !defined(TYPENET_ZOO_SHARDS)
#error "zoo_shard.cpp: compile with TYPENET_ZOO_SHARD and TYPENET_ZOO_SHARDS defined (see cli/CMakeLists.txt)"
#endif

namespace typenet::cli {
namespace {

template <class Entry>
zoo_model row() {
  using M = typename Entry::type;
  return {.name = Entry::name,
          .input = Entry::input,
          .resize = Entry::resize,
          .filter = Entry::filter,
          .params = param_count_v<M>,
          .macs = macs_v<M>,
          .activation_bytes = activation_bytes_v<M>,
          .print_summary = [](std::ostream& os, int max_depth) { typenet::print_summary<M>(os, Entry::name, max_depth); },
          .lower = [] { return typenet::lower<typename M::body>(); },
          .load_weights = [](const std::string& path) { return typenet::load_weights<M>(path); },
          .seeded_weights = [](std::uint64_t seed) { return typenet::seeded_weights<M>(seed); },
          .make_static = [](const weight_store& w, executor_options o) -> std::shared_ptr<typenet::detail::executor_core> {
            return std::make_shared<executor<M>>(w, o);  // shared_ptr deletes it as executor<M>
          }};
}

// Only this shard's models are instantiated (if constexpr): that is the point of the shards.
template <int Shard, int I, class Entry>
void fill_one(std::span<zoo_model> rows) {
  if constexpr (I % TYPENET_ZOO_SHARDS == Shard) rows[std::size_t(I)] = row<Entry>();
}

template <int Shard, int... I, class... E>
void fill(std::span<zoo_model> rows, std::integer_sequence<int, I...>, typenet::detail::type_list<E...>) {
  (fill_one<Shard, I, E>(rows), ...);
}

}  // namespace

template <int Shard>
void fill_zoo_shard(std::span<zoo_model> rows) {
  fill<Shard>(rows, std::make_integer_sequence<int, models::zoo_size>{}, models::zoo{});
}

template void fill_zoo_shard<TYPENET_ZOO_SHARD>(std::span<zoo_model>);

}  // namespace typenet::cli
