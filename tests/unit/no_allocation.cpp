// After set-up, a forward pass performs no heap allocation: every global operator new is counted.
// The replacements below pair malloc/aligned_alloc with free on purpose.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <new>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace {
std::atomic<long> allocations{0};
}

void* operator new(std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  ++allocations;
  const std::size_t align = std::max(std::size_t(a), sizeof(void*));
  if (void* p = std::aligned_alloc(align, (n + align - 1) / align * align)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return ::operator new(n, a); }
// The nothrow forms too (Catch uses them): every form pairs with free, as AddressSanitizer checks.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return ::operator new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return ::operator new(n, std::nothrow); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  try {
    return ::operator new(n, a);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return ::operator new(n, a, std::nothrow); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

TEST_CASE("a forward pass allocates nothing", "[executor][allocation]") {
  using m = typenet::models::resnext50_32x4d_t<64, 64>;
  const auto weights = typenet::seeded_weights<m>(1);
  for (bool fused : {true, false}) {
    typenet::executor<m> e(weights, {.threads = 2, .max_batch = 2, .fused = fused});
    std::vector<float> x(2 * m::input_shape::size, 0.5f), y(2 * 1000);
    e.forward(x.data(), y.data(), 2);  // warm-up: lazily initialised runtime state, if any
    const long before = allocations.load();
    e.forward(x.data(), y.data(), 2);
    e.forward(x.data(), y.data(), 1);
    const long after = allocations.load();  // before INFO, which allocates itself
    INFO((fused ? "fused" : "reference") << " path");
    CHECK(after == before);
  }
  // The counter works: set-up does allocate.
  const long before = allocations.load();
  typenet::executor<m> e(weights, {.threads = 1});
  CHECK(allocations.load() > before);
}
