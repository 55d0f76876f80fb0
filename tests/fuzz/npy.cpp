// libFuzzer harness: typenet::io::read_npy, as the CLIs call it for --input. Any exception other
// than io_error naming the file, any crash, leak or UB is a finding.
#include <cstdlib>

#include <typenet/io/npy.hpp>

#include "scratch_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static typenet::fuzz::scratch_file file(".npy");
  const std::string& path = file.write(data, size);
  try {
    const typenet::io::array a = typenet::io::read_npy(path);
    // An accepted file holds exactly the elements its shape promises, every one readable.
    if (a.data.size() != static_cast<std::size_t>(a.numel())) std::abort();
    volatile float sum = 0;
    for (float v : a.data) sum = sum + v;
  } catch (const typenet::io::io_error& e) {
    typenet::fuzz::require_names_file(e, path);
  }
  return 0;
}
