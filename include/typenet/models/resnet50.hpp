#pragma once
// models::resnet50(_t): see resnet.hpp, which has the whole family.
#include "resnet.hpp"
