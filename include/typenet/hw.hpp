#pragma once
// hw: a height x width pair for window sizes, strides and paddings. A plain int converts to the
// square pair, so conv2d<64, 3, 2, 1> and conv2d<192, hw{1, 7}, 1, hw{0, 3}> are both spelled as
// PyTorch spells kernel_size=3 and kernel_size=(1, 7). A structural type: usable as a template
// argument.
namespace typenet {

struct hw {
  int h = 0, w = 0;
  constexpr hw(int both) : h(both), w(both) {}  // NOLINT: implicit on purpose (3 means 3x3)
  constexpr hw(int height, int width) : h(height), w(width) {}
  constexpr bool square() const { return h == w; }
  friend constexpr bool operator==(const hw&, const hw&) = default;
};

}  // namespace typenet
