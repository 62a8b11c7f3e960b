package dev.netctl.bgp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Not a test: a {@code main} that decodes the churn benchmark's re-announcement (1,000 UPDATEs of
 * ten /24s, one attribute set each, bench Workload.attributeSet) as the event loop does, round
 * after round, and prints what a round costs the thread: bytes allocated per UPDATE and CPU.
 *
 * <p>Run (C1 only and the serial collector, as the product runs): {@code java
 * -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp
 * bgp-speaker/target/classes:bgp-speaker/target/test-classes:NETTY dev.netctl.bgp.codec.DecodeProbe
 * [rounds]}
 */
public final class DecodeProbe {
  private static final int SETS = 1_000;

  private DecodeProbe() {}

  /** Runs the rounds and prints one line each, then the median of the second half. */
  public static void main(String[] args) throws UnknownHostException {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Inet4Address nextHop = (Inet4Address) InetAddress.getByName("10.0.0.1");
    List<byte[]> updates = new ArrayList<>();
    for (int k = 0; k < SETS; k++) {
      List<Nlri> nlri = new ArrayList<>();
      for (int i = k; i < 10 * SETS; i += SETS) {
        nlri.add(Nlri.of(Prefix.ipv4(0x10000000 + (i << 8), 24)));
      }
      updates.add(
          BgpEncoder.encode(
              new BgpMessage.Update(List.of(), attributes(k, nextHop), nlri),
              CodecContext.FOUR_OCTET));
    }
    ByteBuf[] buffers = new ByteBuf[SETS];
    for (int k = 0; k < SETS; k++) {
      buffers[k] = Unpooled.wrappedBuffer(updates.get(k));
    }
    long[] bytes = new long[rounds];
    long[] cpu = new long[rounds];
    Object[] keep = new Object[SETS];
    for (int r = 0; r < rounds; r++) {
      long t0 = threads.getCurrentThreadCpuTime();
      long b0 = threads.getCurrentThreadAllocatedBytes();
      for (int k = 0; k < SETS; k++) {
        ByteBuf b = buffers[k];
        b.readerIndex(0);
        keep[k] = BgpDecoder.decode(b, CodecContext.FOUR_OCTET);
      }
      cpu[r] = threads.getCurrentThreadCpuTime() - t0;
      bytes[r] = threads.getCurrentThreadAllocatedBytes() - b0;
      if (!(keep[0] instanceof DecodeResult.Decoded)) {
        throw new AssertionError("not decoded: " + keep[0]);
      }
    }
    long[] b = Arrays.copyOfRange(bytes, rounds / 2, rounds);
    long[] c = Arrays.copyOfRange(cpu, rounds / 2, rounds);
    Arrays.sort(b);
    Arrays.sort(c);
    System.out.printf(
        "decode, median of the last %d rounds: %,d bytes per UPDATE, %.2f ms CPU per %d%n",
        b.length, b[b.length / 2] / SETS, c[c.length / 2] / 1e6, SETS);
  }

  // The benchmark's attribute set k (bench Workload.attributeSet) with a MED of its own.
  private static List<PathAttribute> attributes(int k, Inet4Address nextHop) {
    long[] path = new long[1 + k % 3];
    for (int i = 0; i < path.length; i++) {
      path[i] = 64600 + (k * 7L + i * 13L) % 300;
    }
    return List.of(
        new PathAttribute.Origin(PathAttribute.OriginType.IGP),
        PathAttribute.AsPath.sequence(path),
        new PathAttribute.NextHop(nextHop),
        new PathAttribute.MultiExitDisc(7_777_777),
        new PathAttribute.LocalPref(101),
        new PathAttribute.Communities(
            List.of((65000 << 16) | (k & 0xffff), (65001 << 16) | (k % 7))));
  }
}
