// Compile-time budgets: fits<M, B> as a predicate, within<M, B> as a check that compiles only
// within the budget (tests/compile_fail/budget_*.cpp: one per quantity, with both numbers).
#include <catch2/catch.hpp>
#include <typenet/dynamic/model.hpp>
#include <typenet/typenet.hpp>

namespace {
using namespace typenet;
using models::resnet50;
// ResNet-50: 25,557,032 parameters, 4,089,184,256 MACs, 6,422,528 activation bytes per image.
static_assert(param_count_v<resnet50> == 25'557'032 && macs_v<resnet50> == 4'089'184'256);
static_assert(activation_bytes_v<resnet50> == 6'422'528);

static_assert(within<resnet50, budget{.params = 26'000'000, .macs = 4'300'000'000, .activation_bytes = 8'000'000}>);
static_assert(within<resnet50, budget{}>);  // no limits
static_assert(fits<resnet50, budget{.params = 25'557'032, .macs = 4'089'184'256, .activation_bytes = 6'422'528}>);  // limits included
static_assert(!fits<resnet50, budget{.params = 25'557'031}>);
static_assert(!fits<resnet50, budget{.macs = 4'089'184'255}>);
static_assert(!fits<resnet50, budget{.activation_bytes = 6'422'527}>);
// A broken model fits no budget, and the predicate is not a compile error.
static_assert(!fits<model<input<3, 8, 8>, conv2d<4, 9>>, budget{}>);
}  // namespace

TEST_CASE("budgets are compile-time predicates", "[budget]") {
  // The same figures, at run time, from the dynamic front end.
  const dynamic::model m = dynamic::model::of<resnet50>();
  CHECK(m.param_count() <= 26'000'000);
  CHECK(m.memory().bytes == activation_bytes_v<resnet50>);
}
