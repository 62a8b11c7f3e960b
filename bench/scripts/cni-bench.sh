#!/usr/bin/env bash
# CNI ADD through the installed plugin, as a runtime runs it, against a warm agent socket
# (`netctl cni serve`, the CNI part of the node agent) on an embedded store; side by side with the
# floor: the same plumbing (the veth, sysctls, addresses and routes one ADD makes) done by plain
# `ip` scripts with addresses chosen in advance — no JVM, no IPAM, no datastore.
#
#  1. sequential: RUNS ADDs one after another (each followed by its DEL, not timed), exec→result
#     times; p50/p90. Same for the floor.
#     Also VERSION through the same plugin: the JVM start alone, no agent work.
#  2. burst: N pods started at once (N concurrent ADDs), wall time until the last result. Same for
#     the floor. Anchor: calico#5612 reports 2–3 minutes for 100 pods on one node.
#
# Needs root (network namespaces). Everything lives in namespaces named cnib<random>… and a temp
# dir; nothing links to the root namespace. Usage: bench/scripts/cni-bench.sh [RUNS] [N]
# (defaults 40 and 100).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-40}
burst=${2:-100}
[ "$(id -u)" = 0 ] || { echo "cni-bench: needs root (network namespaces)" >&2; exit 2; }
p=cnib$(printf '%04x' $((RANDOM)))
tmp=$(mktemp -d)
node=${p}n
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  for ns in $(ip netns list | awk -v p="$p" 'index($1, p) == 1 {print $1}'); do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

export XDG_CACHE_HOME="$tmp/cache"
"$root/netctl" version >/dev/null # builds the jar if needed
export NETCTL_NO_BUILD=1
export NETCTL_DATASTORE="embedded:$tmp/store.db"
"$root/netctl" apply -f - >/dev/null <<'YAML'
apiVersion: netctl.dev/v1
kind: IPPool
metadata: {name: bench-v4}
spec: {cidr: 10.96.0.0/16}
---
apiVersion: netctl.dev/v1
kind: Node
metadata: {name: bench-node}
spec: {}
YAML

# The node: forwarding on, a default route into a veth pair that stays inside the namespace.
ip netns add "$node"
ip -n "$node" link set lo up
ip -n "$node" link add up0 type veth peer name up1
ip -n "$node" link set up0 up && ip -n "$node" link set up1 up
ip -n "$node" addr add 10.255.255.1/32 dev up0
ip -n "$node" route add default dev up0
ip netns exec "$node" sysctl -qw net.ipv4.ip_forward=1

"$root/netctl" cni install --bin-dir "$tmp/bin" --conf-dir "$tmp/net.d" --node bench-node \
  --agent-socket "$tmp/cni.sock" >/dev/null
NETCTL_JAVA_OPTS="-Xmx256m" "$root/netctl" cni serve --node bench-node --socket "$tmp/cni.sock" \
  --host-netns "/var/run/netns/$node" >"$tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do [ -S "$tmp/cni.sock" ] && break; sleep 0.1; done
[ -S "$tmp/cni.sock" ] || { echo "cni-bench: agent socket did not appear"; cat "$tmp/serve.log"; exit 1; }

conf=$(printf '{"cniVersion":"1.0.0","name":"k8s-pod-network","type":"netctl","nodename":"bench-node","agent_socket":"%s","ipam":{"type":"netctl-ipam"}}' "$tmp/cni.sock")
plugin() { # COMMAND ID -> runs the installed plugin in the node namespace as a runtime would
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND="$1" CNI_CONTAINERID="$2" \
    CNI_NETNS="/var/run/netns/${p}p$2" CNI_IFNAME=eth0 \
    CNI_ARGS="K8S_POD_NAMESPACE=bench;K8S_POD_NAME=pod-$2" \
    nsenter --net="/var/run/netns/$node" "$tmp/bin/netctl" <<<"$conf"
}
floor() { # ID -> the same plumbing by a plain ip script (address 10.97.x.y chosen here)
  local i=$1 h ip
  h=$(printf 'calf%011d' "$i")
  ip="10.97.$((i / 250)).$((i % 250 + 1))"
  nsenter --net="/var/run/netns/$node" sh -s <<EOF
set -e
ip link add $h mtu 1500 address ee:ee:ee:ee:ee:ee type veth peer name eth0 mtu 1500 address 02:00:00:00:$(printf '%02x:%02x' $((i / 256)) $((i % 256))) netns /var/run/netns/${p}f$i
echo 1 > /proc/sys/net/ipv4/conf/$h/proxy_arp
echo 1 > /proc/sys/net/ipv4/conf/$h/forwarding
echo 0 > /proc/sys/net/ipv4/neigh/$h/proxy_delay
ip -batch - <<'HOST'
link set $h alias f$i
link set $h up
route replace $ip/32 dev $h scope link proto 86
HOST
nsenter --net=/var/run/netns/${p}f$i ip -batch - <<'POD'
addr add $ip/32 dev eth0
link set eth0 up
route add 169.254.1.1 dev eth0 scope link
route add default via 169.254.1.1 dev eth0
POD
EOF
}
now_ns() { date +%s%N; }
mkns() { ip netns add "$1" && ip -n "$1" link set lo up; }
stats() { sort -n "$1" | awk '{a[NR]=$1} END{printf "p50 %5.0f ms   p90 %5.0f ms   min %5.0f ms", a[int((NR+1)/2)], a[int(NR*0.9)], a[1]}'; }
med() { sort -n "$1" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# Warm the agent (JIT, IPAM block claim) and the page cache, as a node that has started pods has.
for i in $(seq 1001 1010); do mkns "${p}p$i"; plugin ADD "$i" >/dev/null; plugin DEL "$i" >/dev/null; ip netns del "${p}p$i"; done

: >"$tmp/seq"; : >"$tmp/seqfloor"; : >"$tmp/version"
for i in $(seq 1 "$runs"); do
  mkns "${p}p$i"; mkns "${p}f$i"
  t0=$(now_ns); out=$(plugin ADD "$i"); t1=$(now_ns)
  grep -q '"ips"' <<<"$out" || { echo "ADD failed: $out"; exit 1; }
  t2=$(now_ns); floor "$i"; t3=$(now_ns)
  t4=$(now_ns); plugin VERSION "$i" >/dev/null; t5=$(now_ns)
  echo $(((t1 - t0) / 1000000)) >>"$tmp/seq"; echo $(((t3 - t2) / 1000000)) >>"$tmp/seqfloor"
  echo $(((t5 - t4) / 1000000)) >>"$tmp/version"
  plugin DEL "$i" >/dev/null; ip netns del "${p}p$i"; ip netns del "${p}f$i"
done

for i in $(seq 2001 $((2000 + burst))); do mkns "${p}p$i"; mkns "${p}f$i"; done
jpid=$(pgrep -P "$serve_pid" java || echo "$serve_pid") # the launcher execs java: same pid
cpu() { awk '{print $14 + $15, $16 + $17}' "/proc/$jpid/stat"; } # own ticks, waited-for children's ticks
read -r c0 k0 < <(cpu)
mine() { awk '{print $16 + $17}' /proc/$$/stat; } # CPU of this script's waited-for children: the plugins
m0=$(mine)
t0=$(now_ns)
for i in $(seq 2001 $((2000 + burst))); do plugin ADD "$i" >"$tmp/add.$i" 2>&1 & done
wait $(jobs -p | grep -v "^$serve_pid\$") 2>/dev/null || true
t1=$(now_ns)
read -r c1 k1 < <(cpu)
m1=$(mine)
ok=$(grep -l '"ips"' "$tmp"/add.* | wc -l)
uniq=$(grep -ho '"address":"[^"]*"' "$tmp"/add.* | sort -u | wc -l)
t2=$(now_ns)
for i in $(seq 2001 $((2000 + burst))); do floor "$i" & done
wait $(jobs -p | grep -v "^$serve_pid\$") 2>/dev/null || true
t3=$(now_ns)
veths=$(ip -n "$node" -o link show | grep -c ': cali' || true)

echo "$(date -u '+%d %b %Y %H:%M') UTC, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'sequential ADD, exec→result (%d runs):   ' "$runs"; stats "$tmp/seq"; echo
printf 'floor, same plumbing by plain ip:        '; stats "$tmp/seqfloor"; echo
printf 'plugin start alone (VERSION, no agent):  '; stats "$tmp/version"; echo
awk -v a="$(med "$tmp/seq")" -v b="$(med "$tmp/seqfloor")" 'BEGIN{printf "p50 ratio ADD / floor: %.1f\n", a/b}'
hz=$(getconf CLK_TCK)
awk -v n="$burst" -v a="$((c1 - c0))" -v k="$((k1 - k0))" -v hz="$hz" \
  'BEGIN{printf "agent CPU during the burst: %.0f ms per ADD in the JVM, %.0f ms per ADD in its sh/ip children\n", a*1000/hz/n, k*1000/hz/n}'
awk -v n="$burst" -v m="$((m1 - m0))" -v a="$((c1 - c0 + k1 - k0))" -v hz="$hz" -v c="$(nproc)" \
  'BEGIN{printf "plugin processes (nsenter + launcher + JVM): %.0f ms CPU per ADD; the burst needs %.1f CPU-s in all, %.1f s on %d idle cores\n", m*1000/hz/n, (m+a)/hz, (m+a)/hz/c, c}'
awk -v n="$burst" -v ok="$ok" -v u="$uniq" -v v="$veths" -v t="$(((t1 - t0) / 1000000))" -v f="$(((t3 - t2) / 1000000))" \
  'BEGIN{printf "%d concurrent ADDs: %.2f s (%d ok, %d distinct addresses, %d host veths); floor %.2f s; ratio %.1f; outside reference, not measured here: calico#5612 reports 120-180 s on its hardware (%.0f-%.0f x)\n", n, t/1000, ok, u, v, f/1000, t/f, 120000/t, 180000/t}'
# A burst time counts only when every ADD got its own address: failed ADDs would shorten it.
if [ "$ok" -ne "$burst" ] || [ "$uniq" -ne "$burst" ]; then
  echo "cni-bench: only $ok of $burst ADDs succeeded ($uniq distinct addresses): the burst time is void" >&2
  exit 1
fi
