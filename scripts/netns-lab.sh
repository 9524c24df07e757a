#!/usr/bin/env bash
# A three-host network lab made of Linux network namespaces, for PGM multicast tests and
# benchmarks. Multicast traffic never leaves these namespaces: no interface of the host (the
# root namespace) is created, touched or routed to.
#
#   NAME-br    a bridge br0 (multicast snooping off, so every group is flooded to every port)
#   NAME-pub   lab0 10.231.X.1/24 ─┐
#   NAME-sub1  lab0 10.231.X.2/24 ─┼─ veth pairs to br0 in NAME-br
#   NAME-sub2  lab0 10.231.X.3/24 ─┘
#
# Each host has lo up, lab0 up with multicast on, and a route for 224.0.0.0/4 via lab0.
# `second-line` adds a second, separate network, as an exchange's B line has: a bridge br1 in
# NAME-br and an interface lab1 10.232.X.N/24 in every host (no multicast route: name the
# interface in the endpoint, epgm://lab1;GROUP:PORT), so one line's link can go down alone.
# $LAB_HOSTS (space-separated names, at most 250) replaces pub, sub1 and sub2: the Nth host
# gets address 10.231.X.N. Give the same LAB_HOSTS to every command on that lab.
# X comes from $LAB_SUBNET (0-255) or is derived from NAME. The subnet exists only inside the
# lab, so two labs with the same X do not see each other; X only makes addresses easy to tell apart.
#
# Usage:
#   scripts/netns-lab.sh up NAME                     (re)create the lab, print its addresses
#   scripts/netns-lab.sh down NAME                   delete it; idempotent, never fails
#   scripts/netns-lab.sh second-line NAME            add the B network (lab1) to a lab that is up
#   scripts/netns-lab.sh link NAME HOST IFACE up|down  set HOST's lab0 or lab1 up or down
#   scripts/netns-lab.sh loss NAME HOST PERCENT PORT drop PERCENT% (0-100) of incoming UDP to PORT
#                                                    at random in HOST (pub, sub1 or sub2), with nftables
#   scripts/netns-lab.sh dropped NAME HOST           print how many packets that rule has dropped so far
#   scripts/netns-lab.sh check                       exit 0 if namespaces can be made here, 77 if not
#
# Run a program on a host with `ip netns exec NAME-sub1 PROGRAM...`. Use a unique NAME per run
# (e.g. include $$) and tear the lab down when done, pass or fail:
#   scripts/netns-lab.sh up "mc$$"; trap 'scripts/netns-lab.sh down "mc$$"' EXIT
# NAME: letters, digits, '-' and '_', at most 20 characters.
set -euo pipefail

read -r -a hosts <<<"${LAB_HOSTS:-pub sub1 sub2}"

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
    exit 64
}

die() {
    echo "netns-lab: $*" >&2
    exit 1
}

check_name() {
    [[ ${1:-} =~ ^[A-Za-z0-9_-]{1,20}$ ]] || die "bad lab name '${1:-}': letters, digits, '-', '_', 1-20 characters"
}

# The third octet of the lab's addresses.
subnet() {
    local name=$1
    if [[ -n ${LAB_SUBNET:-} ]]; then
        [[ $LAB_SUBNET =~ ^[0-9]{1,3}$ ]] && ((LAB_SUBNET <= 255)) || die "LAB_SUBNET must be 0-255, got '$LAB_SUBNET'"
        echo "$LAB_SUBNET"
    else
        local sum
        sum=$(printf '%s' "$name" | cksum | cut -d' ' -f1)
        echo $((sum % 254 + 1))
    fi
}

host_index() {
    local i
    for i in "${!hosts[@]}"; do
        if [[ ${hosts[$i]} == "$1" ]]; then
            echo $((i + 1))
            return
        fi
    done
    die "unknown host '$1': expected one of ${hosts[*]}"
}

namespace_exists() {
    ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$1"
}

# Deletes one namespace, first ending any process still running inside it (only processes in
# this lab's own namespaces: they were started for the lab).
delete_namespace() {
    local ns=$1 pids
    namespace_exists "$ns" || return 0
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [[ -n $pids ]]; then
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            pids=$(ip netns pids "$ns" 2>/dev/null || true)
            [[ -z $pids ]] && break
            sleep 0.2
        done
        # shellcheck disable=SC2086
        [[ -n $pids ]] && kill -KILL $pids 2>/dev/null || true
    fi
    ip netns del "$ns" 2>/dev/null || true
}

cmd_down() {
    local name=$1 host
    check_name "$name"
    for host in "${hosts[@]}"; do
        delete_namespace "$name-$host"
    done
    delete_namespace "$name-br"
    return 0
}

cmd_up() {
    local name=$1 x br host i
    check_name "$name"
    ((${#hosts[@]} >= 1 && ${#hosts[@]} <= 250)) || die "LAB_HOSTS must name 1-250 hosts"
    for host in "${hosts[@]}"; do
        [[ $host =~ ^[a-z0-9]{1,8}$ ]] || die "bad host name '$host' in LAB_HOSTS: 1-8 lowercase letters or digits"
    done
    x=$(subnet "$name")
    cmd_down "$name"
    # A failure half-way leaves nothing behind.
    trap 'cmd_down "$name"' ERR
    br=$name-br
    ip netns add "$br"
    ip -n "$br" link set lo up
    ip -n "$br" link add name br0 type bridge
    # No IGMP querier lives in the lab: without snooping the bridge floods multicast to all ports.
    ip -n "$br" link set br0 type bridge mcast_snooping 0
    ip -n "$br" link set br0 up
    for host in "${hosts[@]}"; do
        i=$(host_index "$host")
        ip netns add "$name-$host"
        # Both ends are created inside the lab's namespaces: nothing appears in the root namespace.
        ip -n "$br" link add name "v$host" type veth peer name lab0 netns "$name-$host"
        ip -n "$br" link set "v$host" master br0
        ip -n "$br" link set "v$host" up
        ip -n "$name-$host" link set lo up
        ip -n "$name-$host" addr add "10.231.$x.$i/24" dev lab0
        ip -n "$name-$host" link set lab0 up multicast on
        ip -n "$name-$host" route add 224.0.0.0/4 dev lab0
    done
    trap - ERR
    for host in "${hosts[@]}"; do
        printf '%-10s %s-%s lab0 10.231.%s.%s\n' "$host" "$name" "$host" "$x" "$(host_index "$host")"
    done
}

cmd_second_line() {
    local name=$1 x br host i
    check_name "$name"
    br=$name-br
    namespace_exists "$br" || die "no namespace $br: run '$0 up $name' first"
    x=$(subnet "$name")
    ip -n "$br" link add name br1 type bridge
    ip -n "$br" link set br1 type bridge mcast_snooping 0
    ip -n "$br" link set br1 up
    for host in "${hosts[@]}"; do
        i=$(host_index "$host")
        ip -n "$br" link add name "w$host" type veth peer name lab1 netns "$name-$host"
        ip -n "$br" link set "w$host" master br1
        ip -n "$br" link set "w$host" up
        ip -n "$name-$host" addr add "10.232.$x.$i/24" dev lab1
        ip -n "$name-$host" link set lab1 up multicast on
    done
    for host in "${hosts[@]}"; do
        printf '%-10s %s-%s lab1 10.232.%s.%s\n' "$host" "$name" "$host" "$x" "$(host_index "$host")"
    done
}

cmd_link() {
    local name=$1 host=$2 interface=$3 state=$4
    check_name "$name"
    host_index "$host" >/dev/null
    [[ $interface == lab0 || $interface == lab1 ]] || die "IFACE must be lab0 or lab1, got '$interface'"
    [[ $state == up || $state == down ]] || die "the state must be up or down, got '$state'"
    namespace_exists "$name-$host" || die "no namespace $name-$host: run '$0 up $name' first"
    ip -n "$name-$host" link set "$interface" "$state"
}

cmd_loss() {
    local name=$1 host=$2 percent=$3 port=$4 ns
    check_name "$name"
    host_index "$host" >/dev/null
    [[ $percent =~ ^[0-9]{1,3}$ ]] && ((percent <= 100)) || die "PERCENT must be an integer 0-100, got '$percent'"
    [[ $port =~ ^[0-9]{1,5}$ ]] && ((port >= 1 && port <= 65535)) || die "PORT must be 1-65535, got '$port'"
    ns=$name-$host
    namespace_exists "$ns" || die "no namespace $ns: run '$0 up $name' first"
    command -v nft >/dev/null || die "nft not found: install Debian's nftables package"
    ip netns exec "$ns" nft add table inet lab
    ip netns exec "$ns" nft add chain inet lab in '{ type filter hook input priority 0; }'
    if ((percent == 100)); then  # numgen's "mod 100" yields 0-99: every packet is a rule of its own
        ip netns exec "$ns" nft add rule inet lab in udp dport "$port" counter drop
    else
        ip netns exec "$ns" nft add rule inet lab in udp dport "$port" numgen random mod 100 '<' "$percent" counter drop
    fi
    echo "$ns: dropping $percent% of incoming UDP to port $port"
}

cmd_dropped() {
    local name=$1 host=$2 ns packets
    check_name "$name"
    host_index "$host" >/dev/null
    ns=$name-$host
    namespace_exists "$ns" || die "no namespace $ns: run '$0 up $name' first"
    packets=$(ip netns exec "$ns" nft list chain inet lab in 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' | head -n 1)
    [[ -n $packets ]] || die "no loss rule in $ns: run '$0 loss $name $host ...' first"
    echo "$packets"
}

cmd_check() {
    local ns=labcheck$$
    if [[ $(id -u) -ne 0 ]]; then
        echo "netns-lab: needs root to create network namespaces" >&2
        exit 77
    fi
    if ! command -v ip >/dev/null; then
        echo "netns-lab: 'ip' not found (Debian package iproute2)" >&2
        exit 77
    fi
    if ! ip netns add "$ns" 2>/dev/null; then
        echo "netns-lab: cannot create a network namespace here (ip netns add failed)" >&2
        exit 77
    fi
    if ! ip -n "$ns" link add name c0 type veth peer name c1 2>/dev/null; then
        ip netns del "$ns" 2>/dev/null || true
        echo "netns-lab: cannot create a veth pair in a namespace here" >&2
        exit 77
    fi
    ip netns del "$ns" 2>/dev/null || true
    echo "netns-lab: network namespaces work here"
}

case ${1:-} in
    up) (($# == 2)) || usage; cmd_up "$2" ;;
    down) (($# == 2)) || usage; cmd_down "$2" ;;
    second-line) (($# == 2)) || usage; cmd_second_line "$2" ;;
    link) (($# == 5)) || usage; cmd_link "$2" "$3" "$4" "$5" ;;
    loss) (($# == 5)) || usage; cmd_loss "$2" "$3" "$4" "$5" ;;
    dropped) (($# == 3)) || usage; cmd_dropped "$2" "$3" ;;
    check) (($# == 1)) || usage; cmd_check ;;
    *) usage ;;
esac
