// EXPECT: static assertion failed: executor::forward: the input tensor's shape must be the model's input shape.*tensor_shape_mismatch<typenet::shape<3, 160, 192>, typenet::shape<3, 224, 224> >
// EXPECT-CLANG: static_assert failed due to requirement .*tensor_shape_mismatch<typenet::shape<3, 160, 192>, typenet::shape<3, 224, 224>>.*executor::forward: the input tensor's shape must be the model's input shape
// The case: a 3x160x192 image handed to the 224x224 ResNet-18 (with raw pointers it ran
// and returned garbage). A typed tensor of the wrong shape does not compile; both shapes show.
#include <typenet/models/resnet.hpp>
#include <typenet/runtime/executor.hpp>
void run(typenet::executor<typenet::models::resnet18>& e, typenet::tensor_view<const typenet::shape<3, 160, 192>> image,
         typenet::tensor<typenet::shape<1000, 1, 1>>& logits) {
  e.forward(image, logits);
}
