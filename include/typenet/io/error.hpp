#pragma once
// The one exception type of typenet's file I/O, so callers can tell "bad or missing file" apart
// from programming errors. Messages always start with the file's path and say exactly what is
// wrong. Also the small stdio wrapper the readers share, and the all-or-nothing file writer.
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace typenet::io {

struct io_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace typenet::io

namespace typenet::io::detail {

// RAII stdio file for reading. stdio rather than iostreams because errno tells *why* an open or
// read failed.
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

namespace typenet::io::detail {

// A file written all or nothing: the bytes go to a temporary file in the target's folder (so the
// rename is atomic), which is fsynced and then renamed over the target. Until commit() the target
// is untouched; on any error, or without commit(), the temporary file is removed. A failed write
// (a full disk, EFBIG, a signal) never leaves a half file where a good one stood.
class atomic_file_writer {
 public:
  explicit atomic_file_writer(const std::string& path) : path_(path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw io_error(path + ": is a directory");
    const fs::path target(path);
    const std::string dir = target.parent_path().empty() ? "." : target.parent_path().string();
    static std::atomic<unsigned> counter{0};
    for (int attempt = 0; fd_ < 0; ++attempt) {
      tmp_ = (fs::path(dir) / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                               std::to_string(counter++)))
                 .string();
      // 0666 and the umask: the permissions a plain fopen(path, "w") would give.
      fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ < 0 && (errno != EEXIST || attempt > 100)) fail("cannot open file for writing");
    }
  }
  ~atomic_file_writer() { discard(); }
  atomic_file_writer(const atomic_file_writer&) = delete;
  atomic_file_writer& operator=(const atomic_file_writer&) = delete;

  void write(const void* p, std::size_t n) {
    const char* c = static_cast<const char*>(p);
    while (n > 0) {
      const ::ssize_t k = ::write(fd_, c, n);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) fail_and_discard("write error");
      c += k;
      n -= static_cast<std::size_t>(k);
    }
  }
  // fsync, close, rename over the target, then fsync the folder so the rename itself is durable.
  void commit() {
    if (::fsync(fd_) != 0) fail_and_discard("write error");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail_and_discard("write error");
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) fail_and_discard("cannot replace the file");
    tmp_.clear();
    const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
    const int dir = ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);  // best effort: the data is in place either way
      ::close(dir);
    }
  }

 private:
  void discard() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
    tmp_.clear();
  }
  [[noreturn]] void fail(const char* what) const {
    const int e = errno;
    throw io_error(path_ + ": " + what + " (" + std::strerror(e) + ")");
  }
  [[noreturn]] void fail_and_discard(const char* what) {
    const int e = errno;
    discard();
    errno = e;
    fail(what);
  }

  std::string path_, tmp_;
  int fd_ = -1;
};

}  // namespace typenet::io::detail

namespace typenet::io {

// Checks before a long computation that `path` can be written afterwards: its folder exists and is
// writable, and it is not itself a folder. Throws io_error naming the path and the problem.
inline void check_writable(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target(path);
  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  if (target.filename().empty() || fs::is_directory(target, ec)) throw io_error(path + ": is a directory");
  if (!fs::is_directory(dir, ec)) throw io_error(path + ": cannot write here: the folder " + dir.string() + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0) {
    const int e = errno;
    throw io_error(path + ": cannot write here: the folder " + dir.string() + " is not writable (" + std::strerror(e) + ")");
  }
}

}  // namespace typenet::io
