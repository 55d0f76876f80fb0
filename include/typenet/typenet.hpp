#pragma once
// typenet: neural networks as C++ types. Everything public, in one include.
#include "shape.hpp"
#include "diagnostics.hpp"
#include "op.hpp"
#include "layer.hpp"
// The layer kinds: one file each (op kind, static layer, dynamic builder).
#include "layers/batch_norm.hpp"
#include "layers/conv2d.hpp"
#include "layers/global_avg_pool.hpp"
#include "layers/identity.hpp"
#include "layers/linear.hpp"
#include "layers/max_pool.hpp"
#include "layers/relu.hpp"
#include "layers/residual.hpp"
#include "layers/sequential.hpp"
// Blocks and models.
#include "blocks/bottleneck.hpp"
#include "blocks/resnet.hpp"
#include "blocks/resnext.hpp"
#include "model.hpp"
#include "models/resnet.hpp"
#include "models/resnext50.hpp"
#include "summary.hpp"
