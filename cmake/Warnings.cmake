# Warnings, per target.  NS_WERROR turns them into errors (CI, developers).
option(NS_WERROR "warnings are errors" OFF)
set(NS_C_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wold-style-definition -Wcast-qual -Wcast-align
    -Wundef -Wwrite-strings -Wformat=2 -Wvla -Wimplicit-fallthrough)
set(NS_CXX_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
function(ns_target_warnings target)
    target_compile_options(${target} PRIVATE
        $<$<COMPILE_LANGUAGE:C>:${NS_C_WARNINGS}>
        $<$<COMPILE_LANGUAGE:CXX>:${NS_CXX_WARNINGS}>)
    if(NS_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
