"""The torchvision zoo that typenet's tools and tests cover, in one place and without importing torch
(make_fixtures.py reads it on every CTest run, where a cached run must stay fast).

MODELS     torchvision names, in fixture order (typenet's registry is include/typenet/models/zoo.hpp;
           tools/check_zoo_list.py checks that both list the same models).
NATIVE     a model's native input size (height, width) when it is not 224x224: its typenet type's.
EVAL_FORM  constructor arguments beyond weights=None: the eval form typenet models. GoogLeNet and
           Inception-v3 without their auxiliary classifiers (used in training only) and without
           transform_input (the re-normalisation for their ported pretrained weights).
"""

MODELS = ("resnext50_32x4d", "resnet50", "resnet18", "resnet34", "resnet101", "resnet152", "wide_resnet50_2",
          "resnext101_32x8d", "resnext101_64x4d", "mobilenet_v2", "vgg11_bn", "vgg16_bn", "alexnet",
          "densenet121", "regnet_x_400mf", "regnet_y_400mf", "mnasnet1_0", "shufflenet_v2_x1_0",
          "mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_b0", "efficientnet_v2_s", "squeezenet1_1",
          "googlenet", "inception_v3")

NATIVE = {
    "inception_v3": (299, 299),
}

EVAL_FORM = {
    "googlenet": dict(aux_logits=False, transform_input=False),
    "inception_v3": dict(aux_logits=False, transform_input=False),
}


def eval_form(name, init_weights=True):
    """The constructor arguments of `name`'s eval form. init_weights=True asks for torchvision's
    truncated-normal init explicitly (so it does not warn); benchmarks pass False to skip it."""
    form = dict(EVAL_FORM.get(name, {}))
    if form:
        form["init_weights"] = init_weights
    return form


def native_size(name):
    return NATIVE.get(name, (224, 224))
