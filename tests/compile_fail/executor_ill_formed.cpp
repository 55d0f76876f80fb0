// EXPECT: resnext::block: identity shortcut needs input channels == 2\*Filters.*shape_mismatch<.*>, 64, 256>
// An ill-formed model cannot be run either: the executor names the same first error.
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>
using namespace typenet;
using broken = model<input<64, 56, 56>, resnext::block<128, 1, false>>;
void run(const weight_store& w) { executor<broken> e(w); }
