#pragma once
// The dynamic front end's executor: the same planner, fusion pass, buffers, threads and kernels
// as typenet::executor<M>; sizes are member functions, and tensors carry their shape at run time
// (checked by forward() with the words of the static front end's compile-time rules). The same
// concurrency contract (runtime/executor.hpp): one forward() at a time per executor.
#include "../runtime/executor.hpp"
#include "model.hpp"
#include "models.hpp"

namespace typenet::dynamic {

// `batch` images of shape `shape` at `data` ([batch][C][H][W] floats, owned by the caller).
template <class T>
struct basic_tensor_view {
  T* data = nullptr;
  int batch = 0;
  dims shape;
  long size() const { return shape.size() * batch; }  // floats
};
using tensor_view = basic_tensor_view<float>;
using const_tensor_view = basic_tensor_view<const float>;

class executor : public typenet::detail::executor_core {
 public:
  executor(const model& m, const weight_store& weights, executor_options options = {}) : typenet::detail::executor_core(options) {
    build(m.body(), m.input_shape(), weights);
  }
  // Another executor on `other`'s plan, as typenet::executor<M>(other, options): shared packed
  // weights, its own threads and buffers, so both may run forward() at the same time.
  executor(const executor& other, executor_options options) : typenet::detail::executor_core(other, options) {}

  using typenet::detail::executor_core::forward;

  // Runs input.batch images into `output`: both shapes must be the model's and the batches equal
  // (shape_error: "executor::forward: the input tensor's shape must be the model's input shape
  // (tensor 3x160x192, model 3x224x224)"). No allocation.
  void forward(const_tensor_view input, tensor_view output) {
    typenet::detail::check_shape<typenet::rule::forward_input_shape>(input.shape, input_shape());
    typenet::detail::check_shape<typenet::rule::forward_output_shape>(output.shape, output_shape());
    typenet::detail::check_batches(input.batch, output.batch);
    forward(input.data, output.data, input.batch);
  }
  void forward(tensor_view input, tensor_view output) { forward(const_tensor_view{input.data, input.batch, input.shape}, output); }
};

}  // namespace typenet::dynamic
