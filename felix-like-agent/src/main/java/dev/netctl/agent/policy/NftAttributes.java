package dev.netctl.agent.policy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Netlink attribute writers as nf_tables reads them (host-order headers, big-endian u32s). */
final class NftAttributes {

  static final int NLA_F_NESTED = 0x8000;

  private NftAttributes() {}

  /** A big-endian u32 attribute, as nf_tables reads them. */
  static void u32(ByteBuffer b, int type, int v) {
    b.putShort((short) 8).putShort((short) type);
    b.order(ByteOrder.BIG_ENDIAN).putInt(v).order(ByteOrder.nativeOrder());
  }

  static void string(ByteBuffer b, int type, String s) {
    attr(b, type, (s + "\0").getBytes(StandardCharsets.UTF_8));
  }

  static void attr(ByteBuffer b, int type, byte[] value) {
    b.putShort((short) (4 + value.length)).putShort((short) type).put(value);
    for (int i = value.length; i % 4 != 0; i++) b.put((byte) 0);
  }

  /**
   * libnftnl's userdata as nft writes it to a set ({@code NFTA_SET_USERDATA}): entries of a
   * one-byte type, a one-byte length and the value (a u32 in host order). nft lists a set by it
   * (key byte order, typeof), so a set written without it lists differently.
   */
  static final class SetUserdata {
    static final int KEY_BYTEORDER = 0;
    static final int DATA_BYTEORDER = 1;
    static final int MERGE_ELEMENTS = 2;
    static final int KEY_TYPEOF = 3;
    static final int DATA_INTERVAL = 6;
    static final int HOST_ORDER = 1;
    static final int BIG_ENDIAN = 2;

    private final ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());

    SetUserdata u32(int type, int value) {
      b.put((byte) type).put((byte) 4).putInt(value);
      return this;
    }

    SetUserdata bytes(int type, byte[] value) {
      b.put((byte) type).put((byte) value.length).put(value);
      return this;
    }

    byte[] toBytes() {
      return java.util.Arrays.copyOf(b.array(), b.position());
    }
  }

  static int begin(ByteBuffer b, int type) {
    int start = b.position();
    b.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
    return start;
  }

  static void end(ByteBuffer b, int start) {
    int len = b.position() - start;
    // an attribute's length is 16 bits: a longer one is not encoded (nft is used instead)
    if (len > 0xffff) throw new IllegalArgumentException("attribute of " + len + " bytes");
    b.putShort(start, (short) len);
  }
}
