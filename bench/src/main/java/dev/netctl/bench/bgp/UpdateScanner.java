package dev.netctl.bench.bgp;

import io.netty.buffer.ByteBuf;

/**
 * Counts the IPv4 prefixes of an UPDATE (RFC 4271 §4.3) straight from its bytes: walks the
 * withdrawn-routes field, skips the path attributes (looking only for MULTI_EXIT_DISC when the
 * tally needs it) and walks the NLRI, without building any object, so the monitor's cost stays far
 * below the device under test's.
 */
final class UpdateScanner {
  /** Message header: 16-octet marker, 2-octet length, 1-octet type (RFC 4271 §4.1). */
  static final int HEADER = 19;

  private static final int TYPE_MED = 4;

  private UpdateScanner() {}

  /**
   * Applies one complete message (header included, starting at the reader index) to the tally.
   * Non-UPDATE messages are ignored.
   *
   * @throws IllegalArgumentException when lengths inside the UPDATE are inconsistent
   */
  static void scan(ByteBuf msg, PrefixTally tally) {
    int start = msg.readerIndex();
    if (msg.getUnsignedByte(start + 18) != 2) {
      return;
    }
    // One bulk copy, then array reads: per-octet ByteBuf reads cost several bounds and state
    // checks each, and this runs on the harness's one loop for every prefix of every UPDATE.
    byte[] m = new byte[msg.getUnsignedShort(start + 16)];
    msg.getBytes(start, m);
    int end = m.length;
    check(end >= HEADER + 4, "UPDATE of " + end + " octets is shorter than its fixed fields");
    tally.countUpdate();
    int pos = HEADER;
    int withdrawnEnd = pos + 2 + u16(m, pos);
    pos += 2;
    check(withdrawnEnd + 2 <= end, "withdrawn routes length runs past the message");
    while (pos < withdrawnEnd) {
      int len = m[pos] & 0xff;
      tally.withdraw(address(m, pos + 1, len, withdrawnEnd), len);
      pos += 1 + (len + 7) / 8;
    }
    int attrEnd = pos + 2 + u16(m, pos);
    pos += 2;
    check(attrEnd <= end, "path attribute length runs past the message");
    long med = -1;
    while (pos < attrEnd) {
      check(pos + 3 <= attrEnd, "path attributes overrun their total length");
      int flags = m[pos] & 0xff;
      int type = m[pos + 1] & 0xff;
      boolean extended = (flags & 0x10) != 0;
      check(!extended || pos + 4 <= attrEnd, "path attributes overrun their total length");
      int valueLen = extended ? u16(m, pos + 2) : m[pos + 2] & 0xff;
      int value = pos + (extended ? 4 : 3);
      check(value + valueLen <= attrEnd, "path attributes overrun their total length");
      if (type == TYPE_MED && valueLen == 4 && tally.wantsMed()) {
        med = (long) u16(m, value) << 16 | u16(m, value + 2);
      }
      pos = value + valueLen;
    }
    check(pos == attrEnd, "path attributes overrun their total length");
    while (pos < end) {
      int len = m[pos] & 0xff;
      tally.announce(address(m, pos + 1, len, end), len, med);
      pos += 1 + (len + 7) / 8;
    }
  }

  private static int u16(byte[] m, int at) {
    return (m[at] & 0xff) << 8 | m[at + 1] & 0xff;
  }

  private static long address(byte[] m, int at, int len, int limit) {
    int bytes = (len + 7) / 8;
    check(
        len <= 32 && at + bytes <= limit, "IPv4 prefix of length " + len + " runs past its field");
    long addr = 0;
    for (int i = 0; i < 4; i++) {
      addr = (addr << 8) | (i < bytes ? m[at + i] & 0xff : 0);
    }
    return addr;
  }

  private static void check(boolean ok, String rule) {
    if (!ok) {
      throw new IllegalArgumentException("malformed UPDATE: " + rule);
    }
  }
}
