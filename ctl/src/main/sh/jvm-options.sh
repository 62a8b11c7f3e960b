# The JVM options of a netctl command, for both launchers: the repository's ./netctl and the
# image's (deploy/image/netctl), so that a node agent in a DaemonSet runs with the same profile as
# one started from a checkout. Sourced by bash; `netctl_jvm_options ARGS...` sets
#   profile  cli or server, from the verb
#   jvm      the options of that profile (with the heap cap of --max-memory, if given)
#   cli_jvm  the CLI profile's options (what a class-data-sharing archive is recorded with)
# and exports MALLOC_ARENA_MAX for a server. A bad --max-memory prints why and exits 2, before any
# JVM starts.

# A size as the JVM takes it, in MiB: 512m, 2g, 1048576k, 300M; bare digits are bytes.
netctl_size_mib() {
  local v=$1 n
  case "$v" in
    *[!0-9kKmMgG]* | "" | [kKmMgG]* | *[kKmMgG]?*) return 1 ;;
  esac
  n=${v%[kKmMgG]}
  case "$v" in
    *[kK]) echo $((n / 1024)) ;;
    *[mM]) echo $((n)) ;;
    *[gG]) echo $((n * 1024)) ;;
    *) echo $((n / 1048576)) ;;
  esac
}

netctl_jvm_options() {
  # Which JVM the command gets. A CLI command lives for well under a second: C1 only and the
  # serial collector. A long-running verb (a speaker, an agent, the controller, the demo) gets the
  # server profile below. Native access is granted by the jar's manifest (a command-line flag would
  # disable CDS's optimized module handling). Compact object headers in both profiles: the
  # class-data-sharing archive is only used by a JVM with the same setting, and they save 4 bytes
  # per object.
  local words=() max_memory= expect_size= skip= a mib heap
  for a in "$@"; do
    if [ -n "$expect_size" ]; then max_memory=$a; expect_size=; continue; fi
    if [ -n "$skip" ]; then skip=; continue; fi
    case "$a" in
      --) break ;;
      --max-memory) expect_size=1 ;;
      --max-memory=*) max_memory=${a#--max-memory=} ;;
      --datastore | --etcd-ca | --etcd-cert | --etcd-key) skip=1 ;; # root options: a value follows
      -*) ;;
      *) [ ${#words[@]} -lt 2 ] && words+=("$a") ;;
    esac
  done
  local capped=
  case "${words[*]}" in
    "bgp run" | "node run" | "controller run") profile=server capped=1 ;;
    demo | "demo "*) profile=server ;;
    *) profile=cli ;;
  esac
  if [ -n "$expect_size" ]; then
    echo "netctl: --max-memory needs a SIZE (e.g. 256m, 2g)" >&2
    exit 2
  fi
  if [ -n "$max_memory" ] && [ -z "$capped" ]; then
    echo "netctl: --max-memory applies to bgp run, node run and controller run only" >&2
    exit 2
  fi

  # Compressed oops asked for, not left to the JVM: on a machine with 128 GiB of RAM or more its
  # default maximum heap (a quarter of RAM) is past what compressed oops address, so it turned them
  # off (8-byte references throughout) and no longer mapped an archive recorded on a smaller
  # machine (the image's). Asked for, the default maximum stops below that limit instead.
  cli_jvm=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:+UseCompactObjectHeaders
    -XX:+UseCompressedOops --sun-misc-unsafe-memory-access=allow)
  if [ "$profile" = cli ]; then
    jvm=("${cli_jvm[@]}")
    return
  fi
  # A daemon's memory follows its tables. The heap starts small and grows and shrinks with what is
  # live (10-30 % kept free after a full collection, a quarter of it young) rather than with a size
  # computed from a route count nobody knows in advance; the JVM's own maximum (a quarter of RAM,
  # or of a container's memory limit) bounds it unless --max-memory sets a cap. The serial
  # collector: no GC threads competing with the session loop on a small box, and the smallest
  # footprint. C1 only, measured against full tiering on a 1,000-client reflector
  # (docs/benchmarks.md): C2 compiles the UPDATE path during the first bursts, and its compiler
  # arenas and code took the peak from 95 to 111-125 MiB and the CPU from 1.5 to 3.2 s, for no
  # faster convergence; NETCTL_JAVA_OPTS=-XX:TieredStopAtLevel=4 turns it back on. Fewer malloc
  # arenas: native allocations of the compiler and Netty otherwise spread over one 64 MiB arena
  # per thread.
  # The young generation starts at 6 MiB: the serial collector resizes it only after a full
  # collection, which a growing table never triggers, and at 2 MiB a million-route load ran 320
  # young collections (bulk 1.13-1.25 s; 1.0 s with 6 MiB, and a lower peak: less garbage is
  # promoted). No class-data-sharing archive of the launcher's: it holds every CLI verb's classes
  # and is resident whole (28 MiB); the JDK's own archive and the classes a speaker loads came to
  # 4 MiB less.
  # C1 compiles at half its default call and loop counts: a speaker's per-read and per-batch code
  # (the socket read and write paths, the group writer's loops) runs a few dozen times while it
  # takes its first table, too few to compile, and ran interpreted through the first churn after
  # it (about a quarter of the event loop's samples). Lower counts compile it during the load: the
  # loop's CPU in a first 10,000-prefix churn fell by 29 % at 0.3, and by 16 % at 0.5 together with
  # Netty's own direct buffers; at 0.15 the compiler worked twice as long inside the churn
  # (docs/benchmarks.md, issue 14 session 25).
  jvm=(-XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=0.5 -XX:+UseSerialGC
    -XX:+UseCompactObjectHeaders --sun-misc-unsafe-memory-access=allow -Xms12m -XX:NewSize=6m
    -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30)
  export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
  if [ -z "$max_memory" ]; then
    jvm+=(-XX:+UseCompressedOops) # as for the CLI (above); a cap of 32g or more does without
    return 0
  fi
  # --max-memory caps the whole process as far as the JVM can: the heap gets what is left after an
  # allowance for the JVM's own memory (metaspace, code, threads, buffers), and Netty's direct
  # buffers a quarter of the heap. Netty counts the direct memory it allocates itself apart from
  # the JDK's ByteBuffer.allocateDirect, each against that quarter; the JDK's own (file and socket
  # I/O of heap buffers) is small.
  if ! mib=$(netctl_size_mib "$max_memory"); then
    echo "netctl: --max-memory \"$max_memory\" is not a size: use a number with k, m or g (e.g. 256m, 2g)" >&2
    exit 2
  fi
  if [ "$mib" -lt 128 ]; then
    echo "netctl: --max-memory \"$max_memory\" is below the minimum of 128m (the JVM itself needs about 64m)" >&2
    exit 2
  fi
  heap=$((mib - 64))
  jvm+=(-Xmx${heap}m -XX:MaxDirectMemorySize=$((heap / 4))m -Dnetctl.maxMemory="$max_memory")
}

# The class-data-sharing archive: the JVM maps the classes it holds instead of reading, verifying
# and linking them from the jar. It is made from StartupTraining's workload (typical commands on a
# scratch store; once per build by ./netctl, when the image is built by deploy/image), so it holds
# what every verb needs, not just what the first command happened to load. It is a static archive made from a class list rather than the JVM's dynamic
# one because picocli is compiled for Java 5: no archive can keep such a class once the JVM has
# linked it, which any recorded run does, so a dynamic archive left ~190 picocli classes to be
# loaded from the jar on every start. For the same reason the list's constant-pool lines (@cp) are
# dropped: resolving them at dump time would link those classes too. A static archive also needs
# no base archive of the runtime's with the same options: jlink's --generate-cds-archive makes none
# with compact object headers.
# Records it with the CLI profile's options (cli_jvm, set by netctl_jvm_options): JAVA, the jar,
# a scratch directory for the training run, and the archive to write. Returns non-zero if the JVM
# could not record one; what the JVMs say on stderr goes to the caller's stderr (an image build
# shows why it failed; ./netctl discards it).
netctl_record_archive() {
  local java=$1 jar=$2 work=$3 out=$4
  "$java" -XX:DumpLoadedClassList="$work/classes" "${cli_jvm[@]}" -cp "$jar" \
    dev.netctl.ctl.StartupTraining "$work" </dev/null >/dev/null &&
    grep -v '^@cp ' "$work/classes" >"$work/kept" &&
    "$java" -Xshare:dump -XX:SharedClassListFile="$work/kept" -XX:SharedArchiveFile="$out" \
      "${cli_jvm[@]}" -cp "$jar" </dev/null >/dev/null
}
