#pragma once
// Tensor dimensions as files and messages carry them: a run-time list of extents. And how every
// message shows text that came from a file (tensor names, keys, dtypes): printable().
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace typenet::io {

inline long element_count(const std::vector<long>& shape) {
  long n = 1;
  for (long d : shape) n *= d;
  return n;
}

// "[2, 3, 224, 224]": how every typenet message prints a shape.
inline std::string shape_string(const std::vector<long>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Text from a file, safe to print on a terminal: control characters (C0, DEL, and the C1 range
// U+0080..U+009F, which terminals obey too), bytes that are not well-formed UTF-8 and the
// backslash itself come out escaped (\x1b, \u009b, \\); everything else, Unicode included, as is.
inline std::string printable(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  const auto escape = [&](const char* prefix, std::uint32_t v, int digits) {
    out += prefix;
    for (int d = digits - 1; d >= 0; --d) out += hex[(v >> (4 * d)) & 0xF];
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      out += "\\\\";
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      escape("\\x", c, 2);
      ++i;
    } else if (c < 0x80) {
      out += char(c);
      ++i;
    } else {  // a UTF-8 sequence: its length from the lead byte, then the code point's range
      const std::size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
      std::uint32_t cp = len == 2 ? c & 0x1Fu : len == 3 ? c & 0x0Fu : c & 0x07u;
      bool ok = len != 0 && i + len <= s.size();
      for (std::size_t k = 1; ok && k < len; ++k) {
        const auto t = static_cast<unsigned char>(s[i + k]);
        ok = (t & 0xC0) == 0x80;
        cp = (cp << 6) | (t & 0x3Fu);
      }
      ok = ok && (len != 3 || (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF))) &&
           (len != 4 || (cp >= 0x10000 && cp <= 0x10FFFF));
      if (!ok) {
        escape("\\x", c, 2);
        ++i;
      } else {
        if (cp <= 0x9F) escape("\\u", cp, 4);
        else out.append(s.substr(i, len));
        i += len;
      }
    }
  }
  return out;
}

}  // namespace typenet::io
