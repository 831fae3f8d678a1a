# packaging.cmake: the tests of the library as others embed it (included
# by tests/CMakeLists.txt):
# - api_symbols: the exports are exactly nsearch.h's, the SONAME, and the
#   CLI and examples as clients of the public header only (symbols.sh);
# - headertest_c99, headertest_cxx, headertest_cxx98: nsearch.h compiles
#   as C99 -pedantic, as C++11 and as C++98 with every warning an error,
#   and links;
# - test_api_threads (a test_api_*.c, registered by the glob) needs
#   nothing here.
add_test(NAME api_symbols COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/symbols.sh)
set_tests_properties(api_symbols PROPERTIES ENVIRONMENT
    "${NS_TEST_ENV};NS_LIB=$<TARGET_FILE:nsearch>;NS_STATIC=$<TARGET_FILE:nsearch_static>;NS_CLI_OBJECTS=$<JOIN:$<TARGET_OBJECTS:ns_cli>,:>")

# The header tests are built by a test, not by the build: a header that
# does not compile as C99 or C++ fails these tests, and does not stop
# everyone's build.
add_executable(headertest_c99 EXCLUDE_FROM_ALL
    ${CMAKE_CURRENT_LIST_DIR}/headertest.c)
set_target_properties(headertest_c99 PROPERTIES C_STANDARD 99
    C_STANDARD_REQUIRED ON C_EXTENSIONS OFF LINKER_LANGUAGE CXX)
target_compile_options(headertest_c99 PRIVATE -Wall -Wextra -pedantic-errors
    -Werror -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wshadow
    -Wcast-qual -Wwrite-strings -Wmissing-field-initializers)
add_executable(headertest_cxx EXCLUDE_FROM_ALL
    ${CMAKE_CURRENT_LIST_DIR}/headertest_cxx.cc)
set_target_properties(headertest_cxx PROPERTIES CXX_STANDARD 11
    CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
target_compile_options(headertest_cxx PRIVATE -Wall -Wextra -pedantic-errors
    -Werror -Wold-style-cast -Wshadow -Wundef -Wmissing-field-initializers)
add_executable(headertest_cxx98 EXCLUDE_FROM_ALL
    ${CMAKE_CURRENT_LIST_DIR}/headertest_cxx98.cc)
set_target_properties(headertest_cxx98 PROPERTIES CXX_STANDARD 98
    CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
target_compile_options(headertest_cxx98 PRIVATE -Wall -Wextra
    -pedantic-errors -Werror -Wshadow -Wundef)
foreach(t headertest_c99 headertest_cxx headertest_cxx98)
    target_link_libraries(${t} PRIVATE nsearch)
    add_test(NAME ${t}_build COMMAND ${CMAKE_COMMAND} --build
        ${PROJECT_BINARY_DIR} --config $<CONFIG> --target ${t})
    set_tests_properties(${t}_build PROPERTIES FIXTURES_SETUP ${t}
        RESOURCE_LOCK ns_build_tree)
    add_test(NAME ${t} COMMAND ${t})
    set_tests_properties(${t} PROPERTIES FIXTURES_REQUIRED ${t})
endforeach()
