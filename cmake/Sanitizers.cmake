# NS_SANITIZE=address,undefined builds everything instrumented (before any
# target is defined, so it applies to all of them).
set(NS_SANITIZE "" CACHE STRING "sanitizers, e.g. address,undefined")
if(NS_SANITIZE)
    add_compile_options(-fsanitize=${NS_SANITIZE} -fno-omit-frame-pointer
                        -fno-sanitize-recover=all)
    add_link_options(-fsanitize=${NS_SANITIZE})
endif()
