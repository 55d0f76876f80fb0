// typenet::io::safetensors_file / write_safetensors: round trips and every malformed-input error.
#include <typenet/io/safetensors.hpp>

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

namespace {

namespace fs = std::filesystem;
using namespace typenet::io;
using Catch::Contains;

using typenet::test::temp_file;
using typenet::test::write_bytes;

std::string u64le(std::uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i, v >>= 8) s[std::size_t(i)] = static_cast<char>(v & 0xFF);
  return s;
}

// A safetensors file with the given JSON header and `data_bytes` bytes of data (value = index).
std::string raw_file(const std::string& header, std::size_t data_bytes) {
  std::string data(data_bytes, '\0');
  for (std::size_t i = 0; i < data_bytes; ++i) data[i] = static_cast<char>(i);
  return u64le(header.size()) + header + data;
}

// Loading a file with this header and data size must fail with a message containing `what`.
void require_error(const std::string& header, std::size_t data_bytes, const std::string& what) {
  temp_file t(".safetensors");
  write_bytes(t.path, raw_file(header, data_bytes));
  INFO("header: " << header);
  REQUIRE_THROWS_AS(safetensors_file(t.path), io_error);
  REQUIRE_THROWS_WITH(safetensors_file(t.path), Contains(t.path + ": ") && Contains(what));
}

}  // namespace

TEST_CASE("safetensors: write/read round trip", "[io][safetensors]") {
  temp_file t(".safetensors");
  const std::vector<float> a = {1.5f, -2.f, 3.25f, 0.f, 1e-30f, -7.f};
  const float scalar = 42.f;
  write_safetensors(t.path,
                    {{"layer1.0.conv1.weight", {2, 3}, a.data()},
                     {"s", {}, &scalar},
                     {"empty", {0, 4}, nullptr},
                     {"quote\"back\\slash\n", {1}, &scalar}},
                    {{"format", "pt"}, {"model", "test"}});
  // The data section starts 8-byte aligned, like the reference writer's.
  std::ifstream raw(t.path, std::ios::binary);
  unsigned char len[8];
  raw.read(reinterpret_cast<char*>(len), 8);
  CHECK(len[0] % 8 == 0);

  const safetensors_file f(t.path);
  CHECK(f.path() == t.path);
  REQUIRE(f.tensors().size() == 4);
  CHECK(f.tensors()[0].name == "layer1.0.conv1.weight");  // file order of the header
  CHECK(f.tensors()[1].name == "s");
  CHECK(f.tensors()[2].name == "empty");
  CHECK(f.tensors()[3].name == "quote\"back\\slash\n");
  CHECK(f.metadata().at("format") == "pt");
  CHECK(f.metadata().at("model") == "test");
  CHECK(f.data_size() == (6 + 1 + 0 + 1) * sizeof(float));

  const tensor_info* w = f.find("layer1.0.conv1.weight");
  REQUIRE(w);
  CHECK(w->dtype == "F32");
  CHECK(w->shape == std::vector<long>{2, 3});
  CHECK(w->numel() == 6);
  CHECK(w->end - w->begin == 24);
  const auto span = f.floats(*w);
  REQUIRE(span.size() == 6);
  CHECK(reinterpret_cast<std::uintptr_t>(span.data()) % alignof(float) == 0);
  CHECK(std::vector<float>(span.begin(), span.end()) == a);

  const tensor_info* s = f.find("s");
  REQUIRE(s);
  CHECK(s->shape.empty());
  CHECK(s->numel() == 1);
  CHECK(f.floats(*s)[0] == 42.f);
  CHECK(f.floats("empty").empty());
  CHECK(f.find("empty")->numel() == 0);
  CHECK(f.floats("quote\"back\\slash\n")[0] == 42.f);
  CHECK(f.find("missing") == nullptr);
  CHECK(f.find("layer1.0.conv1") == nullptr);

  // A copy of an entry still works; an entry of another file does not.
  const tensor_info copy = *w;
  CHECK(f.floats(copy).size() == 6);
  tensor_info foreign = *w;
  foreign.end -= 4;
  REQUIRE_THROWS_WITH(f.floats(foreign), Contains("tensor 'layer1.0.conv1.weight' does not belong to this file"));
  REQUIRE_THROWS_WITH(f.floats("nope"), Contains(t.path + ": no tensor named 'nope'"));
}

TEST_CASE("safetensors: empty file list and no metadata", "[io][safetensors]") {
  temp_file t(".safetensors");
  write_safetensors(t.path, {});
  const safetensors_file f(t.path);
  CHECK(f.tensors().empty());
  CHECK(f.metadata().empty());
  CHECK(f.data_size() == 0);
}

TEST_CASE("safetensors: other dtypes are listed but only F32 can be read", "[io][safetensors]") {
  temp_file t(".safetensors");
  // As torch writes BatchNorm's num_batches_tracked: an I64 scalar. Plus a dtype we don't know.
  const std::string header =
      R"({"n":{"dtype":"I64","shape":[],"data_offsets":[0,8]},)"
      R"("w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
      R"("q":{"dtype":"Q7","shape":[3],"data_offsets":[16,19]},)"
      R"("__metadata__":{"format":"pt"}})";
  write_bytes(t.path, raw_file(header, 19));
  const safetensors_file f(t.path);
  REQUIRE(f.tensors().size() == 3);
  CHECK(f.find("n")->dtype == "I64");
  CHECK(f.find("q")->dtype == "Q7");
  CHECK(f.floats("w").size() == 2);
  REQUIRE_THROWS_AS(f.floats("n"), io_error);
  REQUIRE_THROWS_WITH(f.floats("n"), Contains(t.path + ": tensor 'n' has dtype I64, expected F32"));
  REQUIRE_THROWS_WITH(f.floats(*f.find("q")), Contains("tensor 'q' has dtype Q7, expected F32"));
}

TEST_CASE("safetensors: an F32 tensor at an unaligned offset is copied to aligned memory", "[io][safetensors]") {
  temp_file t(".safetensors");
  const float values[2] = {3.5f, -1.25f};
  std::string data = "abc";  // a U8 tensor of 3 bytes pushes the F32 tensor to offset 3
  data.append(reinterpret_cast<const char*>(values), sizeof values);
  const std::string header =
      R"({"u":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"f":{"dtype":"F32","shape":[2],"data_offsets":[3,11]}})";
  write_bytes(t.path, u64le(header.size()) + header + data);
  const safetensors_file f(t.path);
  const auto s = f.floats("f");
  REQUIRE(s.size() == 2);
  CHECK(reinterpret_cast<std::uintptr_t>(s.data()) % alignof(float) == 0);
  CHECK(s[0] == 3.5f);
  CHECK(s[1] == -1.25f);
}

TEST_CASE("safetensors: JSON details", "[io][safetensors]") {
  temp_file t(".safetensors");
  // Escapes (incl. a surrogate pair), whitespace everywhere, trailing padding, unknown keys and
  // holes between tensors are all accepted.
  const std::string header =
      " {\n \"a\\u00e9\\ud83d\\ude00\\t\\/\" : { \"dtype\" : \"F32\" , \"shape\" : [ 1 ] ,"
      " \"data_offsets\" : [ 4 , 8 ], \"extra\": [null, true, false, -1.5e3, {}] } }    ";
  write_bytes(t.path, raw_file(header, 8));
  const safetensors_file f(t.path);
  REQUIRE(f.tensors().size() == 1);
  CHECK(f.tensors()[0].name == "a\xC3\xA9\xF0\x9F\x98\x80\t/");
  CHECK(f.tensors()[0].begin == 4);
}

TEST_CASE("safetensors: file-level errors", "[io][safetensors]") {
  SECTION("missing file") {
    const std::string p = (fs::temp_directory_path() / "typenet_io_st_does_not_exist.safetensors").string();
    REQUIRE_THROWS_AS(safetensors_file(p), io_error);
    REQUIRE_THROWS_WITH(safetensors_file(p), Contains(p + ": cannot open file") && Contains("No such file"));
  }
  SECTION("a directory") {
    const std::string p = fs::temp_directory_path().string();
    REQUIRE_THROWS_WITH(safetensors_file(p), Contains(p + ": is a directory"));
  }
  SECTION("empty and too short for the length") {
    temp_file t(".safetensors");
    write_bytes(t.path, "");
    REQUIRE_THROWS_WITH(safetensors_file(t.path), Contains(t.path + ": file is too short (0 bytes) to hold the 8-byte header length"));
    write_bytes(t.path, "12345");
    REQUIRE_THROWS_WITH(safetensors_file(t.path), Contains("file is too short (5 bytes)"));
  }
  SECTION("header length beyond the end of the file") {
    temp_file t(".safetensors");
    write_bytes(t.path, u64le(1000) + "{}");
    REQUIRE_THROWS_WITH(safetensors_file(t.path), Contains(t.path + ": header length 1000 exceeds the 2 bytes that follow it"));
    write_bytes(t.path, u64le(~std::uint64_t(0)) + "{}");  // must not try to allocate 2^64 bytes
    REQUIRE_THROWS_WITH(safetensors_file(t.path), Contains("header length 18446744073709551615 exceeds"));
    // A file truncated in the middle of the header.
    const std::string good = raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 4);
    write_bytes(t.path, good.substr(0, 30));
    REQUIRE_THROWS_WITH(safetensors_file(t.path), Contains("exceeds the 22 bytes that follow it"));
  }
}

TEST_CASE("safetensors: malformed JSON", "[io][safetensors]") {
  require_error("", 0, "malformed JSON header at byte 0: unexpected end of header, expected a value");
  require_error("{", 0, "malformed JSON header at byte 1: expected a string key");
  require_error(R"({"a")", 0, "unexpected end of header, expected ':'");
  require_error(R"({"a" 1})", 0, "malformed JSON header at byte 5: expected ':'");
  require_error(R"({"a":)", 0, "unexpected end of header, expected a value");
  require_error(R"({"a":1)", 0, "unexpected end of header inside an object");
  require_error(R"({"a":1 "b":2})", 0, "expected ',' or '}'");
  require_error(R"({"a":[1 2]})", 0, "expected ',' or ']'");
  require_error(R"({"a":[1,2)", 0, "unexpected end of header inside an array");
  require_error(R"({"a":1,})", 0, "expected a string key");
  require_error(R"({a:1})", 0, "expected a string key");
  require_error(R"({} x)", 0, "malformed JSON header at byte 3: unexpected characters after the JSON value");
  require_error(R"({"a":tru})", 0, "invalid value");
  require_error(R"({"a":01})", 0, "expected ',' or '}'");
  require_error(R"({"a":-})", 0, "invalid number");
  require_error(R"({"a":1.})", 0, "invalid number");
  require_error(R"({"a":1e})", 0, "invalid number");
  require_error(R"({"a)", 0, "unterminated string");
  require_error("{\"a\nb\":1}", 0, "control character in string");
  require_error(R"({"a\q":1})", 0, "invalid escape sequence");
  require_error(R"({"a\u12g4":1})", 0, "invalid \\u escape");
  require_error(R"({"a\u12)", 0, "truncated \\u escape");
  require_error(R"({"\ud83d":1})", 0, "unpaired surrogate");
  require_error(R"({"\ude00":1})", 0, "unpaired surrogate");
  require_error(R"({"a":1,"a":2})", 0, "duplicate key \"a\"");
  require_error(R"({"a":)" + std::string(200, '[') + std::string(200, ']') + "}", 0,
                "nesting deeper than 64 levels");
  require_error("[1, 2]", 0, "the JSON header is not an object");
  require_error("\"x\"", 0, "the JSON header is not an object");
}

TEST_CASE("safetensors: malformed tensor entries", "[io][safetensors]") {
  require_error(R"({"w":[1]})", 0, "tensor 'w': entry is not an object");
  require_error(R"({"w":{"shape":[1],"data_offsets":[0,4]}})", 4, "tensor 'w': missing \"dtype\"");
  require_error(R"({"w":{"dtype":32,"shape":[1],"data_offsets":[0,4]}})", 4, "tensor 'w': \"dtype\" is not a string");
  require_error(R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", 4, "tensor 'w': missing \"shape\"");
  require_error(R"({"w":{"dtype":"F32","shape":1,"data_offsets":[0,4]}})", 4, "tensor 'w': \"shape\" is not an array of non-negative integers");
  require_error(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4, "\"shape\" is not an array of non-negative integers (found -1)");
  require_error(R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4, "(found 1.5)");
  require_error(R"({"w":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}})", 4, "(found a non-number)");
  require_error(R"({"w":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}})", 4, "(found 99999999999999999999)");
  require_error(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", 4, "tensor 'w': shape is too large");
  require_error(R"({"w":{"dtype":"F32","shape":[1]}})", 4, "tensor 'w': missing \"data_offsets\"");
  require_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", 4, "\"data_offsets\" must be two non-negative integers [begin, end] (found [0])");
  require_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})", 8, "(found [0, 4, 8])");
  require_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", 4, "tensor 'w': \"data_offsets\" must be two non-negative integers [begin, end] (found [-4, 0])");
  require_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,"4"]}})", 4, "(found [0, ?])");
  require_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":{"b":0}}})", 4, "\"data_offsets\" must be two non-negative integers");
  require_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", 8, "tensor 'w' data_offsets [8, 4] are reversed (begin > end)");
  require_error(R"({"layer1.0.conv1.weight":{"dtype":"F32","shape":[1],"data_offsets":[10,99]}})", 64,
                "tensor 'layer1.0.conv1.weight' data_offsets [10, 99] exceed the data section (64 bytes)");
  require_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[18446744073709551612,18446744073709551615]}})", 4,
                "exceed the data section (4 bytes)");
  require_error(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8,
                "tensor 'w' data_offsets [0, 8] hold 8 bytes, but shape [3] of F32 needs 12");
  require_error(R"({"w":{"dtype":"I64","shape":[2,2],"data_offsets":[0,16]}})", 16, "shape [2, 2] of I64 needs 32");
  require_error(R"({"w":{"dtype":"F32","shape":[],"data_offsets":[0,0]}})", 4, "shape [] of F32 needs 4");
  require_error(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12,
                "tensors 'a' and 'b' overlap in the data section");
  require_error(R"({"__metadata__":[1]})", 0, "__metadata__ is not an object");
  require_error(R"({"__metadata__":{"format":1}})", 0, "__metadata__ value for key 'format' is not a string");
  require_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8,
                "duplicate key \"w\"");
}

TEST_CASE("safetensors: writer errors", "[io][safetensors]") {
  const float x = 1.f;
  temp_file t(".safetensors");
  REQUIRE_THROWS_AS(write_safetensors(t.path, {{"a", {1}, &x}, {"a", {1}, &x}}), std::invalid_argument);
  REQUIRE_THROWS_AS(write_safetensors(t.path, {{"__metadata__", {1}, &x}}), std::invalid_argument);
  REQUIRE_THROWS_AS(write_safetensors(t.path, {{"a", {-1}, &x}}), std::invalid_argument);
  REQUIRE_THROWS_AS(write_safetensors(t.path, {{"a", {2}, nullptr}}), std::invalid_argument);
  const std::string bad = (fs::temp_directory_path() / "typenet_io_no_such_dir" / "w.safetensors").string();
  REQUIRE_THROWS_AS(write_safetensors(bad, {{"a", {1}, &x}}), io_error);
  REQUIRE_THROWS_WITH(write_safetensors(bad, {{"a", {1}, &x}}), Contains(bad + ": cannot open file"));
}

#ifdef TYPENET_FIXTURE_DIR
TEST_CASE("safetensors: torchvision export (export_torchvision.py)", "[io][safetensors][torch]") {
  for (const std::string model : {"resnext50_32x4d", "resnet50"}) {
    INFO(model);
    const safetensors_file f(std::string(TYPENET_FIXTURE_DIR) + "/" + model + ".safetensors");
    CHECK(f.metadata().at("format") == "pt");
    CHECK(f.metadata().at("model") == model);
    CHECK(f.tensors().size() == 320);  // conv 53, BN 53 x 5 (incl. num_batches_tracked), fc 2
    CHECK(f.tensors().front().name == "conv1.weight");  // state_dict order

    const auto shape = [&](const char* name) {
      const tensor_info* t = f.find(name);
      INFO(name);
      REQUIRE(t);
      return t->shape;
    };
    CHECK(shape("conv1.weight") == std::vector<long>{64, 3, 7, 7});
    CHECK(shape("fc.weight") == std::vector<long>{1000, 2048});
    CHECK(shape("fc.bias") == std::vector<long>{1000});
    CHECK(shape("layer1.0.downsample.0.weight") == std::vector<long>{256, 64, 1, 1});
    CHECK(shape("bn1.running_mean") == std::vector<long>{64});
    CHECK(shape("bn1.running_var") == std::vector<long>{64});
    // ResNeXt's grouped 3x3 convs: 32 groups, width 4 per group in layer1.
    CHECK(shape("layer1.0.conv2.weight") ==
          (model == "resnet50" ? std::vector<long>{64, 64, 3, 3} : std::vector<long>{128, 4, 3, 3}));
    const tensor_info* nbt = f.find("bn1.num_batches_tracked");
    REQUIRE(nbt);
    CHECK(nbt->dtype == "I64");
    CHECK(nbt->shape.empty());

    int i64 = 0, f32 = 0, other = 0;
    long non_finite = 0;
    for (const auto& t : f.tensors()) {
      if (t.dtype == "I64") {
        ++i64;
        CHECK(t.name.ends_with(".num_batches_tracked"));
      } else if (t.dtype == "F32") {
        ++f32;
        for (float v : f.floats(t)) non_finite += !std::isfinite(v);
      } else {
        ++other;
      }
    }
    CHECK(i64 == 53);
    CHECK(f32 == 320 - 53);
    CHECK(other == 0);
    CHECK(non_finite == 0);
    // The BatchNorms were randomised: no running_var of exactly 1, no zero running_mean.
    const auto var = f.floats("layer4.2.bn3.running_var");
    const auto mean = f.floats("layer4.2.bn3.running_mean");
    for (std::size_t c = 0; c < var.size(); ++c) {
      CHECK(var[c] >= 0.5f);
      CHECK(var[c] <= 1.5f);
      CHECK(var[c] != 1.f);
      CHECK(mean[c] != 0.f);
    }
  }
}
#endif

// [2^61, 2] of F32 is 2^64 bytes: the product wrapped and the message said "needs 0".
TEST_CASE("safetensors: a byte count past 2^64 is reported, not wrapped", "[io][safetensors]") {
  require_error(R"({"w":{"dtype":"F32","shape":[2305843009213693952,2],"data_offsets":[0,8]}})", 8,
                "tensor 'w' data_offsets [0, 8] hold 8 bytes, but shape [2305843009213693952, 2] of F32 needs "
                "4611686018427387904 x 4 bytes (more than 2^64)");
  require_error(R"({"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}})", 8,
                "needs 2305843009213693952 x 8 bytes (more than 2^64)");
}

// Upstream's 100 MB cap: a larger header is refused before it is read (a 20 MB header took
// 1.43 GB to parse). The file is sparse: it occupies no disk space.
TEST_CASE("safetensors: a header over 100 MB is refused unread", "[io][safetensors]") {
  temp_file t(".safetensors");
  write_bytes(t.path, u64le(100'000'001) + "{");
  fs::resize_file(t.path, 8 + 100'000'001 + 16);
  REQUIRE_THROWS_WITH(safetensors_file(t.path),
                      Contains(t.path + ": header length 100000001 exceeds the limit of 100000000 bytes"));
}

// The header is no longer parsed into a document (a 20 MB header took 1.43 GB of RSS, and each key
// was compared with every earlier one): many entries, members in any order and a long unknown
// array still parse; a duplicate among many keys, or spelled with escapes, is still found at its byte.
TEST_CASE("safetensors: a header of many entries parses, duplicates among them are found", "[io][safetensors]") {
  constexpr int n = 50'000;
  std::string header = "{";
  for (int i = 0; i < n; ++i) {
    const std::string offsets = "[" + std::to_string(4 * i) + "," + std::to_string(4 * i + 4) + "]";
    header += (i ? "," : "") + std::string("\"t") + std::to_string(i) + "\":" +
              (i % 2 ? R"({"shape":[1],"data_offsets":)" + offsets + R"(,"dtype":"F32"})"
                     : R"({"data_offsets":)" + offsets + R"(,"dtype":"F32","shape":[1]})");
  }
  std::string unknown = R"(,"u":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"extra":[)";
  for (int i = 0; i < 200'000; ++i) unknown += i ? ",7" : "7";
  temp_file t(".safetensors");
  write_bytes(t.path, raw_file(header + unknown + R"(]},"__metadata__":{"format":"pt"}})", 4 * n));
  const safetensors_file f(t.path);
  REQUIRE(f.tensors().size() == std::size_t(n) + 1);
  CHECK(f.tensors()[12345].name == "t12345");
  CHECK(f.tensors()[12345].begin == 4 * 12345);
  CHECK(f.tensors()[12345].shape == std::vector<long>{1});
  CHECK(f.tensors()[n].name == "u");
  CHECK(f.metadata().at("format") == "pt");

  const std::string duplicate = R"(,"t\u0031\u0032345":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  header += duplicate;
  require_error(header, 4 * n, "malformed JSON header at byte " + std::to_string(header.size() - duplicate.size() + 19) +
                                   ": duplicate key \"t12345\"");
}

// Tensor names with ESC/BEL bytes were echoed raw to the terminal.
TEST_CASE("safetensors: messages escape control characters from the file", "[io][safetensors]") {
  require_error(R"({"a\u001b[31mb\u0007":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8,
                "tensor 'a\\x1b[31mb\\x07' data_offsets [0, 8] hold 8 bytes");
  require_error(R"({"x\u009b":1,"x\u009b":2})", 0, "duplicate key \"x\\u009b\"");
  require_error(R"({"__metadata__":{"k\r":1}})", 0, "__metadata__ value for key 'k\\x0d' is not a string");
  require_error(R"({"a\\b":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8, "tensor 'a\\\\b' data_offsets");
  temp_file t(".safetensors");
  write_bytes(t.path, raw_file(R"({"w":{"dtype":"F\u001b32","shape":[1],"data_offsets":[0,4]}})", 4));
  const safetensors_file f(t.path);
  REQUIRE_THROWS_WITH(f.floats("w"), Contains("tensor 'w' has dtype F\\x1b32, expected F32"));
  REQUIRE_THROWS_WITH(f.floats("\x1b]0;title\x07"), Contains("no tensor named '\\x1b]0;title\\x07'"));
}

TEST_CASE("printable: control characters and broken UTF-8 escaped, Unicode kept", "[io]") {
  CHECK(printable("layer1.0.conv1.weight") == "layer1.0.conv1.weight");
  CHECK(printable(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(printable("\x1b[31m\x07\x7f\t\n") == "\\x1b[31m\\x07\\x7f\\x09\\x0a");
  CHECK(printable("back\\slash") == "back\\\\slash");
  CHECK(printable("gewicht_\xc3\xa4_\xe6\x9d\x83_\xf0\x9f\x98\x80") == "gewicht_\xc3\xa4_\xe6\x9d\x83_\xf0\x9f\x98\x80");
  CHECK(printable("\xc2\x9b" "2J") == "\\u009b2J");  // C1 CSI as UTF-8
  CHECK(printable("\x9b" "2J") == "\\x9b2J");        // C1 CSI as a raw byte
  CHECK(printable("\xc3") == "\\xc3");               // truncated sequence
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");      // overlong
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a UTF-16 surrogate
}
