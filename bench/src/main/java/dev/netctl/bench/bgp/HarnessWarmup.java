package dev.netctl.bench.bgp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

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

  /** Feeds fan-out- and bulk-shaped UPDATEs through the receive path until the JIT settles. */
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
    try {
      for (int round = 0; round < ROUNDS; round++) {
        feed(single, Workload.FANOUT_BASE, Workload.FANOUT_LENGTH, MESSAGES);
        feed(packed, Workload.BULK_BASE, Workload.BULK_LENGTH, 20_000);
      }
    } finally {
      single.release();
    }
    settle();
  }

  private static void feed(ByteBuf stream, long base, int length, int prefixes) {
    PrefixTally tally = new PrefixTally(base, length, prefixes, prefixes, -1);
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
    if (tally.presentCount() != prefixes) {
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
