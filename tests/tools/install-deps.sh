#!/bin/sh
# Installs the Debian 12 packages OpenCMC needs to build, run and test.
# Idempotent: when everything is present it touches neither the network nor
# the package lists, so the demo starts on a machine without network.
set -eu

PACKAGES="cmake g++ make ccache pkg-config clang-format clang-tidy git
libboost1.81-dev nlohmann-json3-dev doctest-dev libssl-dev libsqlite3-dev sqlite3
libopenipmi-dev openipmi ipmitool freeipmi-tools
redfishtool python3 python3-sushy python3-jsonschema curl procps wrk"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps: all $(echo $PACKAGES | wc -w) packages present"
    exit 0
fi

echo "install-deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
