#pragma once
// The one exception type of typenet's file I/O, so callers can tell "bad or missing file" apart
// from programming errors. Messages always start with the file's path and say exactly what is
// wrong. Also the small stdio wrapper the readers and writers share.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace typenet::io {

struct io_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace typenet::io

namespace typenet::io::detail {

// RAII stdio file. stdio rather than iostreams because errno tells *why* an open or read failed.
class file {
 public:
  file(const std::string& path, const char* mode) : path_(path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw io_error(path + ": is a directory");
    f_ = std::fopen(path.c_str(), mode);
    if (!f_) fail("cannot open file");
  }
  ~file() {
    if (f_) std::fclose(f_);
  }
  file(const file&) = delete;
  file& operator=(const file&) = delete;

  const std::string& path() const { return path_; }

  std::uintmax_t size() const {
    std::error_code ec;
    const auto n = std::filesystem::file_size(path_, ec);
    if (ec) throw io_error(path_ + ": cannot determine the file size (" + ec.message() + ")");
    return n;
  }
  // Reads exactly n bytes; a short read is "truncated", naming `what` was being read.
  void read(void* p, std::size_t n, const char* what) {
    if (n == 0) return;
    if (std::fread(p, 1, n, f_) != n) {
      if (std::ferror(f_)) fail("read error");
      throw io_error(path_ + ": file is truncated (unexpected end of file while reading " + what + ")");
    }
  }
  void write(const void* p, std::size_t n) {
    if (n != 0 && std::fwrite(p, 1, n, f_) != n) fail("write error");
  }
  // Writers must close explicitly: buffered data can fail to reach the disk only here.
  void close() {
    std::FILE* f = f_;
    f_ = nullptr;
    if (std::fclose(f) != 0) fail("write error");
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    const int e = errno;
    throw io_error(path_ + ": " + what + " (" + std::strerror(e) + ")");
  }
  std::string path_;
  std::FILE* f_ = nullptr;
};

inline std::string read_whole_file(const std::string& path) {
  file f(path, "rb");
  std::string s(static_cast<std::size_t>(f.size()), '\0');
  f.read(s.data(), s.size(), "the file");
  return s;
}

}  // namespace typenet::io::detail
