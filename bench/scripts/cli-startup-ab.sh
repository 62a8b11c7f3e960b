#!/usr/bin/env bash
# Cold starts of two CLI jars side by side: `netctl get ippools` (embedded store, one pool) and
# `netctl version`, each jar behind its own copy of the launcher with its own cache (CDS archive,
# sqlite library), run interleaved (A B A B ...) so machine noise hits both alike. Prints medians,
# minima and the ratios B/A.
# Usage: bench/scripts/cli-startup-ab.sh A.jar B.jar [RUNS]   (default 20)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 A.jar B.jar [RUNS]" >&2; exit 2; }
runs=${3:-20}
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
for t in a b; do
  mkdir -p "$d/$t/ctl/target" "$d/$t/ctl/src/main/sh"
  cp "$root/netctl" "$d/$t/"
  cp "$root/ctl/src/main/sh/jvm-options.sh" "$d/$t/ctl/src/main/sh/" # the launcher sources it
done
cp "$1" "$d/a/ctl/target/netctl.jar"; cp "$2" "$d/b/ctl/target/netctl.jar"
export NETCTL_NO_BUILD=1 NETCTL_DATASTORE="embedded:$d/bench.db"
for t in a b; do XDG_CACHE_HOME=$d/$t/cache "$d/$t/netctl" version >/dev/null; done
printf 'apiVersion: netctl.dev/v1\nkind: IPPool\nmetadata: {name: bench-pool}\nspec: {cidr: 10.42.0.0/16}\n' |
  XDG_CACHE_HOME=$d/a/cache "$d/a/netctl" apply -f - >/dev/null
for t in a b; do XDG_CACHE_HOME=$d/$t/cache "$d/$t/netctl" get ippools >/dev/null; done
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
for _ in $(seq "$runs"); do
  for t in a b; do XDG_CACHE_HOME=$d/$t/cache ms "$d/$t/netctl" get ippools >>"$d/$t.get"; done
  for t in a b; do XDG_CACHE_HOME=$d/$t/cache ms "$d/$t/netctl" version >>"$d/$t.ver"; done
done
med() { sort -n "$1" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
echo "$runs runs each, load $(cut -d' ' -f1 /proc/loadavg); A=$(stat -c %s "$1") B=$(stat -c %s "$2") bytes"
for f in a.get b.get a.ver b.ver; do echo "$f median $(med "$d/$f") ms, min $(sort -n "$d/$f" | head -1) ms"; done
awk -v a="$(med "$d/a.get")" -v b="$(med "$d/b.get")" -v c="$(med "$d/a.ver")" -v e="$(med "$d/b.ver")" \
  'BEGIN{printf "median ratios B/A: get %.2f, version %.2f\n", b/a, e/c}'
