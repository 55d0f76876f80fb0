#pragma once
// The dynamic front end: a model as a run-time value, the same description (ir::node) that a
// static model type lowers to, checked when it is constructed rather than when it is compiled,
// with the same rules and messages. Layers are built by the functions beside each layer kind
// (dynamic::conv2d(64, 7, 2, 3), dynamic::sequential({...}), ...), or lowered from any static
// layer type (typenet::lower<resnext::block<128, 1, true>>()).
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "../runtime/weights.hpp"
#include "../summary.hpp"

namespace typenet::dynamic {

namespace rule {
TYPENET_RULE(input_positive, "typenet::input: every dimension must be positive", "{}x{}x{}");
}  // namespace rule

// An input shape and a layer tree, checked on construction (shape_error for the first broken rule).
class model {
 public:
  model(dims input, layer body) : input_(input), body_(std::make_shared<const layer>(std::move(body))) {
    if (!(input.channels > 0 && input.height > 0 && input.width > 0))
      throw shape_error("input: " + std::string(rule::input_positive::text) + " (" + std::to_string(input.channels) + "x" +
                        std::to_string(input.height) + "x" + std::to_string(input.width) + ")");
    resolved_ = std::make_shared<const ir::resolved>(ir::resolve(*body_, input_));
    specs_ = ir::tensor_specs(*resolved_);
  }

  // The dynamic twin of a static model type.
  template <model_type M>
  static model of() {
    return model(M::input_shape::dims, lower<typename M::body>());
  }

  dims input_shape() const { return input_; }
  dims output_shape() const { return resolved_->out; }
  long param_count() const { return resolved_->params; }
  long macs() const { return resolved_->macs; }  // per image
  // The activation memory per image of its fused plan, made at run time without weights: what a
  // dynamic::executor allocates per image (memory_plan_v<M> for a static model, at compile time).
  typenet::memory_plan memory() const { return ir::plan_memory(*body_, input_); }
  const std::vector<tensor_spec>& tensor_specs() const { return specs_; }
  const layer& body() const { return *body_; }
  const ir::resolved& resolved() const { return *resolved_; }

  // One row per visible layer, as summary_v<M> for a static model (whose body, an unnamed
  // sequential of the model's layers, is not a row; any other body is).
  std::vector<summary_row> summary() const {
    std::vector<summary_row> rows;
    const bool model_list = !body_->name && body_->kind() == "sequential";
    typenet::detail::write_rows(*resolved_, rows, 0, model_list ? -1 : 0);
    return rows;
  }

 private:
  dims input_;
  std::shared_ptr<const layer> body_;  // shared: resolved_ points into it, copies stay valid
  std::shared_ptr<const ir::resolved> resolved_;
  std::vector<tensor_spec> specs_;
};

// The same table as typenet::print_summary<M>.
inline void print_summary(const model& m, std::ostream& os, std::string_view title = "model", int max_depth = -1) {
  const auto rows = m.summary();
  typenet::detail::print_table(os, title, m.input_shape(), m.output_shape(), rows, m.param_count(), m.macs(), max_depth, m.memory());
}

// A torchvision safetensors file with the same name, shape and dtype checks as load_weights<M>.
inline weight_store load_weights(const model& m, const std::string& path) { return typenet::load_weights(m.tensor_specs(), path); }

// Deterministic weights: the same as typenet::seeded_weights<M>(seed) for its static twin.
inline weight_store seeded_weights(const model& m, std::uint64_t seed) { return typenet::seeded_weights(m.tensor_specs(), seed); }

}  // namespace typenet::dynamic
