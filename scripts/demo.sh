#!/usr/bin/env bash
# Runs the demo: installs missing packages, builds, starts `feed-server --demo` recording to
# ./data/demo.sqlite, shows live subscriptions, publishing, history queries, a late joiner and
# a snapshot, then stops the server.
# Usage: scripts/demo.sh [seconds to keep the server running after the walkthrough, default 0]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
echo "building (release)..."
swift build -c release --product feed-server 2>&1 | tail -1
swift build -c release --product feed-client 2>&1 | tail -1
bin=$(swift build -c release --show-bin-path)

mkdir -p data
log=data/demo-server.log
# A demo history left by a version before history schema 2 is upgraded, as any user's would be
# (`feed-server migrate`: explicit, counted, a no-op on a current file).
if [[ -f data/demo.sqlite ]]; then "$bin/feed-server" migrate --db data/demo.sqlite; fi
"$bin/feed-server" --demo 2000 --db data/demo.sqlite 2>"$log" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "feed-server ready" "$log" && break; sleep 0.1; done
grep "feed-server ready" "$log" || { cat "$log"; exit 1; }

echo; echo "== live: feed-client subscribe NASDAQ.AAPL NYSE.IBM --count 10"
"$bin/feed-client" subscribe NASDAQ.AAPL NYSE.IBM --count 10
echo; echo "== live as NDJSON: feed-client subscribe NASDAQ. --format ndjson --count 3"
"$bin/feed-client" subscribe NASDAQ. --format ndjson --count 3
echo; echo "== publish one quote: feed-client publish -"
printf 'topic,bid,bid_size,ask,ask_size\nNASDAQ.DEMO,10.01,100,10.02,200\n' | "$bin/feed-client" publish -
# The recorder writes blocks every 100 ms: wait until this session's history holds the quote.
session=$("$bin/feed-client" status | grep -o '"session":[0-9]*' | cut -d: -f2)
for _ in $(seq 100); do
    [ "$("$bin/feed-client" history NASDAQ.DEMO --session "$session" --count-only)" -ge 1 ] && break
    sleep 0.05
done
echo; echo "== history: feed-client history NASDAQ.DEMO --format csv"
"$bin/feed-client" history NASDAQ.DEMO --format csv
echo; echo "== history: feed-client history NYSE.IBM --since -1m --limit 5"
"$bin/feed-client" history NYSE.IBM --since -1m --limit 5
echo; echo "== late joiner: feed-client subscribe NASDAQ.AAPL --replay-from start --count 8"
"$bin/feed-client" subscribe NASDAQ.AAPL --replay-from start --count 8
echo; echo "== last values: feed-client snapshot NYSE. (first 8 lines)"
"$bin/feed-client" snapshot NYSE. | head -8
echo; echo "== status: feed-client status"
"$bin/feed-client" status
sleep "${1:-0}"
