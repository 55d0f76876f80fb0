// Uses the installed typenet through find_package: prints a value computed by the library.
#include <typenet/typenet.hpp>

#include <cstdio>

int main() {
  constexpr long params = typenet::param_count_v<typenet::models::resnext50_32x4d>;
  static_assert(params == 25028904, "torchvision's resnext50_32x4d has 25,028,904 parameters");
  std::printf("typenet consumer: resnext50_32x4d has %ld parameters\n", params);
  return params == 25028904 ? 0 : 1;
}
