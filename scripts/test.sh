#!/bin/sh
# The whole test suite, as CI runs it: a build with warnings as errors and
# its tests, then the same tests under AddressSanitizer and UBSan, then the
# library's tests and the command under valgrind.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (warnings are errors) and test" >&2
cmake -S . -B build-test -DNS_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-test -j"$jobs"
ctest --test-dir build-test --output-on-failure -j"$jobs"

echo "== install, and build examples/ against it out of the tree" >&2
sh scripts/test-install.sh build-test

echo "== the same under ASan+UBSan" >&2
cmake -S . -B build-asan -DNS_WERROR=ON -DCMAKE_BUILD_TYPE=Debug \
    -DNS_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== valgrind: API tests, the command, examples; threads under helgrind" >&2
sh scripts/valgrind.sh build-test
