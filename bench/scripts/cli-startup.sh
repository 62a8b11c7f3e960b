#!/usr/bin/env bash
# Cold start of `netctl get ippools` on the embedded store, measured side by side with its anchors:
# `netctl version` (no datastore), the JVM floor (`java -version` with the launcher's flags) and the
# sqlite3 CLI reading the same file. Runs the variants interleaved (A B C D A B C D ...) so machine
# noise hits all alike, and prints min / median / p90 per variant and the median ratios.
# The launcher's cache (CDS archive, sqlite native library) lives in a temp dir made here, so the
# run starts from a fresh install and never touches ~/.cache/netctl.
# Usage: bench/scripts/cli-startup.sh [RUNS]   (default 20)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-20}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"
"$root/netctl" version >/dev/null   # build if needed; the first command of an install
export NETCTL_NO_BUILD=1
export NETCTL_DATASTORE="embedded:$tmp/bench.db"
"$root/netctl" apply -f - >/dev/null <<'YAML'
apiVersion: netctl.dev/v1
kind: IPPool
metadata: {name: bench-pool}
spec: {cidr: 10.42.0.0/16}
YAML
"$root/netctl" get ippools >/dev/null

java=$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)
[ -x "$java" ] || java=$(command -v java)
now_ns() { date +%s%N; }
time_ms() {  # runs "$@" with output discarded, prints its wall time in ms
  local t0 t1
  t0=$(now_ns); "$@" >/dev/null 2>&1; t1=$(now_ns)
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f\n", (b-a)/1e6}'
}
: >"$tmp/get"; : >"$tmp/version"; : >"$tmp/jvm"; : >"$tmp/sqlite"
for _ in $(seq "$runs"); do
  time_ms "$root/netctl" get ippools >>"$tmp/get"
  time_ms "$root/netctl" version >>"$tmp/version"
  time_ms "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -version >>"$tmp/jvm"
  time_ms sqlite3 "$tmp/bench.db" "SELECT name, value FROM objects WHERE kind = 'ippools'" >>"$tmp/sqlite"
done
stats() { sort -n "$1" | awk '{a[NR]=$1} END{printf "min %6.0f ms   median %6.0f ms   p90 %6.0f ms\n", a[1], a[int((NR+1)/2)], a[int(NR*0.9)]}'; }
med() { sort -n "$1" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
echo "$runs runs each, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
printf 'netctl get ippools:        '; stats "$tmp/get"
printf 'netctl version:            '; stats "$tmp/version"
printf 'java -version (JVM floor): '; stats "$tmp/jvm"
printf 'sqlite3 same query:        '; stats "$tmp/sqlite"
awk -v g="$(med "$tmp/get")" -v v="$(med "$tmp/version")" -v j="$(med "$tmp/jvm")" \
  -v s="$(med "$tmp/sqlite")" \
  'BEGIN{printf "median ratios: get / JVM floor %.2f, version / JVM floor %.2f, get - version %.0f ms, get / sqlite3 %.0f\n", g/j, v/j, g-v, g/s}'
