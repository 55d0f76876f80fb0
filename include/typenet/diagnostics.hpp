#pragma once
// How typenet reports a broken model, for both front ends from one description.
//
// A rule is declared once with TYPENET_RULE(name, "api: text", "detail with {} for each number").
// An op kind's check() returns a `verdict`: which of its rules broke, with the numbers, or ok.
//   - The dynamic front end throws shape_error: "<path>: <text> (<detail>)".
//   - The static front end fires the rule's static_assert with the same text (the first error),
//     instantiated with detail::shape_mismatch<...> that shows the numbers (and on GCC the dotted
//     path of the failing layer and the formatted detail).
// Checks stop at the first broken rule, so one mistake gives one error.
#include <array>
#include <cstddef>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "fixed_string.hpp"

namespace typenet {

// A model that breaks a rule, found at run time: "<dotted path>: <rule text> (<labelled numbers>)".
struct shape_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// The result of checking a layer (or a whole model): ok, or the first broken rule.
struct verdict {
  static constexpr int max_values = 8, max_path = 120, max_depth = 24;
  int rule = -1;                 // index into the failing op kind's rules; -1: every rule holds
  int count = 0;                 // numbers of the broken rule (its detail's {} in order)
  long values[max_values] = {};
  char path[max_path] = {};      // dotted path of the failing layer, relative to the checked one
  int path_len = 0;
  int trail[max_depth] = {};     // child indices from the checked layer down to the failing one
  int depth = 0;

  constexpr bool ok() const { return rule < 0; }
  constexpr std::string_view where() const { return {path, std::size_t(path_len)}; }

  // Called by a composite on the verdict of its child `index`: `name` is the child's own name,
  // if it has one ("" makes it transparent); an unnamed child is called by its index.
  constexpr verdict& inside(int index, std::string_view name, bool named) {
    if (depth < max_depth) {
      for (int d = depth; d > 0; --d) trail[d] = trail[d - 1];
      trail[0] = index, ++depth;
    }
    char digits[12] = {};
    int nd = 0;
    for (int x = index; nd == 0 || x > 0; x /= 10) digits[nd++] = char('0' + x % 10);
    char number[12] = {};
    for (int i = 0; i < nd; ++i) number[i] = digits[nd - 1 - i];
    const std::string_view segment = named ? name : std::string_view(number, std::size_t(nd));
    if (!segment.empty()) {
      char joined[max_path] = {};
      int n = 0;
      for (char c : segment)
        if (n < max_path - 1) joined[n++] = c;
      if (path_len && n < max_path - 1) joined[n++] = '.';
      for (int i = 0; i < path_len && n < max_path - 1; ++i) joined[n++] = path[i];
      for (int i = 0; i < max_path; ++i) path[i] = joined[i];
      path_len = n;
    }
    return *this;
  }
};

// The rules an op kind can report, in one list; check() names a rule by its type.
template <class... Rules>
struct rule_list {
  static constexpr int size = sizeof...(Rules);
  static constexpr std::array<std::string_view, size> texts{Rules::text...};
  static constexpr std::array<std::string_view, size> details{Rules::detail...};

  template <class R>
  static constexpr verdict broken(std::initializer_list<long> values) {
    constexpr bool match[] = {std::is_same_v<R, Rules>...};
    verdict v;
    for (int i = 0; i < size; ++i)
      if (match[i]) v.rule = i;
    for (long x : values)
      if (v.count < verdict::max_values) v.values[v.count++] = x;
    return v;
  }
};

namespace detail {
template <class>
inline constexpr bool always_false = false;

// Never defined: the context of a failed rule's static_assert. Its arguments are what the
// compiler prints: the failing layer's type and the rule's numbers, and on GCC also the dotted
// path of the failing layer and the labelled numbers (Clang prints strings as character codes).
#if defined(__clang__)
template <class Layer, long... Values>
struct shape_mismatch;
#else
template <fixed_string Path, fixed_string Detail, class Layer, long... Values>
struct shape_mismatch;
#endif

// "<detail with {} replaced by the values>", e.g. "branch 14x14, shortcut 28x28".
constexpr int format_detail(std::string_view detail, const verdict& v, char* out, int capacity) {
  int n = 0, next = 0;
  auto put = [&](char c) {
    if (n < capacity - 1) out[n] = c;
    ++n;
  };
  for (std::size_t i = 0; i < detail.size(); ++i) {
    if (detail[i] == '{' && i + 1 < detail.size() && detail[i + 1] == '}') {
      long x = next < v.count ? v.values[next] : 0;
      ++next, ++i;
      if (x < 0) put('-'), x = -x;
      char digits[24];
      int d = 0;
      do digits[d++] = char('0' + x % 10), x /= 10;
      while (x);
      while (d) put(digits[--d]);
    } else {
      put(detail[i]);
    }
  }
  if (capacity > 0) out[n < capacity ? n : capacity - 1] = '\0';
  return n;
}

inline std::string rule_message(std::string_view path, std::string_view text, std::string_view detail, const verdict& v) {
  char buffer[256];
  format_detail(detail, v, buffer, int(sizeof buffer));
  std::string message = std::string(path.empty() ? std::string_view("model") : path) + ": " + std::string(text);
  if (buffer[0] != '\0') message += std::string(" (") + buffer + ")";  // a rule without numbers adds nothing
  return message;
}
}  // namespace detail
}  // namespace typenet

// Declares a rule: a type with its text (which names the API and the rule), its detail (how its
// numbers read, one {} each) and the static_assert that reports it at compile time. The text is
// written once and used by both front ends.
#define TYPENET_RULE(Name, Text, Detail)                                                                \
  struct Name {                                                                                         \
    static constexpr std::string_view text = Text, detail = Detail;                                     \
    template <class Context>                                                                            \
    static constexpr void fail() { static_assert(::typenet::detail::always_false<Context>, Text); }     \
  }
