#pragma once
// The pooling layers.
#include "global_avg_pool.hpp"
#include "max_pool.hpp"
