#!/usr/bin/env bash
# Runs every test: installs missing packages, builds, and runs `swift test`.
# Usage: scripts/test.sh [extra swift test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build "$@"
