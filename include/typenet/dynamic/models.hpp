#pragma once
// The zoo's dynamic twins: each lowered from its static type (models/), so a network is written
// once. Any other static model M: dynamic::model::of<M>().
#include "../layers/linear.hpp"
#include "../models/resnet50.hpp"
#include "../models/resnext50.hpp"
#include "model.hpp"

namespace typenet::dynamic {

namespace detail {
// A torchvision classifier type at h x w with `classes` outputs: its description lowered from the
// type, the head ("fc", its last layer) rebuilt for the class count.
template <model_type M>
model classifier(int h, int w, int classes) {
  auto body = lower<typename M::body>();
  body.children.back() = named("fc", linear(classes));
  return model({M::input_shape::channels, h, w}, std::move(body));
}
}  // namespace detail

inline model resnext50_32x4d(int h = 224, int w = 224, int classes = 1000) {
  return detail::classifier<models::resnext50_32x4d>(h, w, classes);
}
inline model resnet50(int h = 224, int w = 224, int classes = 1000) { return detail::classifier<models::resnet50>(h, w, classes); }

}  // namespace typenet::dynamic
