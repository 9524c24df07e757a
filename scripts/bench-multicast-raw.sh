#!/usr/bin/env bash
# Raw libzmq epgm baseline across a three-namespace lab (scripts/netns-lab.sh): one publisher,
# two subscribers, the second one optionally dropping a share of its incoming UDP at random.
# Multicast stays inside the lab's namespaces; the lab is torn down on exit, pass or fail.
#
# Usage: scripts/bench-multicast-raw.sh [-n COUNT] [-r RATE_KBITS] [-i RECOVERY_IVL_MS] [-l LOSS_PERCENT] [-H RCVHWM]
#   -n  data messages to send (default 100000)
#   -r  ZMQ_RATE in kbit/s, on the publisher and the subscribers (default 100000)
#   -i  ZMQ_RECOVERY_IVL in ms (default 10000)
#   -l  percentage of incoming UDP that sub2 drops at random (default 0)
#   -H  the subscribers' ZMQ_RCVHWM (default 0, unlimited: libzmq 4.3.4 aborts a lossy PGM
#       subscriber whose queue fills, see epgm_sub.c)
# Prints one line of JSON: {"config":{...},"pub":{...},"sub1":{...},"sub2":{...}}.
# Exits 0 when both subscribers got everything in order, 2 when one did not, 77 when network
# namespaces cannot be made here.
set -euo pipefail
cd "$(dirname "$0")/.."

count=100000 rate=100000 recovery_ivl=10000 loss=0 rcvhwm=0
while getopts "n:r:i:l:H:" opt; do
    case $opt in
        n) count=$OPTARG ;;
        r) rate=$OPTARG ;;
        i) recovery_ivl=$OPTARG ;;
        l) loss=$OPTARG ;;
        H) rcvhwm=$OPTARG ;;
        *) sed -n '6,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64 ;;
    esac
done
for value in "$count" "$rate" "$recovery_ivl" "$loss" "$rcvhwm"; do
    [[ $value =~ ^[0-9]+$ ]] || { echo "bench-multicast-raw: '$value' is not a non-negative integer" >&2; exit 64; }
done

lab=scripts/netns-lab.sh
status=0
"$lab" check >/dev/null || status=$?
if ((status != 0)); then
    "$lab" check || true
    exit 77
fi

bin=Benchmarks/baselines/.build-baselines
make -s -C Benchmarks/baselines OUT=.build-baselines >&2

name=mcraw$$
group=239.192.7.1
port=5601
work=$(mktemp -d)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    "$lab" down "$name" || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$lab" up "$name" >"$work/lab.txt"
address() { awk -v host="$1" '$1 == host { print $4 }' "$work/lab.txt"; }
((loss > 0)) && "$lab" loss "$name" sub2 "$loss" "$port" >&2

# Bounds: PGM at RATE needs about COUNT * 100 bytes * 8 / RATE ms on the wire; allow ten times
# that plus a minute, so a stuck run still ends.
limit=$((count * 100 * 8 / (rate * 1000) * 10 + 60))

for sub in sub1 sub2; do
    timeout -k 5 "$limit" ip netns exec "$name-$sub" "$bin/epgm_sub" \
        -e "epgm://$(address "$sub");$group:$port" -r "$rate" -i "$recovery_ivl" -t 30000 -T 5000 -H "$rcvhwm" \
        >"$work/$sub.json" 2>"$work/$sub.err" &
    pids+=($!)
done

# Each subscriber says "ready" once zmq_connect returned. libzmq joins the group in its I/O thread
# right after; the short sleep covers that, and the publisher's 500 ms warm-up phase (messages
# the subscribers ignore) lets their PGM receivers see the source before the first data message.
for sub in sub1 sub2; do
    for _ in $(seq 100); do
        grep -q ready "$work/$sub.err" 2>/dev/null && break
        sleep 0.1
    done
    grep -q ready "$work/$sub.err" || { echo "bench-multicast-raw: $sub never got ready:" >&2; cat "$work/$sub.err" >&2; exit 1; }
done
sleep 0.2

# In the background and waited for, so that INT or TERM reach the trap at once (bash runs traps
# only between foreground commands).
timeout -k 5 "$limit" ip netns exec "$name-pub" "$bin/epgm_pub" \
    -e "epgm://$(address pub);$group:$port" -n "$count" -r "$rate" -i "$recovery_ivl" -w 500 -m 20 -l 2000 \
    >"$work/pub.json" 2>"$work/pub.err" &
pub=$!
pids+=("$pub")
wait "$pub" || { echo "bench-multicast-raw: publisher failed:" >&2; cat "$work/pub.err" >&2; exit 1; }

result=0
for pid in "${pids[@]:0:2}"; do
    wait "$pid" || result=2
done
pids=()
for role in pub sub1 sub2; do
    [[ -s $work/$role.json ]] || { echo "bench-multicast-raw: no result from $role:" >&2; cat "$work/$role.err" >&2; exit 1; }
done

printf '{"config":{"count":%s,"rate_kbits":%s,"recovery_ivl_ms":%s,"sub2_loss_percent":%s,"sub_rcvhwm":%s},"pub":%s,"sub1":%s,"sub2":%s}\n' \
    "$count" "$rate" "$recovery_ivl" "$loss" "$rcvhwm" "$(<"$work/pub.json")" "$(<"$work/sub1.json")" "$(<"$work/sub2.json")"
exit "$result"
