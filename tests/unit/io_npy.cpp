// typenet::io::read_npy / write_npy: round trips and every malformed-input error.
#include <typenet/io/npy.hpp>

#include <catch2/catch.hpp>

#include "temp_file.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <csignal>
#include <sys/resource.h>

namespace {

namespace fs = std::filesystem;
using namespace typenet::io;
using Catch::Contains;

using typenet::test::temp_file;
using typenet::test::write_bytes;

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// An NPY file of the given version with this header dict and `data_bytes` bytes of data.
std::string npy_file(const std::string& dict, std::size_t data_bytes, int major = 1) {
  std::string s = "\x93NUMPY";
  s += static_cast<char>(major);
  s += '\0';
  const std::size_t len = dict.size() + 1;
  const int len_bytes = major == 1 ? 2 : 4;
  for (int i = 0; i < len_bytes; ++i) s += static_cast<char>((len >> (8 * i)) & 0xFF);
  s += dict + "\n";
  std::vector<float> data(data_bytes / 4 + 1);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = float(i) * 0.5f;
  s.append(reinterpret_cast<const char*>(data.data()), data_bytes);
  return s;
}

const std::string f4_2x3 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

void require_error(const std::string& bytes, const std::string& what) {
  temp_file t;
  write_bytes(t.path, bytes);
  REQUIRE_THROWS_AS(read_npy(t.path), io_error);
  REQUIRE_THROWS_WITH(read_npy(t.path), Contains(t.path + ": ") && Contains(what));
}

}  // namespace

TEST_CASE("npy: write/read round trip", "[io][npy]") {
  const std::vector<std::vector<long>> shapes = {{2, 3}, {5}, {}, {0, 3}, {2, 3, 4, 5}, {1, 1, 1, 1, 1, 1}};
  for (const auto& shape : shapes) {
    long n = 1;
    for (long d : shape) n *= d;
    std::vector<float> data(static_cast<std::size_t>(n));
    for (long i = 0; i < n; ++i) data[std::size_t(i)] = std::sin(float(i)) * 100.f;
    temp_file t;
    write_npy(t.path, shape, data.data());
    // Like numpy's writer: version 1, data 64-byte aligned, header ending in '\n'.
    const std::string raw = read_bytes(t.path);
    REQUIRE(raw.size() >= 10);
    CHECK(raw.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
    const std::size_t data_at = raw.size() - data.size() * sizeof(float);
    CHECK(data_at % 64 == 0);
    CHECK(raw[data_at - 1] == '\n');

    const array a = read_npy(t.path);
    CHECK(a.shape == shape);
    CHECK(a.numel() == n);
    CHECK(a.data == data);
    CHECK(read_npy(t.path, int(shape.size())).shape == shape);
  }
  // Python's spelling of 1-tuples and the empty tuple.
  temp_file t;
  const float one = 1.f;
  write_npy(t.path, {1}, &one);
  CHECK(read_bytes(t.path).find("'shape': (1,), }") != std::string::npos);
  write_npy(t.path, {}, &one);
  CHECK(read_bytes(t.path).find("'shape': (), }") != std::string::npos);
}

TEST_CASE("npy: header variants numpy may write", "[io][npy]") {
  temp_file t;
  SECTION("versions 2 and 3 (u32 header length)") {
    for (int major : {2, 3}) {
      write_bytes(t.path, npy_file(f4_2x3, 24, major));
      const array a = read_npy(t.path);
      CHECK(a.shape == std::vector<long>{2, 3});
      CHECK(a.data[5] == 2.5f);
    }
  }
  SECTION("other key order, double quotes, no trailing comma, extra spaces") {
    write_bytes(t.path, npy_file("{ \"shape\" : (3,) , 'fortran_order':False,'descr':'<f4'}   ", 12));
    const array a = read_npy(t.path);
    CHECK(a.shape == std::vector<long>{3});
    CHECK(a.data == std::vector<float>{0.f, 0.5f, 1.f});
  }
  SECTION("Python 2 long suffix in the shape") {
    write_bytes(t.path, npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", 24));
    CHECK(read_npy(t.path).shape == std::vector<long>{2, 3});
  }
  SECTION("empty array") {
    write_bytes(t.path, npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }", 0));
    CHECK(read_npy(t.path).data.empty());
  }
}

TEST_CASE("npy: file and preamble errors", "[io][npy]") {
  SECTION("missing file") {
    const std::string p = (fs::temp_directory_path() / "typenet_io_npy_does_not_exist.npy").string();
    REQUIRE_THROWS_AS(read_npy(p), io_error);
    REQUIRE_THROWS_WITH(read_npy(p), Contains(p + ": cannot open file (No such file or directory)"));
  }
  SECTION("a directory") {
    const std::string p = fs::temp_directory_path().string();
    REQUIRE_THROWS_WITH(read_npy(p), Contains(p + ": is a directory"));
  }
  require_error("", "not an NPY file (bad magic");
  require_error("PK\x03\x04 a zip file, e.g. an .npz", "not an NPY file (bad magic");
  require_error("\x93NUMPX\x01\x00\x10\x00", "not an NPY file (bad magic");
  require_error("\x93NUM", "file is truncated (4 bytes, shorter than the NPY preamble)");
  require_error(std::string("\x93NUMPY\x01\x00\x10", 9), "file is truncated (9 bytes");
  require_error(std::string("\x93NUMPY\x02\x00\x10\x00", 10), "file is truncated (10 bytes");
  require_error(std::string("\x93NUMPY\x04\x00\x10\x00", 10) + "{}", "unsupported NPY format version 4.0");
  require_error(std::string("\x93NUMPY\x00\x09\x10\x00", 10) + "{}", "unsupported NPY format version 0.9");
  require_error(npy_file(f4_2x3, 24).substr(0, 40), "file is truncated (header length 60 exceeds the 30 bytes that follow the preamble)");
}

TEST_CASE("npy: malformed headers", "[io][npy]") {
  require_error(npy_file("", 0), "malformed header: the header dict is incomplete");
  require_error(npy_file("[1, 2]", 0), "malformed header: expected '{' in the header");
  require_error(npy_file("{'descr': '<f4', 'fortran_order': False}", 0), "malformed header: the header has no 'shape'");
  require_error(npy_file("{'fortran_order': False, 'shape': (1,)}", 4), "the header has no 'descr'");
  require_error(npy_file("{'descr': '<f4', 'shape': (1,)}", 4), "the header has no 'fortran_order'");
  require_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", 4), "unexpected key 'x' in the header");
  require_error(npy_file("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", 4), "'fortran_order' is not True or False");
  require_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}", 4), "'shape' is not a tuple of non-negative integers");
  require_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}", 4), "expected '(' in the header");
  require_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}", 4), "'shape' is not a tuple of non-negative integers");
  require_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", 4), "'shape' has a dimension that is too large");
  require_error(npy_file("{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}", 4), "expected ',' or '}' in the header dict");
  require_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", 4), "the header dict is incomplete");
  require_error(npy_file("{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}", 4), "expected ',' or '}' in the header dict");
  require_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", 4), "unexpected characters after the header dict");
  require_error(npy_file("{descr: '<f4'}", 4), "expected a quoted string in the header");
  require_error(npy_file("{'descr", 4), "unterminated string in the header");
}

TEST_CASE("npy: unsupported arrays are named", "[io][npy]") {
  require_error(npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 24),
                "unsupported dtype '<f8' (only little-endian float32 '<f4' is supported)");
  require_error(npy_file("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }", 12), "unsupported dtype '>f4'");
  require_error(npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", 3), "unsupported dtype '|u1'");
  require_error(npy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", 24), "unsupported dtype '<i8'");
  require_error(npy_file("{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (3,), }", 24),
                "unsupported dtype '[('a', '<f4'), ('b', '<i4')]' (only little-endian float32 '<f4' is supported)");
  require_error(npy_file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24), "Fortran-order arrays are not supported");
  require_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 0), "shape (4294967296, 4294967296) is too large");
}

TEST_CASE("npy: data size must match the shape", "[io][npy]") {
  require_error(npy_file(f4_2x3, 20), "data is truncated: shape (2, 3) needs 24 bytes, the file has 20");
  require_error(npy_file(f4_2x3, 0), "data is truncated: shape (2, 3) needs 24 bytes, the file has 0");
  require_error(npy_file(f4_2x3, 28), "4 unexpected bytes after the data of shape (2, 3)");
}

TEST_CASE("npy: expected rank", "[io][npy]") {
  temp_file t;
  const std::vector<float> data(6, 1.f);
  write_npy(t.path, {2, 3}, data.data());
  CHECK(read_npy(t.path, 2).numel() == 6);
  REQUIRE_THROWS_AS(read_npy(t.path, 4), io_error);
  REQUIRE_THROWS_WITH(read_npy(t.path, 4), Contains(t.path + ": expected a rank-4 array, got shape (2, 3) (rank 2)"));
  write_npy(t.path, {}, data.data());
  REQUIRE_THROWS_WITH(read_npy(t.path, 1), Contains("expected a rank-1 array, got shape () (rank 0)"));
}

TEST_CASE("npy: writer errors", "[io][npy]") {
  const float x = 1.f;
  const std::string bad = (fs::temp_directory_path() / "typenet_io_no_such_dir" / "a.npy").string();
  REQUIRE_THROWS_AS(write_npy(bad, {1}, &x), io_error);
  REQUIRE_THROWS_WITH(write_npy(bad, {1}, &x), Contains(bad + ": cannot open file for writing (No such file or directory)"));
  temp_file t;
  REQUIRE_THROWS_AS(write_npy(t.path, {-1}, &x), std::invalid_argument);
  REQUIRE_THROWS_AS(write_npy(t.path, {2}, nullptr), std::invalid_argument);
}

#ifdef TYPENET_FIXTURE_DIR
TEST_CASE("npy: arrays saved by numpy (export_torchvision.py)", "[io][npy][torch]") {
  for (const std::string model : {"resnext50_32x4d", "resnet50"}) {
    INFO(model);
    const std::string dir = TYPENET_FIXTURE_DIR;
    const array x = read_npy(dir + "/" + model + "_input.npy", 4);
    CHECK(x.shape == std::vector<long>{2, 3, 224, 224});
    const array logits = read_npy(dir + "/" + model + "_logits.npy", 2);
    CHECK(logits.shape == std::vector<long>{2, 1000});
    double sum = 0, sum2 = 0;
    for (float v : logits.data) {
      CHECK(std::isfinite(v));
      sum += v;
      sum2 += double(v) * v;
    }
    const double n = double(logits.data.size());
    const double sd = std::sqrt(sum2 / n - (sum / n) * (sum / n));
    CHECK(sd > 0.1);
    CHECK(sd < 100);
    // The input is standardised per sample and channel.
    double m = 0;
    for (std::size_t i = 0; i < 224 * 224; ++i) m += x.data[i];
    CHECK(std::fabs(m / (224 * 224)) < 1e-3);
  }
}
#endif

namespace {
// Files in `dir` whose name starts with `prefix`: write_npy's temporary files are ".<name>.tmp.*".
int files_starting_with(const fs::path& dir, const std::string& prefix) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().starts_with(prefix);
  return n;
}
}  // namespace

// write_npy truncated the target first: a failed write (EFBIG, a full disk, a signal) left a
// corrupt half file where a good one stood. Now: a temporary file, fsync, rename.
TEST_CASE("npy: a failed write leaves the old file intact and no temporary file", "[io][npy]") {
  temp_file t(".npy");
  const std::vector<float> old_data = {1, 2, 3};
  write_npy(t.path, {3}, old_data.data());
  const std::string old_bytes = read_bytes(t.path);
  const fs::path dir = fs::path(t.path).parent_path();
  const std::string tmp_prefix = "." + fs::path(t.path).filename().string() + ".tmp.";

  // EFBIG: a file size limit below the new array's size (SIGXFSZ ignored, so write() fails).
  const std::vector<float> big(100000, 7.0f);
  rlimit old_limit{};
  REQUIRE(getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old_limit;
  small.rlim_cur = 64 * 1024;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
  bool threw = false;
  std::string message;
  try {
    write_npy(t.path, {100000}, big.data());
  } catch (const io_error& e) {
    threw = true;
    message = e.what();
  }
  REQUIRE(setrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  std::signal(SIGXFSZ, old_handler);
  REQUIRE(threw);
  CHECK_THAT(message, Contains(t.path + ": write error (File too large)"));
  CHECK(read_bytes(t.path) == old_bytes);
  CHECK(read_npy(t.path).data == old_data);
  CHECK(files_starting_with(dir, tmp_prefix) == 0);

  // And a successful write replaces it whole.
  write_npy(t.path, {100000}, big.data());
  CHECK(read_npy(t.path).data == big);
  CHECK(files_starting_with(dir, tmp_prefix) == 0);
}

TEST_CASE("check_writable: an output path is checked before the work", "[io][npy]") {
  const fs::path tmp = fs::temp_directory_path();
  CHECK_NOTHROW(check_writable((tmp / "typenet_out.npy").string()));
  const std::string missing = (tmp / "typenet_io_no_such_dir" / "y.npy").string();
  REQUIRE_THROWS_AS(check_writable(missing), io_error);
  REQUIRE_THROWS_WITH(check_writable(missing), Contains(missing + ": cannot write here: the folder ") && Contains("does not exist"));
  REQUIRE_THROWS_WITH(check_writable(tmp.string()), Contains(tmp.string() + ": is a directory"));
  if (::geteuid() != 0) {  // root writes anywhere
    REQUIRE_THROWS_WITH(check_writable("/proc/typenet_y.npy"), Contains("is not writable"));
  }
}

TEST_CASE("npy: messages escape control characters from the file", "[io][npy]") {
  require_error(npy_file("{'descr': '<f4\x1b[2J', 'fortran_order': False, 'shape': (2, 3), }", 24),
                "unsupported dtype '<f4\\x1b[2J'");
  require_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'a\x07': 1}", 24),
                "unexpected key 'a\\x07' in the header");
}
