# sg_module(NAME DIR): a static library of DIR's *.cpp (not recursive).
# Headers are included as "module/file.hpp" from src/.
#
# Private headers: the library's own sources are compiled with
# <NAME>_INTERNAL defined (sg_engine: SG_ENGINE_INTERNAL). A header private to
# a module starts with
#   #if !defined(SG_ENGINE_INTERNAL)
#   #error "engine/x.hpp is private to src/engine"
#   #endif
# so including it from any other library fails at compile time.
# sg_internal_access(TARGET MODULE...) lets a white-box test in.
function(sg_module name dir)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${dir}/*.cpp)
  if(NOT sources)
    set(sources ${CMAKE_BINARY_DIR}/empty_${name}.cpp)
    file(WRITE ${sources} "// ${dir} has no sources yet\n")
  endif()
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  string(TOUPPER "${name}" upper)
  target_compile_definitions(${name} PRIVATE ${upper}_INTERNAL)
endfunction()

function(sg_internal_access target)
  foreach(module ${ARGN})
    string(TOUPPER "${module}" upper)
    target_compile_definitions(${target} PRIVATE ${upper}_INTERNAL)
  endforeach()
endfunction()

# spdlog: the shared library for development builds, header-only for the
# static build (Debian ships spdlog/fmt as shared libraries only).
add_library(sg_spdlog INTERFACE)
if(SCHEMAGATE_STATIC)
  target_compile_definitions(sg_spdlog INTERFACE SPDLOG_HEADER_ONLY FMT_HEADER_ONLY)
else()
  target_link_libraries(sg_spdlog INTERFACE spdlog::spdlog)
endif()
