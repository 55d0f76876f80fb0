#pragma once
// The `typenet` command's view of the zoo (typenet/models/zoo.hpp): one row of compile-time facts
// and entry points per model, so that the command's own code is not a template. The rows are
// made by the shards (zoo_shard.cpp, compiled TYPENET_ZOO_SHARDS times, each instantiating every
// TYPENET_ZOO_SHARDS-th model): the templates of ~25 models spread over parallel compiler runs
// of moderate size instead of one huge one.
#include <cstdint>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include <typenet/ir/node.hpp>
#include <typenet/models/zoo.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/runtime/weight_store.hpp>
#include <typenet/shape.hpp>

namespace typenet::cli {

struct zoo_model {
  std::string_view name;  // torchvision's
  dims input;             // native input size (the static type's)
  int resize = 0;         // torchvision's Resize before CenterCrop(input.height)
  models::interpolation filter = models::interpolation::bilinear;  // Resize's
  long params = 0, macs = 0;  // at the native size, per image
  long activation_bytes = 0;  // the memory plan's peak per image (memory_plan_v<M>)
  void (*print_summary)(std::ostream&, int max_depth) = nullptr;
  ir::node (*lower)() = nullptr;  // the static body's description, for the dynamic graph at any size
  weight_store (*load_weights)(const std::string& path) = nullptr;  // checked against the static type
  weight_store (*seeded_weights)(std::uint64_t seed) = nullptr;
  // executor<M>: the static graph at the native size.
  std::shared_ptr<typenet::detail::executor_core> (*make_static)(const weight_store&, executor_options) = nullptr;
};

// Fills the rows of models Shard, Shard + TYPENET_ZOO_SHARDS, ...: defined in zoo_shard.cpp,
// explicitly instantiated once per shard.
template <int Shard>
void fill_zoo_shard(std::span<zoo_model> rows);

}  // namespace typenet::cli
