#pragma once
// The call behind concat, channel_split and channel_shuffle: a copy of whole channel planes by a
// table (kernels/channels.hpp). Those op kinds only say which input channel each output channel is.
#include <memory>
#include <vector>

#include "../kernels/channels.hpp"
#include "../layer.hpp"

namespace typenet::detail {

// What a gather offers the placement: it reads and writes channel slices; a concat's output is
// its inputs stacked, so an input placed in its slice is not copied.
inline constexpr runtime::fusion_traits gather_fusion{.slice_inputs = runtime::io::max_inputs, .slice_output = true};
inline constexpr runtime::fusion_traits concat_fusion{.slice_inputs = runtime::io::max_inputs, .slice_output = true, .concat = true};

class gather_call final : public runtime::call {
 public:
  gather_call(long plane, std::vector<kernels::channel_source> table, bool concat)
      : plane_(plane), table_(std::move(table)), concat_(concat) {}
  // A copy is exact: the reference and the fast path are the same loop.
  void run(const runtime::io& x, int batch, kernels::part p) const override {
    kernels::gather_channels(plane_, table_.data(), int(table_.size()), x.in, x.in_stride, x.in_place, x.out, x.out_stride, batch, p);
  }
  int slice_inputs() const override { return gather_fusion.slice_inputs; }
  bool slice_output() const override { return gather_fusion.slice_output; }
  bool is_concat() const override { return concat_; }

 private:
  long plane_;
  std::vector<kernels::channel_source> table_;
  bool concat_;
};

// Appends the gather computing ctx.out from `inputs` by `table` (concat: the inputs stacked).
inline runtime::value emit_gather(ir::emit_context& ctx, std::vector<runtime::value> inputs,
                                  std::vector<kernels::channel_source> table, bool concat = false) {
  const long plane = long(ctx.out.height) * ctx.out.width;
  return ctx.add(std::make_shared<gather_call>(plane, std::move(table), concat), std::move(inputs));
}

}  // namespace typenet::detail
