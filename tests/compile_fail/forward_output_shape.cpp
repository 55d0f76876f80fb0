// EXPECT: static assertion failed: executor::forward: the output tensor's shape must be the model's output shape.*tensor_shape_mismatch<typenet::shape<10, 1, 1>, typenet::shape<1000, 1, 1> >
// EXPECT-CLANG: static_assert failed due to requirement .*tensor_shape_mismatch<typenet::shape<10, 1, 1>, typenet::shape<1000, 1, 1>>.*executor::forward: the output tensor's shape must be the model's output shape
// Logits for 10 classes from a 1000-class model.
#include <typenet/models/resnet.hpp>
#include <typenet/runtime/executor.hpp>
void run(typenet::executor<typenet::models::resnet18>& e, const typenet::tensor<typenet::shape<3, 224, 224>>& image,
         typenet::tensor<typenet::shape<10, 1, 1>>& logits) {
  e.forward(image, logits);
}
