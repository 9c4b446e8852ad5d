#!/bin/sh
# The two Quick-start commands of the README.
#   quickstart.sh demo   install what is missing, build, run the demo rack (foreground)
#   quickstart.sh test   install what is missing, build, run every test (ends with CTest's summary)
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
    exec ctest --test-dir build --output-on-failure --timeout 900
    ;;
*)
    usage
    ;;
esac
