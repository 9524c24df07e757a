#!/usr/bin/env bash
# Installs what building and running the feed needs, if it is missing: Debian packages and
# the Swift toolchain on PATH. Sourced by demo.sh and test.sh; test.sh first sets
# extra_packages to what only the tests use.
set -euo pipefail

packages=(libzmq3-dev libpgm-dev libsqlite3-dev ${extra_packages[@]+"${extra_packages[@]}"})
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    if [[ -x /opt/swift/usr/bin/swift ]]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    else
        echo "swift not found: install Swift 6.1 or newer (https://www.swift.org/install/linux/)" >&2
        exit 69
    fi
fi
