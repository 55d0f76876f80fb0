#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include <typenet/runtime/thread_pool.hpp>

using typenet::kernels::part;
using typenet::runtime::thread_pool;

TEST_CASE("thread_pool runs every part exactly once", "[runtime][thread_pool][threads]") {
  for (int threads : {1, 2, 3}) {
    thread_pool pool(threads);
    REQUIRE(pool.size() == threads);
    std::vector<std::atomic<int>> hits(static_cast<std::size_t>(threads));
    std::atomic<int> bad_count{0};
    const auto caller = std::this_thread::get_id();
    std::atomic<bool> part0_on_caller{false};
    for (int r = 0; r < 100; ++r)
      pool.run([&](part p) {
        if (p.count != threads || p.index < 0 || p.index >= threads) ++bad_count;
        else ++hits[std::size_t(p.index)];
        if (p.index == 0 && std::this_thread::get_id() == caller) part0_on_caller = true;
      });
    CHECK(bad_count == 0);
    for (auto& h : hits) CHECK(h == 100);
    CHECK(part0_on_caller);
  }
}

TEST_CASE("thread_pool rejects fewer than one thread", "[runtime][thread_pool][threads]") {
  CHECK_THROWS_AS(thread_pool(0), std::invalid_argument);
  CHECK_THROWS_AS(thread_pool(-3), std::invalid_argument);
  thread_pool def;
  CHECK(def.size() >= 1);
}

TEST_CASE("thread_pool propagates exceptions and stays usable", "[runtime][thread_pool][threads]") {
  for (int threads : {1, 2, 3})
    for (int thrower = 0; thrower < threads; ++thrower) {
      thread_pool pool(threads);
      std::atomic<int> done{0};
      CHECK_THROWS_WITH(pool.run([&](part p) {
                          if (p.index == thrower) throw std::runtime_error("part failed");
                          ++done;
                        }),
                        "part failed");
      CHECK(done == threads - 1);  // the other parts still ran to completion
      done = 0;
      pool.run([&](part) { ++done; });
      CHECK(done == threads);
    }
}

TEST_CASE("thread_pool survives many back-to-back runs", "[runtime][thread_pool][threads]") {
  for (int threads : {2, 3}) {
    thread_pool pool(threads);
    std::vector<long> sums(static_cast<std::size_t>(threads), 0);
    for (int r = 0; r < 10000; ++r) pool.run([&](part p) { sums[std::size_t(p.index)] += r; });
    for (long s : sums) CHECK(s == 10000L * 9999 / 2);
  }
}

TEST_CASE("thread_pool: a const callable and results visible after run", "[runtime][thread_pool][threads]") {
  thread_pool pool(2);
  std::vector<int> out(2, 0);
  const auto f = [&out](part p) { out[std::size_t(p.index)] = p.index + 1; };
  pool.run(f);
  CHECK(out == std::vector<int>{1, 2});
}
