#!/usr/bin/env bash
# Late-joiner benchmark (issue 4): time for a subscriber started behind a backlog of
# BACKLOG messages (default 1,000,000) to replay them and merge into the live feed while the
# demo keeps publishing; then the history read rate through the replay service and from the
# file, side by side with raw SQLite in C reading the same rows (Benchmarks/baselines/history_read.c).
# Loopback only. Usage: scripts/bench-late-joiner.sh [BACKLOG] [DEMO_RATE]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
backlog=${1:-1000000}
rate=${2:-200000}

swift build -c release --product feed-server >/dev/null
swift build -c release --product feed-client >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/bench-late-XXXXXX)
cc -O2 -Wall -Wextra -Werror -o "$work/history_read" Benchmarks/baselines/history_read.c -lsqlite3
server=""
cleanup() {
    [[ -n $server ]] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

field() { grep -o "$1=[^ ]*" "$work/server.log" | head -1 | cut -d= -f2; }
status() { "$bin/feed-client" status --server "$(field replay)"; }
counter() { status | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
now() { date +%s.%N; }

start_server() {
    "$bin/feed-server" --publish 'tcp://127.0.0.1:*' --ingest 'tcp://127.0.0.1:*' --replay 'tcp://127.0.0.1:*' \
        --db "$work/feed.sqlite" "$@" 2>"$work/server.log" &
    server=$!
    for _ in $(seq 200); do grep -q "feed-server ready" "$work/server.log" && return; sleep 0.05; done
    cat "$work/server.log" >&2
    exit 1
}

echo "building a backlog of $backlog messages (demo at $rate msg/s)..." >&2
start_server --demo "$rate"
while (($(counter recorded) < backlog)); do sleep 0.5; done

echo "late joiner: --replay-from start while the demo keeps running..." >&2
t0=$(now)
"$bin/feed-client" subscribe --from "$(field publish)" --replay "$(field replay)" --replay-from start \
    --format csv --duration 600 >/dev/null 2>"$work/late.log" &
late=$!
while ! grep -q "now live" "$work/late.log"; do
    kill -0 $late 2>/dev/null || { cat "$work/late.log" >&2; exit 1; }
    sleep 0.01
done
t1=$(now)
sleep 2  # stay merged with the live feed for a moment, then check for gaps
kill -INT $late 2>/dev/null || true
wait $late 2>/dev/null || true
replayed=$(grep -o "replayed [0-9]*" "$work/late.log" | grep -o "[0-9]*")
gaps=$(grep -c "gap:" "$work/late.log" || true)
catchup=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
kill -TERM "$server"; wait "$server" 2>/dev/null || true; server=""

echo "history reads: replay service, file, raw SQLite in C..." >&2
start_server
range=$("$work/history_read" "$work/feed.sqlite" NASDAQ. 0 9223372036854775807 >/dev/null; \
    python3 - "$work/feed.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
lo, hi = db.execute("SELECT min(first_time_ns), max(last_time_ns) FROM blocks").fetchone()
print(lo + (hi - lo) // 10, hi - (hi - lo) // 10)
PY
)
since=${range% *}; until=${range#* }
timed() { local a b; a=$(now); "$@" >"$work/out"; b=$(now); python3 -c "print(f'{$b - $a:.3f}')"; }
server_s=$(timed "$bin/feed-client" history NASDAQ. --since "$since" --until "$until" --server "$(field replay)" --count-only)
server_n=$(cat "$work/out")
file_s=$(timed "$bin/feed-client" history NASDAQ. --since "$since" --until "$until" --db "$work/feed.sqlite" --count-only)
file_n=$(cat "$work/out")
raw_json=$("$work/history_read" "$work/feed.sqlite" NASDAQ. "$since" "$until")
raw_n=$(python3 -c "import json; print(json.loads('$raw_json')['matched'])")
raw_s=$(python3 -c "import json; print(f\"{json.loads('$raw_json')['seconds']:.3f}\")")

python3 - "$backlog" "$replayed" "$catchup" "$gaps" "$server_n" "$server_s" "$file_n" "$file_s" "$raw_n" "$raw_s" <<'PY'
import sys
backlog, replayed, catchup, gaps, sn, ss, fn, fs, rn, rs = sys.argv[1:]
replayed, catchup, sn, ss, fn, fs, rn, rs = int(replayed), float(catchup), int(sn), float(ss), int(fn), float(fs), int(rn), float(rs)
print(f"| figure | ours | baseline | ratio |")
print(f"|---|---|---|---|")
print(f"| late joiner: replay {replayed:,} messages and merge into live | {catchup:.2f} s ({replayed / catchup:,.0f} msg/s), {gaps} gaps | - | - |")
for name, n, s in [("history via replay service (decoded, client side)", sn, ss), ("history from the file (decoded)", fn, fs)]:
    print(f"| {name}: {n:,} msgs | {n / s:,.0f} msg/s | raw SQLite C {rn / rs:,.0f} msg/s | {(n / s) / (rn / rs):.2f}x |")
if not (sn == fn == rn):
    print(f"WARNING: counts differ: server {sn}, file {fn}, raw {rn}")
PY
