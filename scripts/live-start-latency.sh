#!/bin/bash
# The latency of a live subscriber with and without a replay endpoint (BENCHMARKS.md, issue 12):
# one feed-server (--demo 10000 --demo-symbols 1000) on loopback ports 17556-17558, then
# `feed-client subscribe NASDAQ. --latency --duration 4` without --replay, then with it; prints
# each client's latency line and the replay requests it made (the server's status
# replay.requests before and after, less the status request itself).
# Usage: scripts/live-start-latency.sh SERVER_BIN_DIR CLIENT_BIN_DIR LABEL
set -eu
SB=$1; CB=$2; L=$3
D=$(mktemp -d /tmp/live-start-latency.XXXXXX)
trap 'rm -rf "$D"' EXIT
P=tcp://127.0.0.1:17556; I=tcp://127.0.0.1:17557; R=tcp://127.0.0.1:17558
"$SB/feed-server" --db "$D/h.sqlite" --publish $P --ingest $I --replay $R --demo 10000 --demo-symbols 1000 >"$D/server.out" 2>"$D/server.err" &
SP=$!
sleep 3
req() { "$CB/feed-client" status --server $R | python3 -c 'import json,sys; print(json.load(sys.stdin)["replay"]["requests"])'; }
r0=$(req)
timeout 20 "$CB/feed-client" subscribe NASDAQ. --from $P --latency --duration 4 --format csv >/dev/null 2>"$D/noreplay.err"
r1=$(req)
timeout 20 "$CB/feed-client" subscribe NASDAQ. --from $P --replay $R --latency --duration 4 --format csv >/dev/null 2>"$D/replay.err"
r2=$(req)
kill -INT $SP; wait $SP || true
echo "$L without --replay: $(grep latency "$D/noreplay.err") requests $((r1 - r0 - 1))"
echo "$L with --replay: $(grep latency "$D/replay.err") requests $((r2 - r1 - 1))"
grep -h "received" "$D/replay.err"
