// Weights read through a mapping of the safetensors file (io/mapped_file.hpp): the same values as
// the file holds, views rather than copies, released pages that read back the same, and the same
// clear errors for truncated files.
#include <typenet/dynamic/executor.hpp>
#include <typenet/io/mapped_file.hpp>
#include <typenet/io/safetensors.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

#include <catch2/catch.hpp>

#include "temp_file.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using namespace typenet;
namespace dy = typenet::dynamic;
using Catch::Contains;

// A small network of every parameterised kind: conv (+bn), linear.
const dy::model& small_model() {
  static const auto m =
      dy::model({3, 9, 9}, dy::sequential({dy::named("c", dy::conv2d(8, 3, 1, 1)), dy::named("bn", dy::batch_norm()), dy::relu(),
                                           dy::global_avg_pool(), dy::named("fc", dy::linear(5))}));
  return m;
}

void save(const weight_store& w, const std::string& path) {
  std::vector<io::tensor_view> views;
  for (const auto& [name, t] : w.tensors()) views.push_back({name, t.shape, t.data.data()});
  io::write_safetensors(path, views);
}

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

std::vector<float> forward(const weight_store& w) {
  std::vector<float> x(3 * 9 * 9), y(5);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 7) * 0.25f - 0.5f;
  dy::executor(small_model(), w, {.threads = 1}).forward(x.data(), y.data(), 1);
  return y;
}

}  // namespace

TEST_CASE("mapped weights: loaded tensors are views into the mapping with the file's values", "[io][safetensors][mmap]") {
  const auto seeded = dy::seeded_weights(small_model(), 7);
  test::temp_file t(".safetensors");
  save(seeded, t.path);

  const io::safetensors_file f(t.path);
  REQUIRE(f.mapping());
  CHECK(f.mapping()->size() == std::filesystem::file_size(t.path));
  for (const auto& info : f.tensors()) {
    const auto values = f.floats(info);
    CHECK(f.mapping()->contains(values.data(), values.size_bytes()));
    const auto& expected = seeded.at(info.name).data;
    CHECK(std::equal(values.begin(), values.end(), expected.begin(), expected.end()));
  }

  const weight_store loaded = dy::load_weights(small_model(), t.path);  // the file object is gone: the store keeps the mapping
  REQUIRE(loaded.size() == seeded.size());
  for (const auto& [name, tensor] : loaded.tensors()) {
    INFO(name);
    CHECK(tensor.data.mapped());
    CHECK(tensor.shape == seeded.at(name).shape);
    CHECK(tensor.data == seeded.at(name).data);
  }
}

TEST_CASE("mapped weights: released pages read back the same, and executors built from them agree", "[io][safetensors][mmap]") {
  const auto seeded = dy::seeded_weights(small_model(), 8);
  test::temp_file t(".safetensors");
  save(seeded, t.path);
  const weight_store loaded = load_weights(small_model().tensor_specs(), t.path);  // check_weights releases every tensor
  for (const auto& [name, tensor] : loaded.tensors()) {
    tensor.data.release();
    CHECK(tensor.data == seeded.at(name).data);
    CHECK(loaded.take_copy(name) == seeded.at(name).data.copy());  // a copy, then released again
  }
  // Building an executor copies and releases every tensor: the same logits as from owned weights,
  // and the store still reads the file's values afterwards.
  CHECK(forward(loaded) == forward(seeded));
  CHECK(forward(loaded) == forward(seeded));
  CHECK(loaded.at("fc.weight").data == seeded.at("fc.weight").data);
}

TEST_CASE("mapped weights: writing to a loaded tensor copies it and leaves the file alone", "[io][safetensors][mmap]") {
  const auto seeded = dy::seeded_weights(small_model(), 9);
  test::temp_file t(".safetensors");
  save(seeded, t.path);
  const std::string before = read_all(t.path);
  weight_store w = dy::load_weights(small_model(), t.path);
  REQUIRE(w.at("fc.bias").data.mapped());
  w.mutable_data("fc.bias")[2] = 123.0f;
  CHECK_FALSE(w.at("fc.bias").data.mapped());
  CHECK(w.at("fc.bias").data[2] == 123.0f);
  CHECK(w.at("fc.bias").data[1] == seeded.at("fc.bias").data[1]);
  CHECK(w.at("fc.weight").data.mapped());  // the others stay views
  CHECK(read_all(t.path) == before);
  REQUIRE_THROWS_WITH(w.mutable_data("nope"), Contains("no tensor 'nope'"));
}

TEST_CASE("mapped weights: truncated files are still refused with the reason", "[io][safetensors][mmap]") {
  const auto seeded = dy::seeded_weights(small_model(), 10);
  test::temp_file t(".safetensors");
  save(seeded, t.path);
  const std::string bytes = read_all(t.path);
  test::temp_file cut(".safetensors");
  test::write_bytes(cut.path, bytes.substr(0, bytes.size() - 6));  // the last tensor loses a float and a half
  REQUIRE_THROWS_AS(io::safetensors_file(cut.path), io::io_error);
  REQUIRE_THROWS_WITH(io::safetensors_file(cut.path), Contains(cut.path + ": tensor '") && Contains("exceed the data section"));
  REQUIRE_THROWS_WITH(dy::load_weights(small_model(), cut.path), Contains("exceed the data section"));
}

TEST_CASE("mapped_file: bounds, release outside the mapping, and a file that changed size", "[io][mmap]") {
  test::temp_file t(".bin");
  test::write_bytes(t.path, std::string(10000, 'x'));
  const io::mapped_file m(t.path, 10000);
  REQUIRE(m.size() == 10000);
  CHECK(m.contains(m.data(), 10000));
  CHECK(m.contains(m.data() + 9999, 1));
  CHECK_FALSE(m.contains(m.data() + 9999, 2));
  const std::vector<float> heap(4, 1.0f);
  m.release(heap.data(), 16);  // not in the mapping: must leave the heap alone
  CHECK(heap == std::vector<float>(4, 1.0f));
  m.release(m.data() + 100, 5000);
  CHECK(std::string(reinterpret_cast<const char*>(m.data()), 10000) == std::string(10000, 'x'));

  REQUIRE_THROWS_WITH(io::mapped_file(t.path, 12345),
                      Contains(t.path + ": the file changed size while it was read (12345 bytes, now 10000)"));
  REQUIRE_THROWS_WITH(io::mapped_file(t.path + ".missing", 1), Contains("cannot open file for mapping") && Contains("No such file"));
}
