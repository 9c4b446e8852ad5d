#!/bin/sh
# Fails when an #include runs the wrong way between cmcd's layers (see
# chassis-service/README.md) or between the firmware, the simulator and cmcd.
# Each rule: a source directory and the include prefixes its files may use.
set -eu
cd "$(dirname "$0")/../.."
bad=0

check() { # check DIR "allowed prefixes..."
    dir=$1
    allowed=$2
    for f in $(find "$dir" -name '*.cpp' -o -name '*.hpp' | sort); do
        # Quoted includes only: "prefix/file.hpp" (system headers use <>).
        grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
            inc=$(echo "$line" | sed 's/.*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/')
            prefix=${inc%%/*}
            [ "$prefix" = "$inc" ] && continue # same-directory include
            ok=0
            for a in $allowed; do
                [ "$prefix" = "$a" ] && ok=1
            done
            if [ "$ok" -eq 0 ]; then
                echo "check_layers: $f:${line%%:*} includes \"$inc\": $dir may include only: $allowed" >&2
                echo bad
            fi
        done
    done
}

S=chassis-service/src
out=$(
    check $S/domain "domain"
    check $S/common "common"
    check $S/store "store domain"
    check $S/events "events domain store redfish"
    check $S/config "config domain"
    check $S/southbound "southbound common http domain"
    check $S/northbound "northbound domain events http redfish common"
    check $S/auth "auth config domain"
    check $S/cmcctl "cmcctl southbound common http"
    check $S/app "app auth domain store events config southbound northbound common http redfish"
    check firmware/hal "hal"
    check firmware/http "http"
    check firmware/redfish "redfish http hal"
    check firmware/ipmi "ipmi hal"
    check simulator "hardware fabric faults rack hal http redfish ipmi demo"
)
if [ -n "$out" ]; then
    exit 1
fi
echo "check_layers: every include runs the right way"
