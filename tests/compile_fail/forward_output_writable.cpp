// EXPECT: static assertion failed: executor::forward: the output tensor must be writable
// EXPECT-CLANG: static_assert failed due to requirement .*tensor_shape_mismatch<typenet::shape<1000, 1, 1>, typenet::shape<1000, 1, 1>>.*executor::forward: the output tensor must be writable
// A read-only view as the output.
#include <typenet/models/resnet.hpp>
#include <typenet/runtime/executor.hpp>
void run(typenet::executor<typenet::models::resnet18>& e, const typenet::tensor<typenet::shape<3, 224, 224>>& image,
         typenet::tensor_view<const typenet::shape<1000, 1, 1>> logits) {
  e.forward(image, logits);
}
