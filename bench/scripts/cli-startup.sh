#!/usr/bin/env bash
# Cold start of `netctl get ippools` on the embedded store, with and without the class-data-sharing
# archive the launcher keeps. Runs the variants interleaved (A B A B ...) so machine noise hits both
# alike, and prints min / median / p90 per variant and the median ratio.
# Usage: bench/scripts/cli-startup.sh [RUNS]   (default 30)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-30}
"$root/netctl" version >/dev/null   # build if needed, and create the CDS archive
export NETCTL_NO_BUILD=1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export NETCTL_DATASTORE="embedded:$tmp/bench.db"
"$root/netctl" apply -f - >/dev/null <<'YAML'
apiVersion: netctl.dev/v1
kind: IPPool
metadata: {name: bench-pool}
spec: {cidr: 10.42.0.0/16}
YAML
"$root/netctl" get ippools >/dev/null   # warm the archive with this command's classes too

now_ms() { date +%s%N | awk '{printf "%.1f", $1/1e6}'; }
run() {  # $1 = NETCTL_CDS, $2 = extra JVM options
  local t0 t1
  t0=$(now_ms); NETCTL_CDS="$1" NETCTL_JAVA_OPTS="$2" "$root/netctl" get ippools >/dev/null; t1=$(now_ms)
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f\n", b-a}'
}
: >"$tmp/cds"; : >"$tmp/jdk"; : >"$tmp/nocds"
for _ in $(seq "$runs"); do
  run 1 "" >>"$tmp/cds"
  run 0 "" >>"$tmp/jdk"
  run 0 "-Xshare:off" >>"$tmp/nocds"
done
stats() { sort -n "$1" | awk '{a[NR]=$1} END{printf "min %6.0f ms   median %6.0f ms   p90 %6.0f ms\n", a[1], a[int((NR+1)/2)], a[int(NR*0.9)]}'; }
med() { sort -n "$1" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
echo "netctl get ippools, $runs runs each, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
printf 'app CDS archive (default): '; stats "$tmp/cds"
printf 'JDK base archive only:     '; stats "$tmp/jdk"
printf 'no CDS (-Xshare:off):      '; stats "$tmp/nocds"
awk -v a="$(med "$tmp/cds")" -v b="$(med "$tmp/jdk")" -v c="$(med "$tmp/nocds")" \
  'BEGIN{printf "median ratios: app CDS / JDK-only %.2f, app CDS / none %.2f\n", a/b, a/c}'
