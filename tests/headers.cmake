# Every public header compiles on its own: one generated .cpp per include/typenet/**/*.hpp that
# includes only that header (twice, so a missing include guard shows too), all compiled by the
# OBJECT library `typenet_header_check`, which is part of `all`: a header that is not
# self-contained breaks the build. Included from tests/CMakeLists.txt.
file(GLOB_RECURSE typenet_public_headers CONFIGURE_DEPENDS
  RELATIVE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/include/typenet/*.hpp)
list(SORT typenet_public_headers)

set(header_check_dir ${CMAKE_CURRENT_BINARY_DIR}/header_check)
set(header_check_sources)
foreach(header IN LISTS typenet_public_headers)
  string(MAKE_C_IDENTIFIER "${header}" id)
  set(source ${header_check_dir}/${id}.cpp)
  # file(CONFIGURE) rewrites the file only when its content changes: no needless recompiles.
  file(CONFIGURE OUTPUT ${source} CONTENT "#include <${header}>\n#include <${header}>\n" @ONLY)
  list(APPEND header_check_sources ${source})
endforeach()

# Drop the files of headers that no longer exist.
file(GLOB header_check_stale ${header_check_dir}/*.cpp)
if(header_check_sources)
  list(REMOVE_ITEM header_check_stale ${header_check_sources})
endif()
if(header_check_stale)
  file(REMOVE ${header_check_stale})
endif()

if(header_check_sources)
  add_library(typenet_header_check OBJECT ${header_check_sources})
  target_link_libraries(typenet_header_check PRIVATE typenet_dev)
endif()
