#pragma once
// The op kind of a pointwise activation y = F(x), from one scalar function: the reference path
// evaluates it in double, the fast path in float over the part's share of the whole batch. An
// activation then is a few lines in its own file (layers/sigmoid.hpp, ...).
//   struct F { static constexpr std::string_view kind = "name"; template <class T> static T apply(T x); };
#include "../layer.hpp"

namespace typenet::ops {

template <class F>
struct pointwise {
  static constexpr std::string_view kind = F::kind;
  struct attributes {};
  using rules = rule_list<>;

  class call final : public runtime::call {
   public:
    explicit call(long size) : size_(size) {}
    void run(const runtime::io& x, int batch, kernels::part p) const override {
      long begin, end;
      runtime::element_range(size_ * batch, p, begin, end);
      const float* in = x.in[0];
      float* out = x.out;
      if (fast_)
        for (long i = begin; i < end; ++i) out[i] = F::apply(in[i]);
      else
        for (long i = begin; i < end; ++i) out[i] = float(F::apply(double(in[i])));
    }
    void prepare(bool fast) override { fast_ = fast; }

   private:
    long size_;
    bool fast_ = false;
  };

  static runtime::value emit(const attributes&, ir::emit_context& ctx) { return ctx.add(std::make_shared<call>(ctx.in.size())); }
};

}  // namespace typenet::ops
