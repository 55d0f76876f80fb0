// The concurrency contract (runtime/executor.hpp, runtime/thread_pool.hpp): one forward() at a
// time per executor and one run() at a time per pool, misuse detected and reported instead of a
// corrupted heap, dropped work or a deadlock; executors on several threads sharing one set of
// weights give the single-threaded answer bit for bit. Tagged [threads]: the TSan build runs them.
// Overlaps are made deterministic by a kernel that holds its forward() at a gate until released.
#include <catch2/catch.hpp>

#include "random_input.hpp"

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <typenet/dynamic/executor.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace {
using namespace typenet;
namespace dy = typenet::dynamic;
using Catch::Matchers::Contains;
using typenet::kernels::part;
using typenet::runtime::thread_pool;

// A one-shot rendezvous: the holder waits at the gate until the test releases it.
class gate {
 public:
  void enter_and_wait() {
    std::unique_lock lock(mutex_);
    entered_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return released_; });
  }
  void wait_entered() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return entered_; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool entered_ = false, released_ = false;
};

// A test op kind: y = x, but the first element after arming holds at the armed gate, throws, or
// calls forward() on the armed executor (from inside its own kernel).
std::atomic<gate*> armed_gate{nullptr};
std::atomic<bool> armed_throw{false};
std::atomic<detail::executor_core*> armed_reentry{nullptr};
struct held_identity_fn {
  static constexpr std::string_view kind = "held_identity";
  template <class T>
  static T apply(T x) {
    if (gate* g = armed_gate.exchange(nullptr)) g->enter_and_wait();
    if (armed_throw.exchange(false)) throw std::runtime_error("held_identity: armed to throw");
    if (detail::executor_core* ex = armed_reentry.exchange(nullptr)) {
      float in[6] = {}, out[6];
      ex->forward(in, out, 1);
    }
    return x;
  }
};
using held_identity_op = ops::pointwise<held_identity_fn>;
struct held_identity : layer_of<held_identity_op> {};
using held_model = model<input<1, 2, 3>, held_identity>;

dy::model dynamic_held() { return dy::model({1, 2, 3}, ir::make<held_identity_op>({})); }

// Residual blocks, every fusion pattern, pools: a small ResNet-ish model that still runs in
// milliseconds under TSan.
using resnetish = model<input<3, 24, 20>,
                        named<"stem", conv2d<16, 3, 2, 1, 1, false>>, named<"bn", batch_norm>, relu, max_pool<3, 2, 1>,
                        named<"b1", resnext::block<16, 2, true, 4>>,
                        named<"b2", resnext::block<16, 1, false, 4>>,
                        global_avg_pool, named<"fc", linear<10>>>;

using test::random_input;

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// While `first` holds a forward() of `ex` at the gate, a second forward() must throw; afterwards
// both the held call and a new one complete with the right answer.
template <class Executor>
void check_second_forward_throws(Executor& ex) {
  const std::vector<float> x{1, 2, 3, 4, 5, 6};
  std::vector<float> y1(6, 0.0f), y2(6, 0.0f);
  gate g;
  armed_gate = &g;
  std::thread first([&] { ex.forward(x.data(), y1.data(), 1); });
  g.wait_entered();
  CHECK_THROWS_AS(ex.forward(x.data(), y2.data(), 1), std::logic_error);
  CHECK_THROWS_WITH(ex.forward(std::span<const float>(x), std::span<float>(y2), 1),
                    Contains("executor::forward: called while another forward() on the same executor is running") &&
                        Contains("use one executor per thread"));
  g.release();
  first.join();
  CHECK(y1 == x);
  CHECK(y2 == std::vector<float>(6, 0.0f));  // the refused call wrote nothing
  ex.forward(x.data(), y2.data(), 1);         // the flag is free again
  CHECK(y2 == x);
}
}  // namespace

TEST_CASE("a second concurrent forward() on one executor throws, both front ends", "[threads][executor]") {
  for (int threads : {1, 2}) {
    INFO("threads " << threads);
    executor<held_model> s(weight_store{}, {.threads = threads});
    check_second_forward_throws(s);
    dy::executor d(dynamic_held(), weight_store{}, {.threads = threads});
    check_second_forward_throws(d);
  }
}

TEST_CASE("forward() from inside one of its own kernels throws instead of deadlocking", "[threads][executor]") {
  for (int threads : {1, 2}) {
    INFO("threads " << threads);
    executor<held_model> ex(weight_store{}, {.threads = threads});
    const std::vector<float> x{1, 2, 3, 4, 5, 6};
    std::vector<float> y(6, 0.0f);
    armed_reentry = &ex;
    CHECK_THROWS_WITH(ex.forward(x.data(), y.data(), 1),
                      Contains("executor::forward: called while another forward() on the same executor is running"));
    ex.forward(x.data(), y.data(), 1);
    CHECK(y == x);
  }
}

TEST_CASE("the busy flag is released when forward() throws", "[threads][executor]") {
  executor<held_model> ex(weight_store{}, {.threads = 2, .max_batch = 2});
  const std::vector<float> x{1, 2, 3, 4, 5, 6};
  std::vector<float> y(6, 0.0f);
  CHECK_THROWS_WITH(ex.forward(x.data(), y.data(), 3), Contains("batch 3 outside 1..2"));
  armed_throw = true;  // a kernel throws in the middle of the plan
  CHECK_THROWS_WITH(ex.forward(x.data(), y.data(), 1), "held_identity: armed to throw");
  ex.forward(x.data(), y.data(), 1);
  CHECK(y == x);
}

TEST_CASE("thread_pool::run from inside one of its own parts throws instead of deadlocking", "[threads][thread_pool]") {
  for (int threads : {1, 2, 3}) {
    INFO("threads " << threads);
    thread_pool pool(threads);
    std::vector<int> refused(std::size_t(threads), 0), inner_parts(std::size_t(threads), 0);
    pool.run([&](part p) {
      try {
        pool.run([&](part) { ++inner_parts[std::size_t(p.index)]; });
      } catch (const std::logic_error& e) {
        if (std::string(e.what()).find("thread_pool::run: called from inside one of the pool's own parts") == 0)
          ++refused[std::size_t(p.index)];
      }
    });
    CHECK(refused == std::vector<int>(std::size_t(threads), 1));  // from the caller's part and every worker's
    CHECK(inner_parts == std::vector<int>(std::size_t(threads), 0));
    // Another pool may run inside a part.
    thread_pool other(2);
    std::atomic<int> nested{0};
    pool.run([&](part p) {
      if (p.index == 0) other.run([&](part) { ++nested; });
    });
    CHECK(nested == 2);
    std::atomic<int> after{0};
    pool.run([&](part) { ++after; });
    CHECK(after == threads);
  }
}

TEST_CASE("thread_pool::run from a second thread during a run throws; the first run completes", "[threads][thread_pool]") {
  for (int threads : {1, 2, 3}) {
    INFO("threads " << threads);
    thread_pool pool(threads);
    gate g;
    std::atomic<int> first_parts{0}, second_parts{0};
    std::thread first([&] {
      pool.run([&](part p) {
        if (p.index == 0) g.enter_and_wait();
        ++first_parts;
      });
    });
    g.wait_entered();
    CHECK_THROWS_WITH(pool.run([&](part) { ++second_parts; }),
                      Contains("thread_pool::run: called while another thread's run() on the same pool is in progress"));
    g.release();
    first.join();
    CHECK(first_parts == threads);  // no part of the first run was dropped
    CHECK(second_parts == 0);
    pool.run([&](part) { ++second_parts; });  // one after the other is fine, from any thread
    std::thread([&] { pool.run([&](part) { ++second_parts; }); }).join();
    CHECK(second_parts == 2 * threads);
  }
}

TEST_CASE("threads are bounded: 1..1024 for a pool, 0..1024 for an executor", "[threads][executor][thread_pool]") {
  CHECK(thread_pool::max_threads == 1024);
  CHECK_THROWS_WITH(thread_pool(1025), "thread_pool: threads must be from 1 to 1024, got 1025");
  CHECK_THROWS_WITH(executor<held_model>(weight_store{}, {.threads = 100000}),
                    "executor: threads must be from 0 (every core) to 1024, got 100000");
  CHECK_THROWS_WITH(dy::executor(dynamic_held(), weight_store{}, {.threads = -1}),
                    "executor: threads must be from 0 (every core) to 1024, got -1");
  CHECK(thread_pool::default_threads() >= 1);
  CHECK(thread_pool::default_threads() <= thread_pool::max_threads);
}

TEST_CASE("executors on two threads sharing one weight store match a single-threaded run bit for bit", "[threads][executor]") {
  const weight_store weights = seeded_weights<resnetish>(7);
  constexpr int inputs = 4, rounds = 6;
  constexpr long in_size = executor<resnetish>::input_size, out_size = executor<resnetish>::output_size;
  std::vector<std::vector<float>> x, expected;
  {
    executor<resnetish> single(weights, {.threads = 1});
    for (int i = 0; i < inputs; ++i) {
      x.push_back(random_input(in_size, 100 + std::uint64_t(i)));
      expected.emplace_back(std::size_t(out_size));
      single.forward(x.back().data(), expected.back().data(), 1);
    }
  }
  // Each thread runs its own executor; all of them read `weights` (const) or one shared plan.
  auto loop = [&](auto& ex, int& mismatches) {
    std::vector<float> y(static_cast<std::size_t>(out_size));
    for (int r = 0; r < rounds; ++r)
      for (int i = 0; i < inputs; ++i) {
        std::fill(y.begin(), y.end(), 0.0f);
        ex.forward(x[std::size_t(i)].data(), y.data(), 1);
        if (!same_bits(y, expected[std::size_t(i)])) ++mismatches;
      }
  };
  SECTION("two executors made from the store, one built on each thread") {
    int m1 = 0, m2 = 0;
    std::thread t1([&] { executor<resnetish> ex(weights, {.threads = 2}); loop(ex, m1); });
    std::thread t2([&] { executor<resnetish> ex(weights, {.threads = 1}); loop(ex, m2); });
    t1.join(), t2.join();
    CHECK(m1 == 0);
    CHECK(m2 == 0);
  }
  SECTION("two executors sharing one set of packed weights, static and dynamic") {
    executor<resnetish> a(weights, {.threads = 2});
    executor<resnetish> b(a, {.threads = 1});
    CHECK(b.shares_weights_with(a));
    CHECK(b.threads() == 1);
    CHECK(b.op_count() == a.op_count());
    int m1 = 0, m2 = 0;
    std::thread t1([&] { loop(a, m1); });
    std::thread t2([&] { loop(b, m2); });
    t1.join(), t2.join();
    CHECK(m1 == 0);
    CHECK(m2 == 0);

    dy::executor da(dy::model::of<resnetish>(), weights, {.threads = 1});
    dy::executor db(da, {.threads = 2, .max_batch = 2});
    CHECK(db.shares_weights_with(da));
    CHECK_FALSE(db.shares_weights_with(a));
    m1 = m2 = 0;
    std::thread t3([&] { loop(da, m1); });
    std::thread t4([&] { loop(db, m2); });
    t3.join(), t4.join();
    CHECK(m1 == 0);
    CHECK(m2 == 0);
  }
}

TEST_CASE("an executor sharing another's plan must use its kernels", "[threads][executor]") {
  executor<held_model> fused(weight_store{}, {.threads = 1});
  CHECK_THROWS_WITH(executor<held_model>(fused, {.threads = 1, .fused = false}),
                    "executor: executor_options::fused must match the shared executor's (fused kernels)");
  executor<held_model> reference(weight_store{}, {.threads = 1, .fused = false});
  CHECK_THROWS_WITH(executor<held_model>(reference, {.threads = 1}),
                    "executor: executor_options::fused must match the shared executor's (reference kernels)");
  executor<held_model> shared(reference, {.threads = 2, .fused = false});
  CHECK(shared.shares_weights_with(reference));
  CHECK_FALSE(shared.fused());
}

// A squeeze-excitation folded into the 1x1 conv after it: each run scales the packed weights by
// its image's gate in working memory of its own (io::scratch, per executor and thread), so
// executors sharing the plan never write the same floats (TSan's tsan.threads checks it too).
using gated = model<input<3, 31, 29>, conv2d<16, 3, 2, 1>, batch_norm, hardswish, squeeze_excitation<16, 8, relu, hardsigmoid>,
                    conv2d<12, 1>, batch_norm, global_avg_pool, linear<5>>;

TEST_CASE("executors sharing the plan of a model with a folded squeeze-excitation match bit for bit", "[threads][executor]") {
  const weight_store weights = seeded_weights<gated>(3);
  constexpr long in_size = executor<gated>::input_size, out_size = executor<gated>::output_size;
  constexpr int images = 4, rounds = 3000;
  const std::vector<float> x = random_input(images * in_size, 11);
  std::vector<float> expected(std::size_t(images * out_size));
  executor<gated> a(weights, {.threads = 1, .max_batch = images});
  for (int n = 0; n < images; ++n) a.forward(x.data() + n * in_size, expected.data() + n * out_size, 1);
  executor<gated> b(a, {.threads = 2, .max_batch = images});
  REQUIRE(b.shares_weights_with(a));
  auto loop = [&](auto& ex, int batch, int& mismatches) {
    std::vector<float> y(std::size_t(batch * out_size));
    for (int r = 0; r < rounds; ++r)
      for (int n = 0; n + batch <= images; n += batch) {
        ex.forward(x.data() + n * in_size, y.data(), batch);
        if (std::memcmp(y.data(), expected.data() + n * out_size, y.size() * sizeof(float)) != 0) ++mismatches;
      }
  };
  int m1 = 0, m2 = 0;
  std::thread t1([&] { loop(a, 1, m1); });
  std::thread t2([&] { loop(b, 2, m2); });  // two images side by side on b's two threads
  t1.join(), t2.join();
  CHECK(m1 == 0);
  CHECK(m2 == 0);
}
