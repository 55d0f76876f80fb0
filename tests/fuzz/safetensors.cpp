// libFuzzer harness: typenet::io::safetensors_file, the weight reader of load_weights and the
// CLIs' --weights. Every tensor of an accepted file is read in full (ASan checks it lies inside the
// data section). Any exception other than io_error naming the file, any crash, leak or UB is a
// finding.
#include <cstdlib>

#include <typenet/io/safetensors.hpp>

#include "scratch_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static typenet::fuzz::scratch_file file(".safetensors");
  const std::string& path = file.write(data, size);
  try {
    const typenet::io::safetensors_file st(path);
    for (const auto& t : st.tensors()) {
      if (t.begin > t.end || t.end > st.data_size()) std::abort();
      if (st.find(t.name) == nullptr) std::abort();
      if (t.dtype != "F32") continue;
      volatile float sum = 0;
      for (float v : st.floats(t)) sum = sum + v;
    }
  } catch (const typenet::io::io_error& e) {
    typenet::fuzz::require_names_file(e, path);
  }
  return 0;
}
