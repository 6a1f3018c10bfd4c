# reprieve_set_warnings(target): Reprieve's warning set, on our targets only.
function(reprieve_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
  if(REPRIEVE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(REPRIEVE_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON)
  endif()
endfunction()

# reprieve_library(name SOURCES...): a static library target reprieve_<name>, aliased
# reprieve::<name>, with the include root src/.
function(reprieve_library name)
  add_library(reprieve_${name} STATIC ${ARGN})
  add_library(reprieve::${name} ALIAS reprieve_${name})
  target_include_directories(reprieve_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  reprieve_set_warnings(reprieve_${name})
endfunction()
