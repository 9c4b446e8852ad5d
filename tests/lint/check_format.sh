#!/bin/sh
# Fails when a tracked C++ file differs from what clang-format (the
# repository's .clang-format) would make of it. Fix with:
#   git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
set -eu
cd "$(dirname "$0")/../.."
if ! command -v clang-format >/dev/null 2>&1; then
    echo "check_format: clang-format is not installed (sh tests/tools/install-deps.sh installs it)" >&2
    exit 1
fi
bad=0
for f in $(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find firmware chassis-service simulator tests -name '*.[ch]pp'); do
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "check_format: $f is not formatted" >&2
        bad=1
    fi
done
[ "$bad" -eq 0 ] && echo "check_format: every C++ file is formatted"
exit "$bad"
