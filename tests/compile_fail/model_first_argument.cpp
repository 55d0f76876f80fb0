// EXPECT: typenet::model: the first argument must be typenet::input<C, H, W>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<shape<3, 8, 8>, relu>;
broken m;
