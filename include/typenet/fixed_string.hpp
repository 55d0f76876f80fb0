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
template <fixed_string Prefix, int... I>
constexpr auto numbered_name() {
  static_assert(sizeof...(I) > 0, "typenet::numbered: give at least one number");
  static_assert(((I >= 0) && ...), "typenet::numbered: the numbers must be non-negative");
  constexpr std::size_t length = Prefix.view().size() + (decimal_digits(I) + ...) + sizeof...(I) - 1;
  fixed_string<length + 1> s;
  std::size_t at = 0;
  for (char c : Prefix.view()) s.data[at++] = c;
  bool first = true;
  for (int n : {I...}) {
    if (!first) s.data[at++] = '-';
    first = false;
    const std::size_t digits = decimal_digits(n);
    at += digits;
    for (std::size_t k = 1; k <= digits; ++k, n /= 10) s.data[at - k] = char('0' + n % 10);
  }
  return s;
}
}  // namespace detail

// numbered<"denselayer", 3> is "denselayer3", numbered<"block", 3, 11> is "block3-11": the numbered
// names of torchvision's module lists (RegNet joins a stage's and a block's number with '-').
template <fixed_string Prefix, int... I>
inline constexpr auto numbered = detail::numbered_name<Prefix, I...>();

}  // namespace typenet
