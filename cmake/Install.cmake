# Install.cmake: what `cmake --install` puts in place, and how other builds
# find it: libnsearch (shared, with its SONAME, and static), nsearch.h,
# nsearch.pc, nsearchConfig.cmake exporting nsearch::nsearch and
# nsearch::nsearch_static, and the nsearch command with its man page.
# Included by the top-level CMakeLists.txt after the targets are defined.
include(CMakePackageConfigHelpers)

# The dependencies the static library needs, as PREFIX=pkg-config-module:
# the prefixes are the ones the top-level pkg_check_modules calls use, so
# the exported link interface (PkgConfig::PREFIX) resolves in the config.
set(NS_PC_DEPS XAPIAN=xapian-core UTF8PROC=libutf8proc ZSTD=libzstd
    LIBARCHIVE=libarchive ISAL=libisal LZMA=liblzma LIBXML2=libxml-2.0
    JSONC=json-c BROTLIDEC=libbrotlidec)
set(NS_PC_REQUIRES_PRIVATE)
foreach(dep ${NS_PC_DEPS})
    string(REGEX REPLACE "^[A-Z0-9_]+=" "" module ${dep})
    list(APPEND NS_PC_REQUIRES_PRIVATE ${module})
endforeach()
string(REPLACE ";" " " NS_PC_REQUIRES_PRIVATE "${NS_PC_REQUIRES_PRIVATE}")
# libbz2 has no .pc file; libnsearch's C++ core needs libstdc++.
set(NS_PC_LIBS_PRIVATE "-lbz2 -lstdc++ -lm -lpthread")

# Only ns_* leaves the shared library (cmake/libnsearch.map).
target_link_options(nsearch PRIVATE
    "LINKER:--version-script=${PROJECT_SOURCE_DIR}/cmake/libnsearch.map")
set_property(TARGET nsearch APPEND PROPERTY
    LINK_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/libnsearch.map)

install(TARGETS nsearch nsearch_static
    EXPORT nsearchTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The readers module that libnsearch.so and the command load to index
# (readers.h).
install(TARGETS nsearch_readers
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/nsearch)
install(FILES ${PROJECT_SOURCE_DIR}/include/nsearch.h
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/docs/nsearch.1
    DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# pkg-config.  The prefix is found from where nsearch.pc lies, so that
# `cmake --install --prefix DIR` gives a right file; absolute install dirs
# (a libdir given as a full path) are used as they are.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    set(NS_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
    set(NS_PC_PREFIX "\${pcfiledir}")
    string(REPLACE "/" ";" _ns_parts "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
    foreach(_ns_part ${_ns_parts})
        string(APPEND NS_PC_PREFIX "/..")
    endforeach()
endif()
foreach(d LIBDIR INCLUDEDIR)
    if(IS_ABSOLUTE "${CMAKE_INSTALL_${d}}")
        set(NS_PC_${d} "${CMAKE_INSTALL_${d}}")
    else()
        set(NS_PC_${d} "\${prefix}/${CMAKE_INSTALL_${d}}")
    endif()
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/cmake/nsearch.pc.in
    ${PROJECT_BINARY_DIR}/nsearch.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/nsearch.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake package.
set(NS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/nsearch)
install(EXPORT nsearchTargets NAMESPACE nsearch:: DESTINATION ${NS_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/nsearchConfig.cmake.in
    ${PROJECT_BINARY_DIR}/nsearchConfig.cmake
    INSTALL_DESTINATION ${NS_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nsearchConfigVersion.cmake
    COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nsearchConfig.cmake
    ${PROJECT_BINARY_DIR}/nsearchConfigVersion.cmake
    DESTINATION ${NS_CMAKE_DIR})

# The same names for builds that include this tree (add_subdirectory,
# FetchContent) as for those that find it installed.
add_library(nsearch::nsearch ALIAS nsearch)
add_library(nsearch::nsearch_static ALIAS nsearch_static)
