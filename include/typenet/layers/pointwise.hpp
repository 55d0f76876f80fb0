#pragma once
// The op kind of a pointwise activation y = F(x), from one scalar function: the reference path
// evaluates it in double, the fast path in float over the part's share of the whole batch (or
// with F's own vector loop, if it has one). An activation then is a few lines in its own file.
//   struct F {
//     static constexpr std::string_view kind = "name";
//     template <class T> static T apply(T x);
//     static void apply_fast(long n, const float* in, float* out);  // optional: a vector loop
//     static constexpr kernels::activation fused = ...;             // optional: what a conv's
//   };                                                              // store applies instead
// With `fused`, the planner lets the conv before it apply it in its store (kernels/epilogue.hpp
// holds the fast kernels' version of each); the reference path still runs F::apply.
#include "../layer.hpp"

namespace typenet::ops {

template <class F>
struct pointwise {
  static constexpr std::string_view kind = F::kind;
  struct attributes {};
  using rules = rule_list<>;
  static constexpr runtime::fusion_traits fusion{.activation = requires { F::fused; }, .relu = [] {
    if constexpr (requires { F::fused; }) return F::fused == kernels::activation::relu; else return false;
  }()};

  class call final : public runtime::call {
   public:
    explicit call(long size) : size_(size) {}
    void run(const runtime::io& x, int batch, kernels::part p) const override {
      long begin, end;
      runtime::element_range(size_ * batch, p, begin, end);
      const float* in = x.in[0];
      float* out = x.out;
      if (!fast_)
        reference(end - begin, in + begin, out + begin);
      else if constexpr (requires { F::apply_fast(end, in, out); })
        F::apply_fast(end - begin, in + begin, out + begin);
      else
        for (long i = begin; i < end; ++i) out[i] = F::apply(in[i]);
    }
    void prepare(bool fast) override { fast_ = fast; }
    const runtime::activation* as_activation() const override {
      if constexpr (requires { F::fused; }) {
        static constexpr runtime::activation a{F::fused, &reference};
        return &a;
      } else {
        return nullptr;
      }
    }
    static void reference(long n, const float* in, float* out) {
      for (long i = 0; i < n; ++i) out[i] = float(F::apply(double(in[i])));
    }

   private:
    long size_;
    bool fast_ = false;
  };

  static runtime::value emit(const attributes&, ir::emit_context& ctx) { return ctx.add(std::make_shared<call>(ctx.in.size())); }
};

}  // namespace typenet::ops
