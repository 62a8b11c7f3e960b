package dev.netctl.bench.bgp;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs one scenario against one freshly started DUT: build the UPDATE streams, start the DUT, bring
 * every tester session to Established, only then start the clock and send, and wait for the
 * monitors. Each wait is bounded by the timeout; the DUT is killed and its temp dir removed
 * whatever happens.
 */
final class ScenarioRunner {
  /** The AS of the DUT and every tester: all sessions are iBGP, testers are reflector clients. */
  static final long ASN = 65000;

  private final Inet4Address dutAddress;
  private final Duration timeout;
  private final int churnRounds;
  private final boolean churnFreshSets;

  /**
   * @param dutAddress loopback address the DUT listens on
   * @param timeout bound of each wait (session set-up, each convergence)
   * @param churnRounds churns run in the same DUT process: the first is the result (what a fresh
   *     process pays); the others are only printed, to show what a warm one costs
   * @param churnFreshSets whether each later round re-announces with a LOCAL_PREF of its own, so
   *     that, like the first, it brings attribute sets the DUT has not seen (the first churn's cost
   *     measured again in a warm process)
   */
  ScenarioRunner(
      Inet4Address dutAddress, Duration timeout, int churnRounds, boolean churnFreshSets) {
    this.dutAddress = dutAddress;
    this.timeout = timeout;
    this.churnRounds = churnRounds;
    this.churnFreshSets = churnFreshSets;
  }

  ScenarioRunner(Inet4Address dutAddress, Duration timeout, int churnRounds) {
    this(dutAddress, timeout, churnRounds, false);
  }

  /** The benchmark's own BGP ports (tests of the project use other ranges). */
  static final int FIRST_PORT = 18300;

  /** One past the last port the benchmark may use. */
  static final int END_PORT = 18400;

  /**
   * Tester {@code i}'s source address: 127.3.(i / 250).(1 + i % 250), never .0 or .255, inside the
   * benchmark's own 127.3.0.0/16 so that tests running meanwhile (on 127.0.x.x) never collide.
   */
  static Inet4Address testerAddress(int i) {
    if (i < 0 || i >= 250 * 240) {
      throw new IllegalArgumentException("tester index " + i + " is outside 0..59999");
    }
    byte[] a = {127, 3, (byte) (i / 250), (byte) (1 + i % 250)};
    try {
      return (Inet4Address) InetAddress.getByAddress(a);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The next hop tester {@code i} announces: 100.64.(i / 250).(1 + i % 250). Not its 127.x source
   * address, because FRR rejects 127/8 next hops as martians with NOTIFICATION 3/8.
   */
  static Inet4Address nextHop(int i) {
    byte[] a = {100, 64, (byte) (i / 250), (byte) (1 + i % 250)};
    try {
      return (Inet4Address) InetAddress.getByAddress(a);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code scenario}; failures become a failed {@link Result}, never an exception. */
  Result run(Supplier<Dut> dutFactory, Scenario scenario, int clients, int prefixes, int table) {
    String dutName = dutFactory.get().name();
    int sessions = scenario == Scenario.FANOUT || scenario == Scenario.SLOW ? clients : 2;
    int perClient = table == 0 ? 1 : table / clients;
    if (perClient < 1) {
      return Result.failed(
          dutName,
          scenario,
          sessions,
          table,
          "--table "
              + table
              + " is smaller than --clients "
              + clients
              + ": one prefix each at least");
    }
    int held =
        switch (scenario) {
          case FANOUT, SLOW -> clients * perClient;
          case BULK -> prefixes;
          case CHURN -> Scenario.CHURN_PREFIXES;
        };
    try (TempDir dir = new TempDir("bgpbench-" + dutName + "-");
        Dut dut = dutFactory.get();
        TesterFleet fleet = new TesterFleet()) {
      try {
        return switch (scenario) {
          case FANOUT -> fanout(dut, fleet, dir, clients, table == 0 ? 0 : perClient, false);
          case SLOW -> fanout(dut, fleet, dir, clients, table == 0 ? 0 : perClient, true);
          case BULK -> bulk(dut, fleet, dir, prefixes);
          case CHURN -> churn(dut, fleet, dir);
        };
      } catch (BenchException e) {
        String log = dut.logTail();
        ProcStats partial = statsIfRunning(dut);
        return new Result(
            dutName,
            scenario.label(),
            sessions,
            held,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            partial == null ? -1 : partial.peakRssKb(),
            partial == null ? Double.NaN : partial.cpuSeconds(),
            e.getMessage() + (log.isEmpty() ? "" : "; DUT log: " + log));
      }
    } catch (BenchException e) {
      return Result.failed(dutName, scenario, sessions, held, e.getMessage());
    }
  }

  /**
   * The fan-out; with {@code stalled}, client 0 stops reading before the announcements, the
   * convergence is that of the other clients, and the load column holds the stalled client's
   * catch-up: from reading again to holding all N. With {@code perClient} above 0 each client
   * announces that many /26s from the bulk base instead of one /26 of its own (a table large enough
   * to back a stalled member up past the DUT's socket and write buffers).
   */
  private Result fanout(
      Dut dut, TesterFleet fleet, TempDir dir, int clients, int perClient, boolean stalled) {
    List<TesterPeer> peers = new ArrayList<>();
    List<ByteBuf> routes = new ArrayList<>();
    int total = perClient == 0 ? clients : clients * perClient;
    for (int i = 0; i < clients; i++) {
      Inet4Address a = testerAddress(i);
      if (perClient == 0) {
        PrefixTally tally =
            new PrefixTally(Workload.FANOUT_BASE, Workload.FANOUT_LENGTH, clients, clients, -1);
        tally.preset(i); // a client holds its own route: the reflector need not send it back
        peers.add(new TesterPeer(a, ASN, tally));
        routes.add(
            Workload.originate(
                Workload.prefix(Workload.FANOUT_BASE, Workload.FANOUT_LENGTH, i), nextHop(i)));
      } else {
        PrefixTally tally =
            new PrefixTally(Workload.BULK_BASE, Workload.TABLE_LENGTH, total, total, -1);
        tally.presetRange(i * perClient, (i + 1) * perClient);
        peers.add(new TesterPeer(a, ASN, tally));
        routes.add(
            Workload.announce(
                Workload.BULK_BASE + ((long) i * perClient << (32 - Workload.TABLE_LENGTH)),
                Workload.TABLE_LENGTH,
                perClient,
                1,
                nextHop(i),
                -1));
      }
    }
    long setup = start(dut, fleet, dir, peers, total);
    if (stalled) {
      peers.getFirst().stall(true);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < clients; i++) {
      peers.get(i).send(routes.get(i));
    }
    List<TesterPeer> fast = stalled ? peers.subList(1, clients) : peers;
    long converge =
        await(fleet, fast, false, t0, "every client to hold all " + total + " prefixes");
    if (!stalled) {
      return finish(dut, Scenario.FANOUT, clients, total, setup, Double.NaN, converge);
    }
    long split = dut.splitMembers();
    if (split >= 0) {
      System.out.printf(
          "  slow: %d member(s) split off their update group while client 0 is stalled%n", split);
    }
    // Stalled for as long again as the others took, then reading: it must get the full table.
    sleepNanos(converge);
    long t1 = System.nanoTime();
    peers.getFirst().stall(false);
    long catchUp =
        await(fleet, List.of(peers.getFirst()), false, t1, "the stalled client to catch up");
    return finish(dut, Scenario.SLOW, clients, total, setup, catchUp / 1e9, converge);
  }

  private static void sleepNanos(long nanos) {
    try {
      Thread.sleep(Duration.ofNanos(nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted");
    }
  }

  private Result bulk(Dut dut, TesterFleet fleet, TempDir dir, int prefixes) {
    Inet4Address injectorAddress = testerAddress(0);
    ByteBuf stream =
        Workload.announce(
            Workload.BULK_BASE,
            Workload.BULK_LENGTH,
            prefixes,
            Workload.ATTRIBUTE_SETS,
            nextHop(0),
            -1);
    TesterPeer injector = new TesterPeer(injectorAddress, ASN, idle());
    TesterPeer monitor =
        new TesterPeer(
            testerAddress(1),
            ASN,
            new PrefixTally(Workload.BULK_BASE, Workload.BULK_LENGTH, prefixes, prefixes, -1));
    long setup = start(dut, fleet, dir, List.of(injector, monitor), prefixes);
    long t0 = System.nanoTime();
    injector.send(stream);
    long converge =
        await(
            fleet,
            List.of(monitor),
            false,
            t0,
            "the monitor to hold all " + prefixes + " prefixes");
    return finish(dut, Scenario.BULK, 2, prefixes, setup, Double.NaN, converge);
  }

  private Result churn(Dut dut, TesterFleet fleet, TempDir dir) {
    int n = Scenario.CHURN_PREFIXES;
    Inet4Address injectorAddress = testerAddress(0);
    ByteBuf load =
        Workload.announce(
            Workload.BULK_BASE, Workload.BULK_LENGTH, n, Workload.ATTRIBUTE_SETS, nextHop(0), -1);
    ByteBuf withdraw = Workload.withdraw(Workload.BULK_BASE, Workload.BULK_LENGTH, n);
    ByteBuf reannounce =
        Workload.announce(
            Workload.BULK_BASE,
            Workload.BULK_LENGTH,
            n,
            Workload.ATTRIBUTE_SETS,
            nextHop(0),
            Workload.CHURN_MED);
    TesterPeer injector = new TesterPeer(injectorAddress, ASN, idle());
    TesterPeer monitor =
        new TesterPeer(
            testerAddress(1),
            ASN,
            new PrefixTally(Workload.BULK_BASE, Workload.BULK_LENGTH, n, n, Workload.CHURN_MED));
    long setup = start(dut, fleet, dir, List.of(injector, monitor), n);
    long t0 = System.nanoTime();
    injector.send(load);
    long loaded = await(fleet, List.of(monitor), true, t0, "the monitor to hold the initial " + n);
    long converge = churnRound(dut, fleet, injector, monitor, withdraw, reannounce, n, true);
    // The same withdrawal and re-announcement again in the same process (--churn-rounds): how much
    // of the first churn's cost is a fresh process's, printed only.
    for (int round = 2; round <= churnRounds; round++) {
      System.out.printf("  churn round %d of %d:%n", round, churnRounds);
      ByteBuf again =
          churnFreshSets
              ? Workload.announce(
                  Workload.BULK_BASE,
                  Workload.BULK_LENGTH,
                  n,
                  Workload.ATTRIBUTE_SETS,
                  nextHop(0),
                  Workload.CHURN_MED,
                  Workload.LOCAL_PREF + round)
              : reannounce;
      long t = churnRound(dut, fleet, injector, monitor, withdraw, again, n, false);
      System.out.printf("  churn round %d: converge %.3f s%n", round, t / 1e9);
    }
    return finish(dut, Scenario.CHURN, 2, n, setup, loaded / 1e9, converge);
  }

  /**
   * Sends the withdrawal of every churn prefix and their re-announcement, waits until the monitor
   * holds the final state, and prints the DUT's CPU for it (whole process and per thread) and what
   * the monitor received. Returns the time from the first send until then.
   *
   * @param first whether this is the process's first churn: the monitor then does not hold the
   *     final state before it. A later round starts from the same final state, so it also waits for
   *     {@code n} more announcements (a DUT may send only the final state of a prefix withdrawn and
   *     announced again, and then the tally never leaves "complete").
   */
  private long churnRound(
      Dut dut,
      TesterFleet fleet,
      TesterPeer injector,
      TesterPeer monitor,
      ByteBuf withdraw,
      ByteBuf reannounce,
      int n,
      boolean first) {
    double cpuBefore = ProcStats.of(dut.pid()).cpuSeconds();
    Map<String, Long> threadsBefore = ThreadCpu.of(dut.pid());
    HarnessLoad harnessBefore = HarnessLoad.now();
    PrefixTally seen = monitor.tally();
    long updatesBefore = seen.updates();
    long announcedBefore = seen.announcements();
    long withdrawnBefore = seen.withdrawals();
    long t1 = System.nanoTime();
    injector.send(withdraw);
    injector.send(reannounce);
    String what =
        "the monitor to hold all " + n + " re-announced prefixes (MED " + Workload.CHURN_MED + ")";
    long converge =
        first
            ? await(fleet, List.of(monitor), false, t1, what)
            : awaitRound(fleet, seen, announcedBefore + n, t1, what);
    HarnessLoad harnessAfter = HarnessLoad.now();
    // The DUT's own CPU for the churn, which a loaded machine stretches less than the wall time
    // (ticks of 10 ms: a rough figure).
    System.out.printf(
        "  churn: the DUT used %.0f ms of CPU%n",
        (ProcStats.of(dut.pid()).cpuSeconds() - cpuBefore) * 1000);
    System.out.printf(
        "  churn: per thread, %s%n", ThreadCpu.delta(threadsBefore, ThreadCpu.of(dut.pid())));
    System.out.printf("  churn: the harness meanwhile: %s%n", harnessAfter.since(harnessBefore));
    // What the DUT sent for it, up to the final state: a DUT that sends only the final state of a
    // prefix withdrawn and announced again sends fewer withdrawals.
    System.out.printf(
        "  churn: the monitor received %d UPDATEs, %d prefixes withdrawn, %d announced%n",
        seen.updates() - updatesBefore,
        seen.withdrawals() - withdrawnBefore,
        seen.announcements() - announcedBefore);
    return converge;
  }

  /**
   * Waits until {@code tally} has counted {@code announcements} and is complete; returns the time
   * from {@code t0} until it became complete, or until the count was seen reached when the tally
   * never left "complete" (polled every millisecond).
   */
  private long awaitRound(
      TesterFleet fleet, PrefixTally tally, long announcements, long t0, String what) {
    long deadline = t0 + timeout.toNanos();
    while (true) {
      String broken = fleet.firstFailure();
      if (broken != null) {
        throw new BenchException("session broke while waiting for " + what + ": " + broken);
      }
      long now = System.nanoTime();
      long done = tally.completedAtNanos();
      if (tally.announcements() >= announcements && done != 0) {
        return (done >= t0 ? done : now) - t0;
      }
      if (now > deadline) {
        throw new BenchException(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      sleepNanos(1_000_000);
    }
  }

  private long start(Dut dut, TesterFleet fleet, TempDir dir, List<TesterPeer> peers, int routes) {
    // The harness's garbage of earlier scenarios collected now, before the DUT starts, so that its
    // collector does not run inside this scenario's windows (with bench/bgp-bench's young
    // generation, what one scenario allocates usually fits). Not between a load and its churn:
    // that would give a JIT-compiled DUT time to finish compiling, which BIRD does not need.
    System.gc();
    int port = freePort();
    List<Inet4Address> clients = peers.stream().map(TesterPeer::address).toList();
    dut.start(new DutSetup(dutAddress, port, ASN, clients, routes, dir.path()));
    return fleet.connectAll(peers, new InetSocketAddress(dutAddress, port), timeout);
  }

  /**
   * Waits until every tally is complete (or, with {@code presentOnly}, holds its target whatever
   * the mark) and returns the nanoseconds from {@code t0} to the last completion.
   */
  private long await(
      TesterFleet fleet, List<TesterPeer> monitors, boolean presentOnly, long t0, String what) {
    long deadline = t0 + timeout.toNanos();
    while (true) {
      String broken = fleet.firstFailure();
      if (broken != null) {
        throw new BenchException("session broke while waiting for " + what + ": " + broken);
      }
      long last = 0;
      boolean all = true;
      for (TesterPeer p : monitors) {
        PrefixTally t = p.tally();
        long done = presentOnly ? t.presentCompletedAtNanos() : t.completedAtNanos();
        if (done == 0) {
          all = false;
          break;
        }
        last = Math.max(last, done);
      }
      if (all) {
        return last - t0;
      }
      if (System.nanoTime() > deadline) {
        long held = monitors.stream().mapToLong(p -> p.tally().progress()).sum();
        long wanted = monitors.stream().mapToLong(p -> p.tally().target()).sum();
        throw new BenchException(
            "timed out after "
                + timeout.toSeconds()
                + " s waiting for "
                + what
                + " (held "
                + held
                + " of "
                + wanted
                + ")");
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchException("interrupted while waiting for " + what);
      }
    }
  }

  private static Result finish(
      Dut dut,
      Scenario scenario,
      int sessions,
      int prefixes,
      long setupNanos,
      double loadSeconds,
      long convergeNanos) {
    ProcStats stats = ProcStats.of(dut.pid());
    return new Result(
        dut.name(),
        scenario.label(),
        sessions,
        prefixes,
        setupNanos / 1e9,
        loadSeconds,
        convergeNanos / 1e9,
        stats.peakRssKb(),
        stats.cpuSeconds(),
        "");
  }

  /** The DUT's stats up to a failure (a timeout still says how much memory it took), or null. */
  private static ProcStats statsIfRunning(Dut dut) {
    try {
      return ProcStats.of(dut.pid());
    } catch (RuntimeException notRunning) {
      return null;
    }
  }

  /** A tally for a peer that only injects: it expects nothing. */
  private static PrefixTally idle() {
    return new PrefixTally(0, 32, 1, 0, -1);
  }

  private int freePort() {
    for (int port = FIRST_PORT; port < END_PORT; port++) {
      try (ServerSocket s = new ServerSocket(port, 1, dutAddress)) {
        return port;
      } catch (IOException inUse) {
        // try the next one
      }
    }
    throw new BenchException(
        "no free port on "
            + dutAddress.getHostAddress()
            + " in "
            + FIRST_PORT
            + ".."
            + (END_PORT - 1));
  }
}
