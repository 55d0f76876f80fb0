#pragma once
// The pooling layers.
#include "adaptive_avg_pool.hpp"
#include "avg_pool.hpp"
#include "global_avg_pool.hpp"
#include "max_pool.hpp"
