package dev.netctl.bench.bgp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Compiles the harness's receive path (framing, {@link UpdateScanner}, {@link PrefixTally}) before
 * anything is timed. Measured without it: during a 1,000-client fan-out the harness JVM's event
 * loop and its C2 compiler thread each took a whole core of this 2-core box while the DUT sat
 * mostly idle, so the converge time was the harness compiling itself rather than the DUT working.
 * The same warm-up runs once per harness, before every DUT alike.
 */
final class HarnessWarmup {
  private static final int MESSAGES = 2_000;
  private static final int ROUNDS = 150;
  private static final long SETTLE_LIMIT_MS = 10_000;

  private HarnessWarmup() {}

  /**
   * Feeds fan-out-, bulk- and churn-shaped UPDATEs through the receive path until the JIT settles.
   * The churn's withdrawals and its marked re-announcement take paths of their own (measured
   * without them: the first DUT of a run converged its first churn in 0.047-0.056 s where the same
   * DUT took 0.008-0.011 s when it ran third, docs/benchmarks.md, issue 14 session 11).
   */
  static void run() {
    ByteBuf single = Unpooled.buffer();
    for (int i = 0; i < MESSAGES; i++) {
      single.writeBytes(
          Workload.originate(
              Workload.prefix(Workload.FANOUT_BASE, Workload.FANOUT_LENGTH, i),
              ScenarioRunner.nextHop(i)));
    }
    ByteBuf packed =
        Workload.announce(
            Workload.BULK_BASE,
            Workload.BULK_LENGTH,
            20_000,
            Workload.ATTRIBUTE_SETS,
            ScenarioRunner.nextHop(0),
            -1);
    int churn = Scenario.CHURN_PREFIXES;
    ByteBuf churned = Unpooled.buffer();
    churned.writeBytes(Workload.withdraw(Workload.BULK_BASE, Workload.BULK_LENGTH, churn));
    churned.writeBytes(
        Workload.announce(
            Workload.BULK_BASE,
            Workload.BULK_LENGTH,
            churn,
            Workload.ATTRIBUTE_SETS,
            ScenarioRunner.nextHop(0),
            Workload.CHURN_MED));
    long self = ProcessHandle.current().pid();
    try {
      for (int round = 0; round < ROUNDS; round++) {
        feed(single, Workload.FANOUT_BASE, Workload.FANOUT_LENGTH, MESSAGES, -1);
        feed(packed, Workload.BULK_BASE, Workload.BULK_LENGTH, 20_000, -1);
        feed(churned, Workload.BULK_BASE, Workload.BULK_LENGTH, churn, Workload.CHURN_MED);
        // A churn reads the DUT's /proc files just before and after it: compiled here, that code
        // no longer competes with the DUT for the cores at the churn's start (session 21: the
        // harness compiled its /proc reads in the 5 ms before a churn began).
        ProcStats.of(self);
        ThreadCpu.of(self);
      }
    } finally {
      single.release();
      churned.release();
    }
    settle();
  }

  /**
   * Runs a churn through the harness's own {@link ReflectorDut}, over loopback sockets like every
   * measurement, and prints what it took: the in-memory feed above leaves the testers' socket paths
   * cold, and the first DUT of a run paid for them. Fails the run if the harness cannot complete
   * it.
   */
  static void throughSockets(ScenarioRunner runner) {
    // The runner prints a churn's CPU and what the monitor received: here the harness's own.
    System.out.println("harness warm-up (its own reflector; the figures below are not a DUT's):");
    Result r = runner.run(ReflectorDut::new, Scenario.CHURN, 2, 0, 0);
    if (!r.ok()) {
      throw new BenchException("harness warm-up through its own reflector failed: " + r.error());
    }
    System.err.printf(
        Locale.ROOT,
        "harness warm-up: a churn through the harness's own reflector converged in %.3f s%n",
        r.convergeSeconds());
    settle();
  }

  private static void feed(ByteBuf stream, long base, int length, int prefixes, long markMed) {
    PrefixTally tally = new PrefixTally(base, length, prefixes, prefixes, markMed);
    if (markMed >= 0) {
      tally.presetRange(0, prefixes); // a churn withdraws what the monitor holds
    }
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new LengthFieldBasedFrameDecoder(65535, 16, 2, -18, 0),
            new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                UpdateScanner.scan(msg, tally);
              }
            });
    ch.writeInbound(stream.retainedDuplicate());
    ch.finishAndReleaseAll();
    if (tally.presentCount() != prefixes || (markMed >= 0 && tally.markedCount() != prefixes)) {
      throw new BenchException("harness warm-up: the scanner did not count every prefix");
    }
  }

  // Waits (bounded) until no compilation happened for a while, so none runs into a measurement.
  private static void settle() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return;
    }
    long deadline = System.currentTimeMillis() + SETTLE_LIMIT_MS;
    long last = jit.getTotalCompilationTime();
    while (System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long now = jit.getTotalCompilationTime();
      if (now == last) {
        return;
      }
      last = now;
    }
  }
}
