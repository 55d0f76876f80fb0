#pragma once
// The dynamic front end's executor: the same planner, fusion pass, buffers, threads and kernels
// as typenet::executor<M>; sizes are member functions.
#include "../runtime/executor.hpp"
#include "model.hpp"
#include "models.hpp"

namespace typenet::dynamic {

class executor : public typenet::detail::executor_core {
 public:
  executor(const model& m, const weight_store& weights, executor_options options = {}) : typenet::detail::executor_core(options) {
    build(m.body(), m.input_shape(), weights);
  }
};

}  // namespace typenet::dynamic
