#pragma once
// The call behind concat, channel_split and channel_shuffle: a copy of whole channel planes by a
// table (kernels/channels.hpp). Those op kinds only say which input channel each output channel is.
#include <memory>
#include <vector>

#include "../kernels/channels.hpp"
#include "../layer.hpp"

namespace typenet::detail {

class gather_call final : public runtime::call {
 public:
  gather_call(long plane, std::vector<kernels::channel_source> table, std::vector<int> in_channels)
      : plane_(plane), table_(std::move(table)), in_channels_(std::move(in_channels)) {}
  // A copy is exact: the reference and the fast path are the same loop.
  void run(const runtime::io& x, int batch, kernels::part p) const override {
    kernels::gather_channels(plane_, table_.data(), int(table_.size()), x.in, in_channels_.data(), x.out, batch, p);
  }

 private:
  long plane_;
  std::vector<kernels::channel_source> table_;
  std::vector<int> in_channels_;
};

// Appends the gather computing ctx.out from `inputs` (each with its channel count).
inline runtime::value emit_gather(ir::emit_context& ctx, std::vector<runtime::value> inputs, std::vector<int> in_channels,
                                  std::vector<kernels::channel_source> table) {
  const long plane = long(ctx.out.height) * ctx.out.width;
  return ctx.add(std::make_shared<gather_call>(plane, std::move(table), std::move(in_channels)), std::move(inputs));
}

}  // namespace typenet::detail
