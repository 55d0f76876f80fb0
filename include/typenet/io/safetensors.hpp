#pragma once
// Reader and writer for the safetensors format (https://github.com/huggingface/safetensors):
//   u64 little-endian N | N bytes of JSON header | data section
// The header maps tensor name -> {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative
// to the data section), plus an optional "__metadata__" object of strings.
// Everything read from the file is validated before use: a broken file gives an io_error naming
// the file and the exact problem, never undefined behaviour.
#include <algorithm>
#include <bit>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dims.hpp"
#include "error.hpp"
#include "mapped_file.hpp"

namespace typenet::io {

struct tensor_info {
  std::string name;
  std::string dtype;        // as spelled in the file: "F32", "I64", ... (unknown names are kept)
  std::vector<long> shape;
  std::size_t begin = 0, end = 0;  // byte range in the data section
  long numel() const { return element_count(shape); }
};

}  // namespace typenet::io

namespace typenet::io::detail {

static_assert(std::endian::native == std::endian::little,
              "safetensors/npy data is little-endian; big-endian hosts would need byte swapping");

// ---- a minimal JSON parser: enough for safetensors headers, strict about everything else ----
// It builds no document: a header is read twice, first checked as a whole (syntax, depth, duplicate
// keys; the first error in file order wins), then walked member by member into the tensor table.
// Memory stays proportional to the header (a DOM took 70 bytes per byte of a 20 MB header).

struct json_error : std::runtime_error {
  std::size_t pos;
  json_error(std::size_t p, const std::string& what) : std::runtime_error(what), pos(p) {}
};

class json_parser {
 public:
  explicit json_parser(std::string_view s) : s_(s) {}

  // Pass 1: the text is one JSON value surrounded by optional whitespace (the format pads headers
  // with spaces) and no object repeats a key. Throws json_error at the first problem.
  void validate() {
    i_ = 0;
    skip_value(0, true);
    skip_ws();
    if (i_ != s_.size()) error("unexpected characters after the JSON value");
    i_ = 0;
  }

  // Pass 2, over a validated text: the next value's first character (after whitespace).
  char next() {
    skip_ws();
    return peek();
  }
  // Calls member(key) at each member's value, which it must consume (read or skip()).
  template <class F>
  void members(F&& member) {
    items('{', '}', [&] {
      skip_ws();
      std::string key;
      string_into(key);
      expect(':');
      member(std::move(key));
    });
  }
  // Calls element() at each element, which it must consume.
  template <class F>
  void elements(F&& element) {
    items('[', ']', element);
  }
  std::string string() {
    skip_ws();
    std::string out;
    string_into(out);
    return out;
  }
  std::string_view number() {
    skip_ws();
    return number_token();
  }
  void skip() { skip_value(0, false); }

 private:
  static constexpr int max_depth = 64;  // a hostile header must not overflow the stack

  // The keys of one object so far, for the duplicate check: open addressing over (position of
  // the key's opening quote, hash of its decoded text), 16 bytes a key at most; a key's text is
  // decoded again only when its hash matches.
  class key_set {
   public:
    // Whether `key` (decoded, its quote at `pos`) is new; records it if so.
    bool insert(json_parser& p, std::uint32_t pos, const std::string& key) {
      const std::uint32_t h = std::uint32_t(std::hash<std::string_view>{}(key)) | 1u;  // 0 marks a free slot
      if ((count_ + 1) * 2 > slots_.size()) grow();
      std::size_t at = h & (slots_.size() - 1);
      for (; slots_[at].hash != 0; at = (at + 1) & (slots_.size() - 1))
        if (slots_[at].hash == h && p.key_at(slots_[at].pos) == key) return false;
      slots_[at] = {pos, h};
      ++count_;
      return true;
    }

   private:
    struct slot {
      std::uint32_t pos = 0, hash = 0;
    };
    void grow() {
      std::vector<slot> old(std::max<std::size_t>(8, slots_.size() * 2));
      old.swap(slots_);
      for (const slot& s : old)
        if (s.hash != 0) {
          std::size_t at = s.hash & (slots_.size() - 1);
          while (slots_[at].hash != 0) at = (at + 1) & (slots_.size() - 1);
          slots_[at] = s;
        }
    }
    std::vector<slot> slots_;
    std::size_t count_ = 0;
  };

  // An object's or array's items, separated by commas, between `open` and `close`.
  template <class F>
  void items(char open, char close, F&& item) {
    expect(open);
    if (next() == close) {
      ++i_;
      return;
    }
    for (;;) {
      item();
      if (next() == close) break;
      ++i_;  // ','
    }
    ++i_;
  }

  // The decoded key whose opening quote is at `pos` (already validated).
  const std::string& key_at(std::uint32_t pos) {
    const std::size_t here = i_;
    i_ = pos;
    string_into(earlier_key_);
    i_ = here;
    return earlier_key_;
  }

  [[noreturn]] void error(const std::string& what) const { throw json_error(i_, what); }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return s_[i_]; }
  void expect(char c) {
    skip_ws();
    if (at_end()) error(std::string("unexpected end of header, expected '") + c + "'");
    if (peek() != c) error(std::string("expected '") + c + "'");
    ++i_;
  }

  // Reads one value, building nothing; with `check_keys`, objects are checked for duplicate keys.
  void skip_value(int depth, bool check_keys) {
    if (depth > max_depth) error("nesting deeper than 64 levels");
    skip_ws();
    if (at_end()) error("unexpected end of header, expected a value");
    const char c = peek();
    if (c == '{') {
      ++i_;
      skip_ws();
      if (!at_end() && peek() == '}') {
        ++i_;
        return;
      }
      key_set keys;
      for (;;) {
        skip_ws();
        if (at_end() || peek() != '"') error("expected a string key");
        const auto pos = std::uint32_t(i_);
        string_into(key_);
        if (check_keys && !keys.insert(*this, pos, key_)) error("duplicate key \"" + printable(key_) + "\"");
        expect(':');
        skip_value(depth + 1, check_keys);
        skip_ws();
        if (at_end()) error("unexpected end of header inside an object");
        if (peek() == ',') { ++i_; continue; }
        if (peek() == '}') { ++i_; return; }
        error("expected ',' or '}'");
      }
    }
    if (c == '[') {
      ++i_;
      skip_ws();
      if (!at_end() && peek() == ']') {
        ++i_;
        return;
      }
      for (;;) {
        skip_value(depth + 1, check_keys);
        skip_ws();
        if (at_end()) error("unexpected end of header inside an array");
        if (peek() == ',') { ++i_; continue; }
        if (peek() == ']') { ++i_; return; }
        error("expected ',' or ']'");
      }
    }
    if (c == '"') {
      string_into(key_);
      return;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      number_token();
      return;
    }
    if (literal("true") || literal("false") || literal("null")) return;
    error("invalid value");
  }

  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  std::string_view number_token() {  // JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    const std::size_t start = i_;
    if (peek() == '-') ++i_;
    if (at_end() || !digit(peek())) error("invalid number");
    if (peek() == '0') ++i_;
    else while (!at_end() && digit(peek())) ++i_;
    if (!at_end() && peek() == '.') {
      ++i_;
      if (at_end() || !digit(peek())) error("invalid number");
      while (!at_end() && digit(peek())) ++i_;
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++i_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++i_;
      if (at_end() || !digit(peek())) error("invalid number");
      while (!at_end() && digit(peek())) ++i_;
    }
    return s_.substr(start, i_ - start);
  }

  unsigned hex4() {
    if (s_.size() - i_ < 4) error("truncated \\u escape");
    unsigned u = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = s_[i_++];
      u <<= 4;
      if (h >= '0' && h <= '9') u |= unsigned(h - '0');
      else if (h >= 'a' && h <= 'f') u |= unsigned(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') u |= unsigned(h - 'A' + 10);
      else error("invalid \\u escape");
    }
    return u;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }

  // The string at i_ (its opening quote) decoded into `out`.
  void string_into(std::string& out) {
    ++i_;  // opening quote
    out.clear();
    for (;;) {
      if (at_end()) error("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return;
      if (static_cast<unsigned char>(c) < 0x20) error("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end()) error("unterminated string");
      switch (s_[i_++]) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // UTF-16 surrogate pair
            if (s_.substr(i_, 2) != "\\u") error("unpaired surrogate in \\u escape");
            i_ += 2;
            const unsigned lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) error("unpaired surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            error("unpaired surrogate in \\u escape");
          }
          append_utf8(out, cp);
          break;
        }
        default: --i_; error("invalid escape sequence");
      }
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::string key_, earlier_key_;  // scratch for the duplicate check, reused
};

// A JSON number as a non-negative integer; false for anything else (negative, fractional,
// exponent, too large).
inline bool json_to_u64(std::string_view number, std::uint64_t& out) {
  const char* b = number.data();
  const char* e = b + number.size();
  const auto [p, ec] = std::from_chars(b, e, out);
  return ec == std::errc() && p == e;  // rejects '-', '.', 'e' and overflow
}

// Bytes per element of the dtypes safetensors defines; 0 for names we don't know.
inline std::size_t safetensors_dtype_size(std::string_view dtype) {
  struct entry { std::string_view name; std::size_t size; };
  static constexpr entry table[] = {
      {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"F8_E4M3", 1}, {"F8_E5M2", 1},
      {"I64", 8}, {"I32", 4}, {"I16", 2}, {"I8", 1},   {"U64", 8},     {"U32", 4},
      {"U16", 2}, {"U8", 1},  {"BOOL", 1}};
  for (const auto& e : table)
    if (e.name == dtype) return e.size;
  return 0;
}

inline void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[(c >> 4) & 0xF];
      out += hex[c & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace typenet::io::detail

namespace typenet::io {

class safetensors_file {
 public:
  // Upstream's MAX_HEADER_SIZE: a JSON header beyond it is refused before it is read or parsed.
  static constexpr std::uint64_t max_header_bytes = 100'000'000;

  // Reads and validates the header, then maps the file (mapped_file.hpp): F32 tensors are handed
  // out as spans into the mapping, so the data section is never copied as a whole.
  explicit safetensors_file(const std::string& path) : path_(path) {
    detail::file f(path, "rb");
    const std::uintmax_t file_size = f.size();
    if (file_size < 8)
      fail("file is too short (" + std::to_string(file_size) +
           " bytes) to hold the 8-byte header length");
    unsigned char len_bytes[8];
    f.read(len_bytes, 8, "the header length");
    std::uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | len_bytes[i];
    if (header_len > file_size - 8)
      fail("header length " + std::to_string(header_len) + " exceeds the " +
           std::to_string(file_size - 8) + " bytes that follow it");
    if (header_len > max_header_bytes)
      fail("header length " + std::to_string(header_len) + " exceeds the limit of " +
           std::to_string(max_header_bytes) + " bytes (the safetensors format's own)");
    std::string header(static_cast<std::size_t>(header_len), '\0');
    f.read(header.data(), header.size(), "the JSON header");
    data_size_ = static_cast<std::size_t>(file_size - 8 - header_len);
    parse_header(header);
    map_data(file_size, 8 + header_len);
  }

  const std::string& path() const { return path_; }
  const std::vector<tensor_info>& tensors() const { return tensors_; }
  // The mapped file: F32 spans point into it (except copies of unaligned tensors), and a caller
  // may release() the pages of a tensor it has finished with.
  const std::shared_ptr<const mapped_file>& mapping() const { return mapping_; }
  // The "__metadata__" object (empty when absent).
  const std::map<std::string, std::string, std::less<>>& metadata() const { return metadata_; }
  // Size of the data section in bytes.
  std::size_t data_size() const { return data_size_; }

  const tensor_info* find(std::string_view name) const {
    for (const auto& t : tensors_)
      if (t.name == name) return &t;
    return nullptr;
  }

  // The tensor's elements; it must be F32. `t` must come from this file (tensors() or find()),
  // or be an equal copy of such an entry.
  std::span<const float> floats(const tensor_info& t) const {
    const std::size_t i = index_of(t);
    if (t.dtype != "F32")
      fail("tensor '" + printable(t.name) + "' has dtype " + printable(t.dtype) + ", expected F32");
    return {float_ptrs_[i], static_cast<std::size_t>(t.numel())};
  }
  // Convenience: floats(*find(name)), with an error naming the tensor if it is absent.
  std::span<const float> floats(std::string_view name) const {
    const tensor_info* t = find(name);
    if (!t) fail("no tensor named '" + printable(name) + "'");
    return floats(*t);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw io_error(path_ + ": " + what); }

  // ---- the data section: mapped, not read (the header above is parsed first) ----
  void map_data(std::uintmax_t file_size, std::uint64_t data_start) {
    mapping_ = std::make_shared<const mapped_file>(path_, file_size);
    const std::byte* data = mapping_->data() + data_start;
    // An F32 tensor whose bytes are not 4-byte aligned in memory can't be viewed in place.
    float_ptrs_.resize(tensors_.size(), nullptr);
    for (std::size_t i = 0; i < tensors_.size(); ++i) {
      const tensor_info& t = tensors_[i];
      if (t.dtype != "F32") continue;
      if (reinterpret_cast<std::uintptr_t>(data + t.begin) % alignof(float) == 0) {
        float_ptrs_[i] = reinterpret_cast<const float*>(data + t.begin);
      } else if (t.end > t.begin) {
        auto& copy = realigned_.emplace_back(static_cast<std::size_t>(t.numel()));
        std::memcpy(copy.data(), data + t.begin, t.end - t.begin);
        float_ptrs_[i] = copy.data();
      }
    }
  }

  std::size_t index_of(const tensor_info& t) const {
    if (!tensors_.empty() && &t >= tensors_.data() && &t < tensors_.data() + tensors_.size())
      return static_cast<std::size_t>(&t - tensors_.data());
    const tensor_info* mine = find(t.name);
    if (!mine || mine->dtype != t.dtype || mine->begin != t.begin || mine->end != t.end ||
        mine->shape != t.shape)
      fail("tensor '" + printable(t.name) + "' does not belong to this file");
    return static_cast<std::size_t>(mine - tensors_.data());
  }

  void parse_header(const std::string& header) {
    detail::json_parser json(header);
    try {
      json.validate();
    } catch (const detail::json_error& e) {
      fail("malformed JSON header at byte " + std::to_string(e.pos) + ": " + e.what());
    }
    if (json.next() != '{') fail("the JSON header is not an object");
    json.members([&](std::string name) {
      if (name == "__metadata__") {
        if (json.next() != '{') fail("__metadata__ is not an object");
        json.members([&](std::string key) {
          if (json.next() != '"') fail("__metadata__ value for key '" + printable(key) + "' is not a string");
          metadata_.emplace(std::move(key), json.string());
        });
      } else {
        tensors_.push_back(parse_entry(std::move(name), json));
      }
    });

    // Tensors must not share bytes: overlapping ranges mean a corrupt or hostile file.
    std::vector<const tensor_info*> by_begin;
    for (const auto& t : tensors_)
      if (t.end > t.begin) by_begin.push_back(&t);
    std::sort(by_begin.begin(), by_begin.end(),
              [](const tensor_info* a, const tensor_info* b) { return a->begin < b->begin; });
    for (std::size_t i = 1; i < by_begin.size(); ++i)
      if (by_begin[i]->begin < by_begin[i - 1]->end)
        fail("tensors '" + printable(by_begin[i - 1]->name) + "' and '" + printable(by_begin[i]->name) +
             "' overlap in the data section");
  }

  // One tensor entry as read (members in any order), judged below in a fixed order.
  struct raw_entry {
    bool has_dtype = false, dtype_is_string = false;
    bool has_shape = false, shape_is_array = false;
    bool has_offsets = false, offsets_are_array = false;
    std::string shape_problem;  // the first bad dimension's message
    std::uint64_t numel = 1;
    int offset_count = 0;
    bool offsets_are_integers = true;
    std::uint64_t begin = 0, end = 0;
    std::string offsets_found;  // the elements as spelled, "?" for a non-number
  };

  // The next value: a number's spelling, or "" after skipping anything else.
  static std::string_view number_or_skip(detail::json_parser& json) {
    const char c = json.next();
    if (c == '-' || (c >= '0' && c <= '9')) return json.number();
    json.skip();
    return {};
  }

  tensor_info parse_entry(std::string name, detail::json_parser& json) const {
    const std::string where = "tensor '" + printable(name) + "'";
    if (json.next() != '{') fail(where + ": entry is not an object");
    tensor_info t;
    t.name = std::move(name);
    raw_entry raw;
    json.members([&](std::string key) {
      if (key == "dtype") {
        raw.has_dtype = true;
        raw.dtype_is_string = json.next() == '"';
        if (raw.dtype_is_string) t.dtype = json.string(); else json.skip();
      } else if (key == "shape") {
        raw.has_shape = true;
        raw.shape_is_array = json.next() == '[';
        if (!raw.shape_is_array) return json.skip();
        json.elements([&] {
          const std::string_view number = number_or_skip(json);
          if (!raw.shape_problem.empty()) return;
          std::uint64_t dim = 0;
          if (!detail::json_to_u64(number, dim))
            raw.shape_problem = where + ": \"shape\" is not an array of non-negative integers (found " +
                                (number.empty() ? std::string("a non-number") : std::string(number)) + ")";
          else if (dim > static_cast<std::uint64_t>(std::numeric_limits<long>::max()) ||
                   (dim != 0 && raw.numel > static_cast<std::uint64_t>(std::numeric_limits<long>::max()) / dim))
            raw.shape_problem = where + ": shape is too large";
          else
            raw.numel *= dim, t.shape.push_back(static_cast<long>(dim));
        });
      } else if (key == "data_offsets") {
        raw.has_offsets = true;
        raw.offsets_are_array = json.next() == '[';
        if (!raw.offsets_are_array) return json.skip();
        json.elements([&] {
          const std::string_view number = number_or_skip(json);
          raw.offsets_found += (raw.offset_count ? ", " : "") + (number.empty() ? std::string("?") : std::string(number));
          if (raw.offset_count < 2)
            raw.offsets_are_integers = detail::json_to_u64(number, raw.offset_count == 0 ? raw.begin : raw.end) &&
                                       raw.offsets_are_integers;
          ++raw.offset_count;
        });
      } else {
        json.skip();
      }
    });

    if (!raw.has_dtype) fail(where + ": missing \"dtype\"");
    if (!raw.dtype_is_string) fail(where + ": \"dtype\" is not a string");
    if (!raw.has_shape) fail(where + ": missing \"shape\"");
    if (!raw.shape_is_array) fail(where + ": \"shape\" is not an array of non-negative integers");
    if (!raw.shape_problem.empty()) fail(raw.shape_problem);
    const std::uint64_t numel = raw.numel;

    if (!raw.has_offsets) fail(where + ": missing \"data_offsets\"");
    const std::uint64_t begin = raw.begin, end = raw.end;
    if (!raw.offsets_are_array || raw.offset_count != 2 || !raw.offsets_are_integers)
      fail(where + ": \"data_offsets\" must be two non-negative integers [begin, end]" +
           (raw.offsets_are_array ? " (found [" + raw.offsets_found + "])" : std::string()));
    const std::string offsets =
        "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "]";
    if (begin > end) fail(where + " " + offsets + " are reversed (begin > end)");
    if (end > data_size_)
      fail(where + " " + offsets + " exceed the data section (" + std::to_string(data_size_) +
           " bytes)");
    t.begin = static_cast<std::size_t>(begin);
    t.end = static_cast<std::size_t>(end);

    // Unknown dtypes are kept (a caller may not need that tensor), so their size can't be checked.
    if (const std::size_t elem = detail::safetensors_dtype_size(t.dtype)) {
      const std::uint64_t bytes = end - begin;
      // The byte count can pass 2^64 ([2^61, 2] of F32): say so rather than print it wrapped.
      const bool overflows = numel > std::numeric_limits<std::uint64_t>::max() / elem;
      if (overflows || bytes != numel * elem)
        fail(where + " " + offsets + " hold " + std::to_string(bytes) + " bytes, but shape " +
             shape_string(t.shape) + " of " + t.dtype + " needs " +
             (overflows ? std::to_string(numel) + " x " + std::to_string(elem) + " bytes (more than 2^64)"
                        : std::to_string(numel * elem)));
    }
    return t;
  }

  std::string path_;
  std::vector<tensor_info> tensors_;
  std::map<std::string, std::string, std::less<>> metadata_;
  std::size_t data_size_ = 0;
  std::shared_ptr<const mapped_file> mapping_;
  std::vector<const float*> float_ptrs_;           // per tensor; null unless F32
  std::vector<std::vector<float>> realigned_;      // copies of F32 tensors at unaligned offsets
};

// ---- writer (tests and tools): every tensor is written as F32 ----

struct tensor_view {
  std::string name;
  std::vector<long> shape;
  const float* data;
};

inline void write_safetensors(const std::string& path, const std::vector<tensor_view>& tensors,
                              const std::map<std::string, std::string>& metadata = {}) {
  std::string header = "{";
  bool first = true;
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    for (const auto& [k, v] : metadata) {
      if (!first) header += ',';
      first = false;
      detail::append_json_string(header, k);
      header += ':';
      detail::append_json_string(header, v);
    }
    header += '}';
    first = false;
  }
  std::vector<std::string> names;
  std::size_t offset = 0;
  for (const auto& t : tensors) {
    if (t.name == "__metadata__")
      throw std::invalid_argument("write_safetensors: '__metadata__' is not a valid tensor name");
    if (std::find(names.begin(), names.end(), t.name) != names.end())
      throw std::invalid_argument("write_safetensors: duplicate tensor name '" + t.name + "'");
    names.push_back(t.name);
    long n = 1;
    for (long d : t.shape) {
      if (d < 0)
        throw std::invalid_argument("write_safetensors: tensor '" + t.name +
                                    "' has a negative dimension");
      n *= d;
    }
    if (n > 0 && !t.data)
      throw std::invalid_argument("write_safetensors: tensor '" + t.name + "' has no data");
    const std::size_t bytes = static_cast<std::size_t>(n) * sizeof(float);
    if (!first) header += ',';
    first = false;
    detail::append_json_string(header, t.name);
    header += ":{\"dtype\":\"F32\",\"shape\":[";
    for (std::size_t i = 0; i < t.shape.size(); ++i)
      header += (i ? "," : "") + std::to_string(t.shape[i]);
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += '}';
  // Pad with spaces (valid JSON whitespace) so the data section starts 8-byte aligned, like the
  // reference implementation does.
  header.append((8 - header.size() % 8) % 8, ' ');

  detail::atomic_file_writer f(path);  // all or nothing, like write_npy
  unsigned char len_bytes[8];
  std::uint64_t len = header.size();
  for (int i = 0; i < 8; ++i, len >>= 8) len_bytes[i] = static_cast<unsigned char>(len & 0xFF);
  f.write(len_bytes, 8);
  f.write(header.data(), header.size());
  for (const auto& t : tensors) {
    long n = 1;
    for (long d : t.shape) n *= d;
    f.write(t.data, static_cast<std::size_t>(n) * sizeof(float));
  }
  f.commit();
}

}  // namespace typenet::io
