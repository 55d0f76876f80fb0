#pragma once
// The fuzz input as a file: the harnesses go through the same path-taking entry points as the
// command-line tools (file size checks included). One file per process, rewritten for each input,
// in /dev/shm when there is one (no disk traffic), removed at exit.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

#include <typenet/io/error.hpp>

namespace typenet::fuzz {

class scratch_file {
 public:
  explicit scratch_file(const char* extension) {
    std::error_code ec;
    const std::filesystem::path dir =
        std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : std::filesystem::temp_directory_path();
    path_ = (dir / ("typenet_fuzz_" + std::to_string(::getpid()) + extension)).string();
  }
  ~scratch_file() { std::remove(path_.c_str()); }
  scratch_file(const scratch_file&) = delete;
  scratch_file& operator=(const scratch_file&) = delete;

  // Replaces the file's content with the input; returns its path.
  const std::string& write(const std::uint8_t* data, std::size_t size) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
      std::perror(path_.c_str());  // the harness can't go on: not a finding in the reader
      std::abort();
    }
    return path_;
  }

 private:
  std::string path_;
};

// A reader's error must name the file (typenet::io's promise): a message that does not start with
// the path is a finding, like a crash.
inline void require_names_file(const typenet::io::io_error& e, const std::string& path) {
  if (!std::string_view(e.what()).starts_with(path)) {
    std::fprintf(stderr, "error message does not start with the file's path: %s\n", e.what());
    std::abort();
  }
}

}  // namespace typenet::fuzz
