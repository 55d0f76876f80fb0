#pragma once
#include <cstddef>
#include <string_view>

namespace typenet {

// A string usable as a template argument: layer names such as named<"conv1", ...>.
template <std::size_t N>
struct fixed_string {
  char data[N]{};
  constexpr fixed_string() = default;
  constexpr fixed_string(const char (&s)[N]) {
    for (std::size_t i = 0; i < N; ++i) data[i] = s[i];
  }
  constexpr std::string_view view() const { return {data, N - 1}; }
};

}  // namespace typenet
