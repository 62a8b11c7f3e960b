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
    int end = start + msg.getUnsignedShort(start + 16);
    if (msg.getUnsignedByte(start + 18) != 2) {
      return;
    }
    tally.countUpdate();
    int pos = start + HEADER;
    int withdrawnEnd = pos + 2 + msg.getUnsignedShort(pos);
    pos += 2;
    check(withdrawnEnd + 2 <= end, "withdrawn routes length runs past the message");
    while (pos < withdrawnEnd) {
      int len = msg.getUnsignedByte(pos);
      tally.withdraw(address(msg, pos + 1, len, withdrawnEnd), len);
      pos += 1 + (len + 7) / 8;
    }
    int attrEnd = pos + 2 + msg.getUnsignedShort(pos);
    pos += 2;
    check(attrEnd <= end, "path attribute length runs past the message");
    long med = -1;
    while (pos < attrEnd) {
      int flags = msg.getUnsignedByte(pos);
      int type = msg.getUnsignedByte(pos + 1);
      boolean extended = (flags & 0x10) != 0;
      int valueLen = extended ? msg.getUnsignedShort(pos + 2) : msg.getUnsignedByte(pos + 2);
      int value = pos + (extended ? 4 : 3);
      check(value + valueLen <= attrEnd, "path attributes overrun their total length");
      if (type == TYPE_MED && valueLen == 4 && tally.wantsMed()) {
        med = msg.getUnsignedInt(value);
      }
      pos = value + valueLen;
    }
    check(pos == attrEnd, "path attributes overrun their total length");
    while (pos < end) {
      int len = msg.getUnsignedByte(pos);
      tally.announce(address(msg, pos + 1, len, end), len, med);
      pos += 1 + (len + 7) / 8;
    }
  }

  private static long address(ByteBuf msg, int at, int len, int limit) {
    int bytes = (len + 7) / 8;
    check(
        len <= 32 && at + bytes <= limit, "IPv4 prefix of length " + len + " runs past its field");
    long addr = 0;
    for (int i = 0; i < 4; i++) {
      addr = (addr << 8) | (i < bytes ? msg.getUnsignedByte(at + i) : 0);
    }
    return addr;
  }

  private static void check(boolean ok, String rule) {
    if (!ok) {
      throw new IllegalArgumentException("malformed UPDATE: " + rule);
    }
  }
}
