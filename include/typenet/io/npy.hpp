#pragma once
// NumPy .npy files (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html),
// restricted to what typenet exchanges with PyTorch: C-order little-endian float32 arrays.
//   "\x93NUMPY" | major | minor | header length (u16 for v1, u32 for v2/v3) | header | data
// The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dims.hpp"
#include "error.hpp"

namespace typenet::io {

struct array {
  std::vector<long> shape;
  std::vector<float> data;  // C order
  long numel() const { return element_count(shape); }
};

}  // namespace typenet::io

namespace typenet::io::detail {

static_assert(std::endian::native == std::endian::little,
              "npy float32 data is read as little-endian; big-endian hosts would need byte swapping");

inline constexpr char npy_magic[] = "\x93NUMPY";  // 6 bytes + terminator

inline std::string npy_shape_string(const std::vector<long>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// Parser for the header's Python literal: a dict of str keys whose values are str, bool or a
// tuple of ints - exactly what numpy writes. Errors are reported as plain strings.
class npy_header_parser {
 public:
  struct result {
    std::string descr;
    bool fortran_order = false;
    std::vector<long> shape;
  };

  explicit npy_header_parser(std::string_view s) : s_(s) {}

  result parse() {
    result r;
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    for (;;) {
      skip_ws();
      if (peek() == '}') { ++i_; break; }
      const std::string key = parse_str();
      expect(':');
      skip_ws();
      if (key == "descr") {
        r.descr = peek() == '[' ? parse_list_text() : parse_str();  // a list: structured dtype
        have_descr = true;
      } else if (key == "fortran_order") {
        if (word("True")) r.fortran_order = true;
        else if (word("False")) r.fortran_order = false;
        else throw std::runtime_error("'fortran_order' is not True or False");
        have_order = true;
      } else if (key == "shape") {
        r.shape = parse_shape();
        have_shape = true;
      } else {
        throw std::runtime_error("unexpected key '" + printable(key) + "' in the header");
      }
      skip_ws();
      if (peek() == ',') { ++i_; continue; }
      if (peek() == '}') { ++i_; break; }
      throw std::runtime_error("expected ',' or '}' in the header dict");
    }
    skip_ws();
    if (i_ != s_.size()) throw std::runtime_error("unexpected characters after the header dict");
    if (!have_descr) throw std::runtime_error("the header has no 'descr'");
    if (!have_order) throw std::runtime_error("the header has no 'fortran_order'");
    if (!have_shape) throw std::runtime_error("the header has no 'shape'");
    return r;
  }

 private:
  char peek() const {
    if (i_ >= s_.size()) throw std::runtime_error("the header dict is incomplete");
    return s_[i_];
  }
  void skip_ws() {  // numpy pads with spaces and ends with '\n'
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  void expect(char c) {
    skip_ws();
    if (peek() != c) throw std::runtime_error(std::string("expected '") + c + "' in the header");
    ++i_;
  }
  bool word(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  std::string parse_str() {
    skip_ws();
    const char q = peek();
    if (q != '\'' && q != '"') throw std::runtime_error("expected a quoted string in the header");
    const std::size_t close = s_.find(q, i_ + 1);  // numpy's keys and dtype strings have no escapes
    if (close == std::string_view::npos) throw std::runtime_error("unterminated string in the header");
    std::string out(s_.substr(i_ + 1, close - i_ - 1));
    i_ = close + 1;
    return out;
  }
  // A structured dtype's list literal, kept verbatim so the error can show it.
  std::string parse_list_text() {
    const std::size_t start = i_;
    int depth = 0;
    do {
      const char c = peek();
      if (c == '[' || c == '(') ++depth;
      if (c == ']' || c == ')') --depth;
      ++i_;
    } while (depth > 0);
    return std::string(s_.substr(start, i_ - start));
  }
  std::vector<long> parse_shape() {
    std::vector<long> shape;
    expect('(');
    for (;;) {
      skip_ws();
      if (peek() == ')') { ++i_; return shape; }
      if (peek() < '0' || peek() > '9')
        throw std::runtime_error("'shape' is not a tuple of non-negative integers");
      long d = 0;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
        if (d > (std::numeric_limits<long>::max() - 9) / 10)
          throw std::runtime_error("'shape' has a dimension that is too large");
        d = d * 10 + (s_[i_++] - '0');
      }
      if (i_ < s_.size() && s_[i_] == 'L') ++i_;  // Python 2 long suffix, as old numpy wrote
      shape.push_back(d);
      skip_ws();
      if (peek() == ',') { ++i_; continue; }
      if (peek() == ')') { ++i_; return shape; }
      throw std::runtime_error("'shape' is not a tuple of non-negative integers");
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace typenet::io::detail

namespace typenet::io {

inline array read_npy(const std::string& path) {
  const std::string bytes = detail::read_whole_file(path);
  auto fail = [&](const std::string& what) -> void { throw io_error(path + ": " + what); };

  const std::string_view magic(detail::npy_magic, 6);
  if (std::string_view(bytes).substr(0, 6) != magic.substr(0, std::min<std::size_t>(6, bytes.size())) ||
      bytes.empty())
    fail("not an NPY file (bad magic; expected \"\\x93NUMPY\")");
  if (bytes.size() < 10) fail("file is truncated (" + std::to_string(bytes.size()) + " bytes, shorter than the NPY preamble)");
  const auto u8 = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])); };
  const unsigned major = u8(6), minor = u8(7);
  if (major < 1 || major > 3)
    fail("unsupported NPY format version " + std::to_string(major) + "." + std::to_string(minor));
  std::size_t header_len = 0, preamble = 10;
  if (major == 1) {
    header_len = u8(8) | (u8(9) << 8);
  } else {
    preamble = 12;
    if (bytes.size() < 12) fail("file is truncated (" + std::to_string(bytes.size()) + " bytes, shorter than the NPY preamble)");
    header_len = u8(8) | (u8(9) << 8) | (u8(10) << 16) | (u8(11) << 24);
  }
  if (header_len > bytes.size() - preamble)
    fail("file is truncated (header length " + std::to_string(header_len) + " exceeds the " +
         std::to_string(bytes.size() - preamble) + " bytes that follow the preamble)");

  detail::npy_header_parser::result h;
  try {
    h = detail::npy_header_parser(std::string_view(bytes).substr(preamble, header_len)).parse();
  } catch (const std::runtime_error& e) {
    fail(std::string("malformed header: ") + e.what());
  }
  if (h.descr != "<f4")
    fail("unsupported dtype '" + printable(h.descr) + "' (only little-endian float32 '<f4' is supported)");
  if (h.fortran_order)
    fail("Fortran-order arrays are not supported (save a C-contiguous array)");

  std::uint64_t numel = 1;
  for (long d : h.shape) {
    if (d != 0 && numel > static_cast<std::uint64_t>(std::numeric_limits<long>::max()) / sizeof(float) / static_cast<std::uint64_t>(d))
      fail("shape " + detail::npy_shape_string(h.shape) + " is too large");
    numel *= static_cast<std::uint64_t>(d);
  }
  const std::size_t data_at = preamble + header_len;
  const std::uint64_t need = numel * sizeof(float), have = bytes.size() - data_at;
  if (have < need)
    fail("data is truncated: shape " + detail::npy_shape_string(h.shape) + " needs " +
         std::to_string(need) + " bytes, the file has " + std::to_string(have));
  if (have > need)
    fail(std::to_string(have - need) + " unexpected bytes after the data of shape " +
         detail::npy_shape_string(h.shape));

  array a;
  a.shape = std::move(h.shape);
  a.data.resize(static_cast<std::size_t>(numel));
  if (numel) std::memcpy(a.data.data(), bytes.data() + data_at, static_cast<std::size_t>(need));
  return a;
}

inline array read_npy(const std::string& path, int expected_rank) {
  array a = read_npy(path);
  if (static_cast<long>(a.shape.size()) != expected_rank)
    throw io_error(path + ": expected a rank-" + std::to_string(expected_rank) +
                   " array, got shape " + detail::npy_shape_string(a.shape) + " (rank " +
                   std::to_string(a.shape.size()) + ")");
  return a;
}

inline void write_npy(const std::string& path, const std::vector<long>& shape, const float* data) {
  long n = 1;
  for (long d : shape) {
    if (d < 0) throw std::invalid_argument("write_npy: negative dimension in shape " + detail::npy_shape_string(shape));
    n *= d;
  }
  if (n > 0 && !data) throw std::invalid_argument("write_npy: null data for a non-empty array");
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " +
                       detail::npy_shape_string(shape) + ", }";
  // Like numpy: pad with spaces and a final '\n' so the data starts 64-byte aligned; fall back to
  // version 2 (u32 length) only if the header doesn't fit a u16.
  std::size_t preamble = 10;
  auto padded = [&] { return (header.size() + 1 + preamble + 63) / 64 * 64 - preamble; };
  if (padded() > 0xFFFF) preamble = 12;
  const std::size_t len = padded();
  header.append(len - header.size() - 1, ' ');
  header += '\n';

  std::string pre(detail::npy_magic, 6);
  pre += static_cast<char>(preamble == 10 ? 1 : 2);
  pre += '\0';
  for (std::size_t i = 0; i < preamble - 8; ++i) pre += static_cast<char>((len >> (8 * i)) & 0xFF);

  detail::atomic_file_writer f(path);  // all or nothing: a failed write leaves the old file
  f.write(pre.data(), pre.size());
  f.write(header.data(), header.size());
  f.write(data, static_cast<std::size_t>(n) * sizeof(float));
  f.commit();
}

}  // namespace typenet::io
