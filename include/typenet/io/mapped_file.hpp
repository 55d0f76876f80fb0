#pragma once
// A whole file mapped read-only (POSIX mmap), so that a weights file is read straight from the
// page cache and never copied as a whole. Pages a caller has finished with can be released: they
// leave the process's resident set and are read again from the page cache if touched later.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "error.hpp"

namespace typenet::io {

class mapped_file {
 public:
  // Maps `path`, which must still be `expected_size` bytes long (the size its header was checked
  // against): a file that changed in between would make reads past its new end fault.
  mapped_file(const std::string& path, std::uintmax_t expected_size) : path_(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot open file for mapping");
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int e = errno;
      ::close(fd);
      fail("cannot determine the file size", e);
    }
    if (static_cast<std::uintmax_t>(st.st_size) != expected_size) {
      ::close(fd);
      throw io_error(path + ": the file changed size while it was read (" + std::to_string(expected_size) + " bytes, now " +
                     std::to_string(st.st_size) + ")");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        const int e = errno;
        ::close(fd);
        fail("cannot map the file", e);
      }
      data_ = static_cast<const std::byte*>(p);
    }
    ::close(fd);  // the mapping keeps the file open
  }
  ~mapped_file() {
    if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
  }
  mapped_file(const mapped_file&) = delete;
  mapped_file& operator=(const mapped_file&) = delete;

  const std::byte* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool contains(const void* p, std::size_t bytes) const {
    const auto* b = static_cast<const std::byte*>(p);
    return data_ && b >= data_ && bytes <= size_ && b - data_ <= static_cast<std::ptrdiff_t>(size_ - bytes);
  }

  // Drops the pages holding [p, p + bytes) from the resident set. The mapping is private and
  // read-only, so nothing is lost: a later read faults the page back in from the page cache.
  // Bytes outside the mapping are ignored.
  void release(const void* p, std::size_t bytes) const {
    if (!contains(p, bytes) || bytes == 0) return;
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = reinterpret_cast<std::uintptr_t>(p) / page * page;
    const auto end = reinterpret_cast<std::uintptr_t>(p) + bytes;
    ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);  // advice: a failure only costs memory
  }

 private:
  [[noreturn]] void fail(const char* what, int e = errno) const {
    throw io_error(path_ + ": " + what + " (" + std::strerror(e) + ")");
  }

  std::string path_;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace typenet::io
