#!/bin/sh
# Runs clang-tidy (the repository's .clang-tidy) on the C++ files a change
# touches and fails on any finding.
#   sh tests/lint/check_tidy.sh [BUILD_DIR]      (default: build; needs its compile_commands.json)
#
# Which files: those that differ between a base commit and the working tree
# (committed since the base, staged or not yet staged; deleted files left out).
# The base is, in this order:
#   1. $CMC_TIDY_BASE, when set (any commit; CMC_TIDY_BASE=all checks every file);
#   2. the merge base with origin/main, when there is an origin/main and HEAD
#      is ahead of it (a branch checks everything it changed against main);
#   3. HEAD~1 otherwise: CI runs on a clean clone of main (its origin/main is
#      HEAD itself), where the change under test is the newest commit (plus
#      anything uncommitted);
#   4. nothing (every file) in a repository with a single commit.
# A changed header is checked through the .cpp of the same name when there is
# one (and through every changed .cpp that includes it, via HeaderFilterRegex).
#
# Each file gets CMC_TIDY_TIMEOUT seconds (default 600): a Beast translation
# unit takes one to two minutes on these machines. A file that runs out of time
# is reported as too slow and fails the check; it is never skipped silently.
# CMC_TIDY_JOBS (default 2) files run at a time.
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BUILD=${1:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
TIMEOUT=${CMC_TIDY_TIMEOUT:-600}
JOBS=${CMC_TIDY_JOBS:-2}

if ! command -v clang-tidy >/dev/null 2>&1; then
    echo "check_tidy: clang-tidy is not installed (sh tests/tools/install-deps.sh installs it)" >&2
    exit 1
fi
if [ ! -f "$BUILD/compile_commands.json" ]; then
    echo "check_tidy: $BUILD/compile_commands.json is missing (configure with cmake --preset default first)" >&2
    exit 1
fi

if [ "${CMC_TIDY_BASE:-}" = all ]; then
    base=
    why="CMC_TIDY_BASE=all"
elif [ -n "${CMC_TIDY_BASE:-}" ]; then
    base=$(git rev-parse --verify "$CMC_TIDY_BASE^{commit}")
    why="CMC_TIDY_BASE=$CMC_TIDY_BASE"
elif git rev-parse -q --verify origin/main >/dev/null 2>&1 &&
    [ "$(git merge-base HEAD origin/main)" != "$(git rev-parse HEAD)" ]; then
    base=$(git merge-base HEAD origin/main)
    why="merge base with origin/main"
elif git rev-parse -q --verify HEAD~1 >/dev/null 2>&1; then
    base=$(git rev-parse HEAD~1)
    why="HEAD~1 (no origin/main: the newest commit is the change)"
else
    base=
    why="a single commit: every file"
fi

list=$(mktemp)
out=$(mktemp -d)
trap 'rm -rf "$list" "$out"' EXIT INT TERM
if [ -n "$base" ]; then
    changed=$(git diff --name-only --diff-filter=d "$base" -- '*.cpp' '*.hpp')
else
    changed=$(git ls-files '*.cpp' '*.hpp')
fi
for f in $changed; do
    case "$f" in
    *.hpp) f="${f%.hpp}.cpp"; [ -f "$f" ] || continue ;;
    esac
    echo "$f"
done | sort -u >"$list"

# Only files the build compiles have compile flags; name the others.
python3 - "$BUILD/compile_commands.json" "$list" "$ROOT" <<'EOF' >"$out/files"
import json, os, sys
db = {os.path.realpath(e["file"]) for e in json.load(open(sys.argv[1]))}
for f in open(sys.argv[2]).read().split():
    if os.path.realpath(os.path.join(sys.argv[3], f)) in db:
        print(f)
    else:
        print("check_tidy: %s: not in the compile database (not built in this configuration), not checked" % f,
              file=sys.stderr)
EOF

n=$(wc -l <"$out/files")
echo "check_tidy: base: ${base:-none} ($why); $n changed C++ file(s) to check, $JOBS at a time, ${TIMEOUT}s each"
[ "$n" -eq 0 ] && exit 0

# One file: clang-tidy under a time limit; prints a one-line verdict, keeps the findings.
export BUILD TIMEOUT out
xargs -P "$JOBS" -I{} sh -c '
    f="$1"; log="$out/$(echo "$f" | tr / _).log"; t0=$(date +%s)
    timeout "$TIMEOUT" clang-tidy -p "$BUILD" --quiet "$f" >"$log" 2>&1; rc=$?
    dt=$(( $(date +%s) - t0 ))
    if [ $rc -eq 124 ]; then
        echo "check_tidy: $f: TOO SLOW: no verdict within ${TIMEOUT}s (raise CMC_TIDY_TIMEOUT); counted as a failure"
        echo slow >"$log.bad"
    elif [ $rc -ne 0 ] || grep -q "warning:\|error:" "$log"; then
        echo "check_tidy: $f: findings (${dt}s)"
        echo bad >"$log.bad"
    else
        echo "check_tidy: $f: clean (${dt}s)"
    fi
' _ {} <"$out/files"

bad=0
for b in "$out"/*.bad; do
    [ -e "$b" ] || continue
    bad=$((bad + 1))
    grep -v "warnings generated\|^Suppressed\|^Use -header-filter\|NOLINT" "${b%.bad}" >&2 || true
done
if [ "$bad" -ne 0 ]; then
    echo "check_tidy: $bad of $n file(s) failed" >&2
    exit 1
fi
echo "check_tidy: $n file(s) clean"
