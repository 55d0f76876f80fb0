#pragma once
// The zoo's registry: every torchvision classifier typenet has as a type, under torchvision's name,
// with its static type at the native input size and torchvision's evaluation transform for its
// IMAGENET1K_V1 weights: Resize(resize, filter), CenterCrop(native size). Adding a model to the
// `typenet` command (and to anything else that walks the zoo) is one line in `zoo` below; its
// header is reached through the umbrella typenet.hpp, where every model already has its line.
#include <string_view>

#include "../typenet.hpp"

namespace typenet::models {

// The resampling filter of torchvision's Resize for the model's weights (PIL's, on images).
enum class interpolation { bilinear, bicubic };

template <fixed_string Name, model_type M, int Resize = 256, interpolation Filter = interpolation::bilinear>
struct zoo_entry {
  static_assert(M::input_shape::height == M::input_shape::width,
                "zoo_entry: the native input must be square (torchvision's CenterCrop(size) is)");
  static_assert(Resize >= M::input_shape::height, "zoo_entry: the Resize size must be at least the crop (native) size");
  static constexpr std::string_view name = Name.view();
  using type = M;
  static constexpr dims input = M::input_shape::dims;
  static constexpr int resize = Resize;  // the shorter side before the centre crop
  static constexpr interpolation filter = Filter;
};

// Alphabetical, as torchvision.models.list_models() lists them.
using zoo = typenet::detail::type_list<
    zoo_entry<"alexnet", alexnet>,
    zoo_entry<"densenet121", densenet121>,
    zoo_entry<"efficientnet_b0", efficientnet_b0, 256, interpolation::bicubic>,
    zoo_entry<"efficientnet_v2_s", efficientnet_v2_s_t<384, 384>, 384>,
    zoo_entry<"googlenet", googlenet>,
    zoo_entry<"inception_v3", inception_v3, 342>,
    zoo_entry<"mnasnet1_0", mnasnet1_0>,
    zoo_entry<"mobilenet_v2", mobilenet_v2>,
    zoo_entry<"mobilenet_v3_large", mobilenet_v3_large>,
    zoo_entry<"mobilenet_v3_small", mobilenet_v3_small>,
    zoo_entry<"regnet_x_400mf", regnet_x_400mf>,
    zoo_entry<"regnet_y_400mf", regnet_y_400mf>,
    zoo_entry<"resnet18", resnet18>,
    zoo_entry<"resnet34", resnet34>,
    zoo_entry<"resnet50", resnet50>,
    zoo_entry<"resnet101", resnet101>,
    zoo_entry<"resnet152", resnet152>,
    zoo_entry<"resnext50_32x4d", resnext50_32x4d>,
    zoo_entry<"resnext101_32x8d", resnext101_32x8d>,
    zoo_entry<"resnext101_64x4d", resnext101_64x4d, 232>,
    zoo_entry<"shufflenet_v2_x1_0", shufflenet_v2_x1_0>,
    zoo_entry<"squeezenet1_1", squeezenet1_1>,
    zoo_entry<"vgg11_bn", vgg11_bn>,
    zoo_entry<"vgg16_bn", vgg16_bn>,
    zoo_entry<"wide_resnet50_2", wide_resnet50_2>>;

namespace detail {
template <class List>
inline constexpr int zoo_size = 0;
template <class... E>
inline constexpr int zoo_size<typenet::detail::type_list<E...>> = int(sizeof...(E));
}  // namespace detail

inline constexpr int zoo_size = detail::zoo_size<zoo>;

}  // namespace typenet::models
