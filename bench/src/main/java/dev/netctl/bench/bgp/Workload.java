package dev.netctl.bench.bgp;

import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the UPDATE streams of the scenarios before the clock starts, as one read-only buffer per
 * stream, packed the way a real speaker packs them: prefixes grouped by attribute set, each message
 * filled up to 4096 bytes (REFERENCE §5).
 */
final class Workload {
  /** Fan-out prefixes: client {@code i} owns the {@code i}-th /26 from 10.0.0.0. */
  static final long FANOUT_BASE = 10L << 24;

  /** Fan-out prefix length. */
  static final int FANOUT_LENGTH = 26;

  /** Bulk and churn prefixes: consecutive /24s from 16.0.0.0 (a million end at 31.255.255.0). */
  static final long BULK_BASE = 16L << 24;

  /** Bulk prefix length. */
  static final int BULK_LENGTH = 24;

  /**
   * Prefix length of the fan-out's larger table ({@code --table}): /26s from {@link #BULK_BASE},
   * five octets each on the wire, so a table can outgrow the DUT's buffers toward one client.
   */
  static final int TABLE_LENGTH = 26;

  /** How many table prefixes there are: 16.0.0.0/26 to 31.255.255.192/26. */
  static final int TABLE_BLOCK = 1 << 22;

  /** Distinct attribute sets the bulk prefixes are spread over. */
  static final int ATTRIBUTE_SETS = 1000;

  /** The MED of the churn scenario's re-announcement, which marks the final state. */
  static final long CHURN_MED = 7_777_777;

  /** LOCAL_PREF of every generated attribute set unless a caller asks for another. */
  static final long LOCAL_PREF = 100;

  /** Header (19) plus the two 2-octet length fields of an UPDATE (RFC 4271 §4.3). */
  private static final int UPDATE_OVERHEAD = 23;

  private Workload() {}

  /**
   * Attribute set {@code k}: AS path of one to three hops, MED and two communities derived from
   * {@code k}, so sets {@code 0..999} are pairwise distinct (the first community is 65000:k).
   *
   * @param medOverride MED to use instead of the derived one, or -1
   * @param localPref LOCAL_PREF of the set
   */
  static List<PathAttribute> attributeSet(
      int k, Inet4Address nextHop, long medOverride, long localPref) {
    long[] path = new long[1 + k % 3];
    for (int h = 0; h < path.length; h++) {
      path[h] = 64600 + (k * 7L + h * 13L) % 300;
    }
    return List.of(
        new PathAttribute.Origin(PathAttribute.OriginType.IGP),
        PathAttribute.AsPath.sequence(path),
        new PathAttribute.NextHop(nextHop),
        new PathAttribute.MultiExitDisc(medOverride >= 0 ? medOverride : k % 100),
        new PathAttribute.LocalPref(localPref),
        new PathAttribute.Communities(
            List.of((65000 << 16) | (k & 0xffff), (65001 << 16) | (k % 7))));
  }

  /** The plain route a fan-out client originates: empty AS path, as an iBGP speaker does. */
  static List<PathAttribute> originAttributes(Inet4Address nextHop) {
    return List.of(
        new PathAttribute.Origin(PathAttribute.OriginType.IGP),
        PathAttribute.AsPath.EMPTY,
        new PathAttribute.NextHop(nextHop),
        new PathAttribute.LocalPref(LOCAL_PREF));
  }

  /** Encodes with the project's codec; all sessions negotiate 4-octet AS numbers. */
  static byte[] encode(BgpMessage message) {
    return BgpEncoder.encode(message, CodecContext.FOUR_OCTET);
  }

  /** Encoded size of the path attributes, to fill each UPDATE up to 4096 octets. */
  static int attributesSize(List<PathAttribute> attributes) {
    return encode(new BgpMessage.Update(List.of(), attributes, List.of())).length - UPDATE_OVERHEAD;
  }

  /** Encoded size of one IPv4 prefix in an NLRI or withdrawn-routes field. */
  static int prefixSize(Prefix prefix) {
    return 1 + (prefix.length() + 7) / 8;
  }

  /** Prefix {@code i} of the block starting at {@code base}. */
  static Prefix prefix(long base, int length, int i) {
    return Prefix.ipv4((int) (base + ((long) i << (32 - length))), length);
  }

  /**
   * Announcements of prefixes {@code 0..count-1} of a block, prefix {@code i} carrying attribute
   * set {@code i % sets}.
   */
  static ByteBuf announce(
      long base, int length, int count, int sets, Inet4Address nextHop, long medOverride) {
    return announce(base, length, count, sets, nextHop, medOverride, LOCAL_PREF);
  }

  /** As {@link #announce(long, int, int, int, Inet4Address, long)}, with another LOCAL_PREF. */
  static ByteBuf announce(
      long base,
      int length,
      int count,
      int sets,
      Inet4Address nextHop,
      long medOverride,
      long localPref) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int groups = Math.min(sets, count);
    for (int k = 0; k < groups; k++) {
      List<PathAttribute> attrs = attributeSet(k, nextHop, medOverride, localPref);
      List<Nlri> batch = new ArrayList<>();
      int room = CodecContext.MAX_MESSAGE_SIZE - UPDATE_OVERHEAD - attributesSize(attrs);
      int used = 0;
      for (int i = k; i < count; i += groups) {
        Prefix p = prefix(base, length, i);
        if (used + prefixSize(p) > room) {
          out.writeBytes(encode(new BgpMessage.Update(List.of(), attrs, batch)));
          batch = new ArrayList<>();
          used = 0;
        }
        batch.add(Nlri.of(p));
        used += prefixSize(p);
      }
      out.writeBytes(encode(new BgpMessage.Update(List.of(), attrs, batch)));
    }
    return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(out.toByteArray()));
  }

  /** One UPDATE announcing one prefix with {@link #originAttributes}. */
  static ByteBuf originate(Prefix prefix, Inet4Address nextHop) {
    return Unpooled.unreleasableBuffer(
        Unpooled.wrappedBuffer(
            encode(
                new BgpMessage.Update(
                    List.of(), originAttributes(nextHop), List.of(Nlri.of(prefix))))));
  }

  /** Withdrawals of prefixes {@code 0..count-1} of a block, packed in order. */
  static ByteBuf withdraw(long base, int length, int count) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int room = CodecContext.MAX_MESSAGE_SIZE - UPDATE_OVERHEAD;
    List<Nlri> batch = new ArrayList<>();
    int used = 0;
    for (int i = 0; i < count; i++) {
      Prefix p = prefix(base, length, i);
      if (used + prefixSize(p) > room) {
        out.writeBytes(encode(new BgpMessage.Update(batch, List.of(), List.of())));
        batch = new ArrayList<>();
        used = 0;
      }
      batch.add(Nlri.of(p));
      used += prefixSize(p);
    }
    if (!batch.isEmpty()) {
      out.writeBytes(encode(new BgpMessage.Update(batch, List.of(), List.of())));
    }
    return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(out.toByteArray()));
  }
}
