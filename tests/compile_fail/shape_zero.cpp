// EXPECT: typenet::shape: every dimension must be positive
#include <typenet/typenet.hpp>
typenet::shape<64, 0, 56> empty;
