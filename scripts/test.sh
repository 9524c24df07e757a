#!/usr/bin/env bash
# Runs every test: installs missing packages, builds, and runs `swift test`; also checks that
# the benchmarks (a package of their own, Benchmarks/) still build against the library.
# Usage: scripts/test.sh [extra swift test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
swift build --build-tests
swift build --package-path Benchmarks
swift test --skip-build "$@"
