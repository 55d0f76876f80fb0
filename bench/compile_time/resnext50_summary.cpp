// The translation unit whose compile time and peak memory the README reports: the statically
// checked ResNeXt-50 and its summary. Measured by tools/compile_time.sh.
#include <iostream>
#include <typenet/typenet.hpp>
int main() { typenet::print_summary<typenet::models::resnext50_32x4d>(std::cout, "resnext50_32x4d"); }
