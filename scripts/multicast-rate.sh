#!/usr/bin/env bash
# Multicast rate with nothing lost, ours beside raw epgm in C, in the same namespace lab
# (scripts/netns-lab.sh: hosts pub, sub1, sub2 on a bridge), the same run. Needs root.
#
#   scripts/multicast-rate.sh [-n COUNT] [-r RATES_KBIT] [-l LOSSES] [-b BIN_DIR] [-c BASELINE_DIR]
#
#   -n  messages per run (default 1000000)
#   -r  PGM rates in kbit/s, comma-separated (default 100000,1000000: 100 Mbit/s and 1 Gbit/s)
#   -l  loss percentages on sub2, comma-separated (default 1,5); sub1 never loses on purpose
#   -b  folder with release feed-server and feed-client (default .build/release, built if missing)
#   -c  folder for the C baselines (default .build/baselines, built with make)
#
# For each rate and loss, in one fresh lab:
#   raw   epgm_pub sends COUNT two-frame messages (64-byte bodies) as fast as PGM takes them to
#         two epgm_sub; rate = what the slower subscriber received per second, first to last.
#   ours  feed_push (C) pushes COUNT quotes into feed-server's ingest as fast as it takes them;
#         feed-server sequences, records and publishes them on epgm; two `feed-client subscribe`
#         (CSV to /dev/null) take them; rate = COUNT / (the slower subscriber's exit - the
#         producer's start), so it includes the ingest hop.
# Both sides ask for the same 16 MiB kernel receive buffer (what every PGM socket of ours asks
# for; the kernel grants at most net.core.rmem_max). "complete" means each subscriber got every
# message once: raw from its sequence check, ours from `feed-client`'s count and its summary
# ("reported 0 lost, skipped 0 malformed"). The lab is removed at the end, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."

count=1000000 rates=100000,1000000 losses=1,5 bin=.build/release baselines=.build/baselines
while getopts "n:r:l:b:c:" opt; do
    case $opt in
        n) count=$OPTARG ;;
        r) rates=$OPTARG ;;
        l) losses=$OPTARG ;;
        b) bin=$OPTARG ;;
        c) baselines=$OPTARG ;;
        *) sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2; exit 64 ;;
    esac
done
[[ $count =~ ^[0-9]+$ ]] && ((count > 0)) || { echo "multicast-rate: -n must be a positive integer" >&2; exit 64; }
scripts/netns-lab.sh check >/dev/null || { echo "multicast-rate: needs root and network namespaces" >&2; exit 77; }

if [[ ! -x $bin/feed-server || ! -x $bin/feed-client ]]; then
    swift build -c release --product feed-server >&2
    swift build -c release --product feed-client >&2
fi
baselines=$(realpath -m "$baselines") bin=$(realpath -m "$bin")
make -s -C Benchmarks/baselines OUT="$baselines" >&2

lab=mr$$
work=$(mktemp -d)
trap 'scripts/netns-lab.sh down "$lab" >/dev/null; rm -rf "$work"' EXIT
group=239.192.9.1 raw_port=5601 feed_port=5602
buffer=16777216

now() { date +%s.%N; }
json() { sed -n "s/.*\"$2\":\([0-9.a-z]*\).*/\1/p" "$1"; }

# A host's lab address (libzmq takes an interface by address only; feed-server and feed-client
# resolve names themselves).
address() { awk -v host="$1" '$1 == host {print $4}' "$work/lab.txt"; }

# One raw run: prints "RATE COMPLETE" (the slower subscriber's rate, yes/no).
run_raw() {
    local rate=$1 host
    for host in sub1 sub2; do
        ip netns exec "$lab-$host" "$baselines/epgm_sub" -e "epgm://$(address "$host");$group:$raw_port" -r "$rate" -b "$buffer" \
            >"$work/raw-$host.json" 2>"$work/raw-$host.err" &
    done
    for host in sub1 sub2; do
        timeout 10 bash -c "until grep -qs ready '$work/raw-$host.err'; do sleep 0.05; done"
    done
    ip netns exec "$lab-pub" "$baselines/epgm_pub" -e "epgm://$(address pub);$group:$raw_port" -n "$count" -r "$rate" -l 5000 \
        >"$work/raw-pub.json"
    wait
    local slow="" complete=yes
    for host in sub1 sub2; do
        local r; r=$(json "$work/raw-$host.json" rate)
        [[ $(json "$work/raw-$host.json" received) == "$count" && $(json "$work/raw-$host.json" missing) == 0 ]] || complete=no
        if [[ -z $slow ]] || (($(echo "$r < $slow" | bc))); then slow=$r; fi
    done
    echo "$slow $complete"
}

# One run of ours: prints "RATE COMPLETE".
run_ours() {
    local rate=$1 host
    ip netns exec "$lab-pub" "$bin/feed-server" --db "$work/feed-$rate.sqlite" --publish tcp://127.0.0.1:5556 \
        --ingest "ipc://$work/ingest" --replay tcp://127.0.0.1:5558 --heartbeat-ms 100 \
        --multicast "epgm://lab0;$group:$feed_port" --multicast-rate "$rate" 2>"$work/server.err" &
    local server=$!
    timeout 20 bash -c "until grep -qs 'feed-server ready' '$work/server.err'; do sleep 0.05; done"
    for host in sub1 sub2; do
        ip netns exec "$lab-$host" "$bin/feed-client" subscribe --from "epgm://lab0;$group:$feed_port" --format csv \
            --count $((count + 1)) --connect-timeout-ms 10000 --silence-timeout-ms 5000 >/dev/null 2>"$work/ours-$host.err" &
        echo $! >"$work/ours-$host.pid"
    done
    for host in sub1 sub2; do
        timeout 20 bash -c "until grep -qs '; live' '$work/ours-$host.err'; do sleep 0.05; done"
    done
    local start; start=$(now)
    # One end marker: the subscribers count COUNT + 1 messages.
    ip netns exec "$lab-pub" "$baselines/feed_push" -e "ipc://$work/ingest" -n "$count" -m 1 >"$work/push.json"
    local slow=0 complete=yes
    for host in sub1 sub2; do
        local pid; pid=$(cat "$work/ours-$host.pid")
        while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
        local took; took=$(echo "$(now) - $start" | bc)
        if (($(echo "$took > $slow" | bc))); then slow=$took; fi
        if ! grep -q "received $((count + 1)) messages;.*reported 0 lost, skipped 0 malformed" "$work/ours-$host.err"; then
            complete=no
            echo "ours, $host, $((rate / 1000)) Mbit/s: $(grep -v '^gap' "$work/ours-$host.err" | tail -n 2 | tr '\n' ' ')" >&2
        fi
    done
    kill -INT "$server"
    wait "$server" || true
    wait || true
    echo "$(echo "$count / $slow" | bc) $complete"
}

printf '| PGM rate | loss on sub2 | ours msg/s | complete | raw epgm in C msg/s | complete | ratio |\n|---|---|---|---|---|---|---|\n'
for rate in ${rates//,/ }; do
    for loss in ${losses//,/ }; do
        scripts/netns-lab.sh up "$lab" >"$work/lab.txt"
        for port in $raw_port $feed_port; do scripts/netns-lab.sh loss "$lab" sub2 "$loss" "$port" >/dev/null; done
        read -r raw_rate raw_complete < <(run_raw "$rate")
        read -r our_rate our_complete < <(run_ours "$rate")
        printf '| %s Mbit/s | %s %% | %.0f | %s | %.0f | %s | %.2fx |\n' $((rate / 1000)) "$loss" "$our_rate" "$our_complete" \
            "$raw_rate" "$raw_complete" "$(echo "$our_rate / $raw_rate" | bc -l)"
        scripts/netns-lab.sh down "$lab" >/dev/null
    done
done
