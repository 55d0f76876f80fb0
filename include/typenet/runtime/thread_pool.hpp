#pragma once
// A persistent thread team. run(f) calls f(kernels::part{i, size()}) once for every i in
// [0, size()), the calling thread doing part 0, and returns when all parts are done.
//
// - No allocation per run: the pool stores a pointer to the callable and a trampoline.
// - Low-latency dispatch: workers spin briefly on a generation counter, then sleep on a condition
//   variable; the caller likewise spins, then sleeps, until the parts are done. (Not
//   std::atomic::wait: GCC 12's libstdc++ lost wake-ups under this pattern and deadlocked.)
// - An exception thrown by any part is caught and rethrown from run() once every part has
//   finished (the first one by part index if several threw).
// - size() == 1 starts no threads: run(f) just calls f(part{0, 1}).
//
// Concurrency contract: a pool is one team for one caller at a time. run() from a second thread
// while a run() is in progress throws std::logic_error (it would hand the team a second job and
// drop work), and so does run() from inside one of the pool's own parts (re-entry: it would wait
// for itself forever); both are detected whatever size(), so the misuse shows with 1 thread too.
// Cost: one atomic exchange and a thread_local read per run. A part may run another pool.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <typenet/kernels/geometry.hpp>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace typenet::runtime {

class thread_pool {
 public:
  // The most threads a pool (an executor, the CLI's --threads) takes: more is a typo, not a machine.
  static constexpr int max_threads = 1024;

  explicit thread_pool(int threads = default_threads()) : size_(threads) {
    if (threads < 1 || threads > max_threads)
      throw std::invalid_argument("thread_pool: threads must be from 1 to " + std::to_string(max_threads) + ", got " +
                                  std::to_string(threads));
    errors_.resize(std::size_t(threads));
    workers_.reserve(std::size_t(threads - 1));
    try {
      for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { work(i); });
    } catch (...) {
      shutdown();
      throw;
    }
  }
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;
  ~thread_pool() { shutdown(); }

  int size() const { return size_; }

  template <class F>
  void run(F&& f) {
    using fn_t = std::remove_reference_t<F>;
    const exclusive_run in_run(*this);
    if (size_ == 1) {
      f(kernels::part{0, 1});
      return;
    }
    callable_ = const_cast<void*>(static_cast<const void*>(std::addressof(f)));
    trampoline_ = [](void* c, kernels::part p) { (*static_cast<fn_t*>(c))(p); };
    pending_.store(size_ - 1, std::memory_order_relaxed);
    advance_generation();
    try {
      f(kernels::part{0, size_});
    } catch (...) {
      errors_[0] = std::current_exception();
    }
    for (int spin = 0;; ++spin) {  // wait for the workers
      const int left = pending_.load(std::memory_order_acquire);
      if (left == 0) break;
      if (spin < spin_limit) {
        pause();
      } else {
        std::unique_lock lock(mutex_);
        done_.wait(lock, [&] { return pending_.load(std::memory_order_acquire) == 0; });
      }
    }
    for (auto& e : errors_)
      if (e) {
        std::exception_ptr first = std::move(e);
        for (auto& rest : errors_) rest = nullptr;
        std::rethrow_exception(first);
      }
  }

  // Every core, at most max_threads.
  static int default_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : int(std::min(n, unsigned(max_threads)));
  }

 private:
  static constexpr int spin_limit = 1 << 12;

  // The pool whose part this thread is running (workers: their own pool for life; a caller: the
  // pool it is in run() of), to tell re-entry from a second caller.
  static const thread_pool*& current() {
    static thread_local const thread_pool* pool = nullptr;
    return pool;
  }

  // Holds the pool for one run() (released however run() ends), or throws if it is taken.
  class exclusive_run {
   public:
    explicit exclusive_run(thread_pool& pool) : pool_(pool), outer_(current()) {
      if (outer_ == &pool)
        throw std::logic_error("thread_pool::run: called from inside one of the pool's own parts; re-entry would "
                               "deadlock (run nested work inline or on another pool)");
      if (pool.running_.exchange(true, std::memory_order_acquire))
        throw std::logic_error("thread_pool::run: called while another thread's run() on the same pool is in "
                               "progress; a pool serves one caller at a time (use one pool per thread)");
      current() = &pool;
    }
    ~exclusive_run() {
      current() = outer_;
      pool_.running_.store(false, std::memory_order_release);
    }
    exclusive_run(const exclusive_run&) = delete;
    exclusive_run& operator=(const exclusive_run&) = delete;

   private:
    thread_pool& pool_;
    const thread_pool* outer_;
  };

  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#else
    std::this_thread::yield();
#endif
  }

  void work(int index) {
    current() = this;
    unsigned seen = 0;  // the generation at construction: a run may start before this thread does
    for (;;) {
      unsigned now;
      for (int spin = 0;; ++spin) {
        now = generation_.load(std::memory_order_acquire);
        if (now != seen) break;
        if (spin < spin_limit) {
          pause();
        } else {
          std::unique_lock lock(mutex_);
          wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        }
      }
      seen = now;
      if (stop_.load(std::memory_order_acquire)) return;
      try {
        trampoline_(callable_, kernels::part{index, size_});
      } catch (...) {
        errors_[std::size_t(index)] = std::current_exception();
      }
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard lock(mutex_);  // the caller either sees 0 or is already waiting
        done_.notify_one();
      }
    }
  }

  // Under the mutex, so a worker about to sleep either sees the new generation or gets the notify.
  void advance_generation() {
    {
      std::lock_guard lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
  }

  void shutdown() {
    stop_.store(true, std::memory_order_release);
    advance_generation();
    for (auto& t : workers_)
      if (t.joinable()) t.join();
    workers_.clear();
  }

  int size_;
  std::vector<std::thread> workers_;
  std::vector<std::exception_ptr> errors_;  // one slot per part, allocated once
  void* callable_ = nullptr;
  void (*trampoline_)(void*, kernels::part) = nullptr;
  alignas(64) std::atomic<unsigned> generation_{0};
  alignas(64) std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{false};  // a run() is in progress
  std::mutex mutex_;
  std::condition_variable wake_, done_;
};

}  // namespace typenet::runtime
