// EXPECT: template constraint failure for .*typenet::model.*layer<Layers>.*int.*evaluated to .false
// EXPECT-CLANG: because .int. does not satisfy .layer.
// The layer protocol is a concept (typenet::layer, layer.hpp) that model<> and every entry point
// check: a type that is not a layer is refused where it is named, in the concept's words.
#include <typenet/typenet.hpp>
using namespace typenet;
using not_a_network = model<input<3, 8, 8>, conv2d<4, 3>, int>;
not_a_network* pointer = nullptr;
