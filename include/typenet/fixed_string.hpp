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

namespace detail {
constexpr std::size_t decimal_digits(int i) { return i < 10 ? 1 : 1 + decimal_digits(i / 10); }
template <fixed_string Prefix, int I>
constexpr auto numbered_name() {
  static_assert(I >= 0, "typenet::numbered: the number must be non-negative");
  constexpr std::size_t prefix = Prefix.view().size(), digits = decimal_digits(I);
  fixed_string<prefix + digits + 1> s;
  for (std::size_t i = 0; i < prefix; ++i) s.data[i] = Prefix.data[i];
  for (std::size_t i = 0, n = std::size_t(I); i < digits; ++i, n /= 10) s.data[prefix + digits - 1 - i] = char('0' + n % 10);
  return s;
}
}  // namespace detail

// numbered<"denselayer", 3> is "denselayer3": the numbered names of torchvision's module lists.
template <fixed_string Prefix, int I>
inline constexpr auto numbered = detail::numbered_name<Prefix, I>();

}  // namespace typenet
