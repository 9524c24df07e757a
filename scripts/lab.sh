#!/usr/bin/env bash
# A trading floor in network namespaces: one origin, one multicast group per venue, edge relays
# near the clients, and clients that report their rate, loss and p99 latency. Everything runs
# inside namespaces this script creates (scripts/netns-lab.sh) and removes on exit, pass or fail.
#
#   origin   feed-server --demo RATE (history, replay on tcp://ORIGIN:5558), and its two venue
#            publishers: relays putting NASDAQ. on group A and NYSE. on group B (epgm)
#   edge1    relay: group A -> tcp://EDGE1:5556          clients c1, c2 (NASDAQ.)
#   edge2    relay: group B -> tcp://EDGE2:5556          clients c3, c4 (NYSE.)
#   edge3    relay: groups A and B -> tcp://EDGE3:5556   clients c5 (NASDAQ. NYSE.), c6 (NASDAQ.A)
#   direct   a client of the origin's own tcp publish endpoint (NASDAQ.), for comparison
#
# A message reaching c1 has crossed two relay hops (venue publisher, edge relay) and one
# multicast hop; `direct` receives the same NASDAQ. messages straight from the origin. Every
# client repairs gaps from the origin's replay service. Latency is publish time (origin clock)
# to arrival: all namespaces share one clock.
#
# Usage: scripts/lab.sh [--rate MSG_PER_S] [--seconds S] [--symbols N] [--loss PERCENT]
#                       [--multicast-rate KBIT_S] [--bin DIR]
#   --rate            demo messages per second at the origin (default 20000)
#   --seconds         how long the clients measure (default 10)
#   --symbols         demo symbols (default 1000)
#   --loss            drop this % of multicast packets arriving at each edge relay (default 0)
#   --multicast-rate  PGM rate in kbit/s (default 100000)
#   --bin             folder with feed-server and feed-client (default: .build/release, built)
# Prints a table, one row per client. Exit 0 when every client ran and none reported a loss.
# Needs root (namespaces), nftables for --loss. LAB_NAME names the lab (default floorPID).
set -euo pipefail
cd "$(dirname "$0")/.."

rate=20000 seconds=10 symbols=1000 loss=0 multicast_rate=100000 bin=
while (($#)); do
    case $1 in
        --rate) rate=${2:?}; shift 2 ;;
        --seconds) seconds=${2:?}; shift 2 ;;
        --symbols) symbols=${2:?}; shift 2 ;;
        --loss) loss=${2:?}; shift 2 ;;
        --multicast-rate) multicast_rate=${2:?}; shift 2 ;;
        --bin) bin=${2:?}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "lab: unknown argument '$1' (see --help)" >&2; exit 64 ;;
    esac
done
for number in "$rate" "$seconds" "$symbols" "$multicast_rate"; do
    [[ $number =~ ^[1-9][0-9]*$ ]] || { echo "lab: '$number' is not a positive whole number" >&2; exit 64; }
done
[[ $loss =~ ^[0-9]{1,2}$ ]] || { echo "lab: --loss must be 0-99, got '$loss'" >&2; exit 64; }

if [[ -z $bin ]]; then
    source scripts/ensure-deps.sh
    swift build -c release --product feed-server >&2
    swift build -c release --product feed-client >&2
    bin=.build/release
fi
server=$(realpath "$bin/feed-server")
client=$(realpath "$bin/feed-client")

export LAB_HOSTS="origin edge1 edge2 edge3 direct c1 c2 c3 c4 c5 c6"
name=${LAB_NAME:-floor$$}
work=$(mktemp -d /tmp/lab-XXXXXX)
cleanup() {
    scripts/netns-lab.sh down "$name"
    rm -rf "$work"
}
trap cleanup EXIT
scripts/netns-lab.sh check >/dev/null
scripts/netns-lab.sh up "$name" >"$work/hosts"
address() { awk -v host="$1" '$1 == host {print $4}' "$work/hosts"; }
on() {
    local host=$1
    shift
    ip netns exec "$name-$host" "$@"
}

# Waits up to 30 s for LINE in the log FILE; fails naming the file's last lines.
wait_for() {
    local file=$1 line=$2
    for _ in $(seq 300); do
        grep -q -- "$line" "$file" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "lab: '$line' did not appear in $file:" >&2
    tail -n 5 "$file" >&2
    exit 1
}

origin=$(address origin)
group_a="epgm://lab0;239.192.20.1:5601"
group_b="epgm://lab0;239.192.20.2:5602"
multicast=(--multicast-rate "$multicast_rate")

on origin "$server" --publish "tcp://$origin:5556" --publish tcp://127.0.0.1:5556 --ingest "ipc://$work/ingest" \
    --replay "tcp://$origin:5558" --db "$work/origin.sqlite" --demo "$rate" --demo-symbols "$symbols" --insecure \
    2>"$work/origin.log" &
wait_for "$work/origin.log" "feed-server ready"
on origin "$server" relay --upstream tcp://127.0.0.1:5556 --subscribe NASDAQ. --multicast "$group_a" "${multicast[@]}" \
    2>"$work/venue-a.log" &
on origin "$server" relay --upstream tcp://127.0.0.1:5556 --subscribe NYSE. --multicast "$group_b" "${multicast[@]}" \
    2>"$work/venue-b.log" &
declare -A upstreams=([edge1]="$group_a" [edge2]="$group_b" [edge3]="$group_a $group_b")
for edge in edge1 edge2 edge3; do
    arguments=()
    for group in ${upstreams[$edge]}; do arguments+=(--upstream "$group"); done
    on "$edge" "$server" relay "${arguments[@]}" --publish "tcp://$(address "$edge"):5556" --insecure "${multicast[@]}" \
        2>"$work/$edge.log" &
done
for log in venue-a venue-b edge1 edge2 edge3; do wait_for "$work/$log.log" "feed-relay ready"; done
if ((loss > 0)); then
    for edge in edge1 edge2 edge3; do
        for port in 5601 5602; do
            scripts/netns-lab.sh loss "$name" "$edge" "$loss" "$port" >/dev/null
        done
    done
fi

# client host, its publisher, its prefixes
clients=(
    "direct origin NASDAQ."
    "c1 edge1 NASDAQ." "c2 edge1 NASDAQ."
    "c3 edge2 NYSE." "c4 edge2 NYSE."
    "c5 edge3 NASDAQ. NYSE." "c6 edge3 NASDAQ.A"
)
for entry in "${clients[@]}"; do
    read -r host via prefixes <<<"$entry"
    # shellcheck disable=SC2086
    on "$host" "$client" subscribe $prefixes --from "tcp://$(address "$via"):5556" --replay "tcp://$origin:5558" \
        --duration "$((seconds + 5))" --latency --format ndjson >/dev/null 2>"$work/$host.log" &
done
echo "lab: $rate msg/s over $symbols symbols, multicast at $multicast_rate kbit/s, ${loss}% loss at the edges; measuring for about $seconds s" >&2
wait_for_clients() {
    local entry host
    for _ in $(seq $((seconds * 10 + 600))); do
        sleep 0.1
        for entry in "${clients[@]}"; do
            host=${entry%% *}
            grep -q "latency" "$work/$host.log" || continue 2
        done
        return 0
    done
}
wait_for_clients
status=0

printf '%-7s %-6s %-15s %10s %10s %6s %10s %10s\n' client via prefixes received "msg/s" lost "p50 us" "p99 us"
for entry in "${clients[@]}"; do
    read -r host via prefixes <<<"$entry"
    log=$work/$host.log
    received=$(sed -n 's/.*received \([0-9]*\) messages.*/\1/p' "$log" | tail -n 1)
    lost=$(sed -n 's/.*reported \([0-9]*\) lost.*/\1/p' "$log" | tail -n 1)
    rate_seen=$(sed -n 's/.*s (\([0-9]*\) msg\/s).*/\1/p' "$log" | tail -n 1)
    p50=$(sed -n 's/.* p50 \([0-9.]*\) us.*/\1/p' "$log" | tail -n 1)
    p99=$(sed -n 's/.* p99 \([0-9.]*\) us.*/\1/p' "$log" | tail -n 1)
    printf '%-7s %-6s %-15s %10s %10s %6s %10s %10s\n' "$host" "$via" "${prefixes// /,}" "${received:-?}" "${rate_seen:-?}" \
        "${lost:-?}" "${p50:-?}" "${p99:-?}"
    if [[ -z $received || -z $lost || $lost != 0 || $received == 0 ]]; then
        status=1
        echo "lab: $host did not finish cleanly; its log and its publisher's ($via):" >&2
        tail -n 3 "$log" >&2
        tail -n 3 "$work/$via.log" >&2
    fi
done
exit $status
