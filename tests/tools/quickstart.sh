#!/bin/sh
# The two Quick-start commands of the README.
#   quickstart.sh demo   install what is missing, build, run the demo rack (foreground)
#   quickstart.sh test   install what is missing, build, run every test (CTest's summary), then
#                        build the ASan+UBSan preset (build-asan/) and run its unit and
#                        integration tests (CTest's summary); exits non-zero if either run fails
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

usage() {
    echo "usage: $0 demo|test" >&2
    exit 2
}
[ $# -eq 1 ] || usage

build() {
    sh tests/tools/install-deps.sh
    cmake --preset default >/dev/null
    cmake --build --preset default
}

case "$1" in
demo)
    build
    exec /usr/bin/python3 simulator/demo/demo.py --bin "$ROOT/build/bin"
    ;;
test)
    build
    status=0
    ctest --test-dir build --output-on-failure --timeout 900 --output-log build/ctest.log || status=1

    # The sanitizer build: its test preset sets ASAN_OPTIONS/UBSAN_OPTIONS (halt on the
    # first error, leak checks) and sends every report, also those of the cmcd/cmcsim
    # processes the Python tests start, to build-asan/sanitizer-logs/.
    cmake --preset asan >/dev/null
    cmake --build --preset asan
    rm -rf build-asan/sanitizer-logs
    mkdir -p build-asan/sanitizer-logs
    asan=0
    ctest --preset asan -L 'unit|integration' --output-log build-asan/ctest.log || asan=1
    reports=$(find build-asan/sanitizer-logs -type f | sort)
    if [ -n "$reports" ]; then
        asan=1
        for r in $reports; do
            echo "=== sanitizer report $r"
            cat "$r"
        done
    fi

    echo
    echo "quickstart: default build (build/), every test:"
    grep -E "tests passed|tests failed" build/ctest.log || echo "  no CTest summary"
    echo "quickstart: sanitizer build (build-asan/), unit and integration tests:"
    grep -E "tests passed|tests failed" build-asan/ctest.log || echo "  no CTest summary"
    echo "  sanitizer reports: $(echo "$reports" | grep -c . || true)"
    if [ "$status" -ne 0 ] || [ "$asan" -ne 0 ]; then
        echo "quickstart: FAILED"
        exit 1
    fi
    echo "quickstart: both runs passed"
    ;;
*)
    usage
    ;;
esac
