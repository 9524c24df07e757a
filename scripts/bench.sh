#!/usr/bin/env bash
# Runs the benchmarks (`make bench`): builds the release feed-server and feed-client, the C
# baselines (Benchmarks/baselines) and feed-bench (Benchmarks/), runs every scenario side by side
# with its baseline and prints the table, also written to bench-out/results.md; then the time and
# heap allocations per message of each hot-path step (Benchmarks/HotPaths, ordo-one/benchmark).
# Loopback only, except the multicast scenario, which runs inside network namespaces it makes
# (root) and is skipped where they cannot be made. Takes about 20 minutes with the release builds
# (the symbol-universe scenarios of issue 9: 3-7 of them, depending on the machine's load).
# Arguments go to `feed-bench run`, for example:
#   scripts/bench.sh --quick                    every scenario, small: checks that all of it runs
#   scripts/bench.sh --only fanout latency      some scenarios
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
echo "building (release)..." >&2
swift build -c release --product feed-server >&2
swift build -c release --product feed-client >&2
swift build -c release --package-path Benchmarks >&2
make -s -C Benchmarks/baselines OUT="$PWD/.build/baselines" >&2
mkdir -p bench-out
Benchmarks/.build/release/feed-bench run --feed-binaries .build/release --baseline-binaries .build/baselines \
    --repository . --output bench-out/results.md "$@"
echo
swift package --package-path Benchmarks benchmark --target HotPaths --no-progress
