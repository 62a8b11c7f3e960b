package dev.netctl.agent.policy;

import dev.netctl.agent.policy.NftAttributes.SetUserdata;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An anonymous constant set a rule looks up ({@code ip saddr { ... }}), as nft 1.0.6 writes it:
 * sent in the same batch right before the rule ({@code NEWSET} named {@code __set%d}, which the
 * kernel numbers, with a batch-wide id the lookup refers to, then its elements).
 *
 * @param id its id in the batch ({@code NFTA_SET_ID})
 * @param flags {@code NFTA_SET_FLAGS}
 * @param keyType the key's nft data type
 * @param keyLength the key's length in bytes
 * @param userdata {@code NFTA_SET_USERDATA} as nft writes it (byte order, merge, typeof)
 * @param elements its elements
 */
record NftAnonymousSet(
    int id, int flags, int keyType, int keyLength, byte[] userdata, List<Element> elements) {

  /** {@code NFT_SET_ANONYMOUS | NFT_SET_CONSTANT}, and {@code NFT_SET_INTERVAL}. */
  static final int ANONYMOUS_CONSTANT = 0x3;

  static final int INTERVAL = 0x4;

  /**
   * One element of an anonymous set.
   *
   * @param key its key bytes
   * @param intervalEnd whether it ends an interval ({@code NFT_SET_ELEM_INTERVAL_END})
   * @param open whether it starts an interval that reaches the largest value (no end element
   *     follows; nft marks it in the element's userdata, and lists the set by it)
   */
  record Element(byte[] key, boolean intervalEnd, boolean open) {
    Element(byte[] key, boolean intervalEnd) {
      this(key, intervalEnd, false);
    }
  }

  /**
   * The set of these elements, with the userdata nft writes: key byte order (host for a protocol
   * number, else big endian), "merge elements" for an interval set, and the key's typeof.
   */
  static NftAnonymousSet of(
      int id, int keyType, int keyLength, boolean interval, byte[] typeof, List<Element> elements) {
    var u = new SetUserdata();
    // a protocol number (type 12) in host order, every other key big endian
    u.u32(
        SetUserdata.KEY_BYTEORDER, keyType == 12 ? SetUserdata.HOST_ORDER : SetUserdata.BIG_ENDIAN);
    if (interval) u.u32(SetUserdata.MERGE_ELEMENTS, 1);
    byte[] udata = u.bytes(SetUserdata.KEY_TYPEOF, typeof).toBytes();
    int flags = ANONYMOUS_CONSTANT | (interval ? INTERVAL : 0);
    return new NftAnonymousSet(id, flags, keyType, keyLength, udata, elements);
  }

  /**
   * The elements of a set of {@code len}-byte values: distinct values as they are, or for an
   * interval set the merged ranges as nft sends them (a start element, then an end element at last
   * + 1 flagged as an interval end; a leading end element at 0 when the first range does not start
   * there; no end element after a range reaching the largest value, its start marked open).
   */
  static List<Element> elements(List<BigInteger[]> ranges, int len, boolean interval) {
    List<BigInteger[]> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparing((BigInteger[] r) -> r[0]));
    List<Element> out = new ArrayList<>();
    if (!interval) {
      BigInteger last = null;
      for (BigInteger[] r : sorted) {
        if (r[0].equals(last)) continue;
        out.add(new Element(bytes(r[0], len), false));
        last = r[0];
      }
      return out;
    }
    List<BigInteger[]> merged = new ArrayList<>();
    for (BigInteger[] r : sorted) {
      BigInteger[] prev = merged.isEmpty() ? null : merged.getLast();
      if (prev != null && r[0].compareTo(prev[1].add(BigInteger.ONE)) <= 0) {
        if (r[1].compareTo(prev[1]) > 0) prev[1] = r[1];
      } else {
        merged.add(new BigInteger[] {r[0], r[1]});
      }
    }
    BigInteger max = BigInteger.ONE.shiftLeft(len * 8).subtract(BigInteger.ONE);
    if (merged.getFirst()[0].signum() != 0) out.add(new Element(new byte[len], true));
    for (BigInteger[] r : merged) {
      boolean open = r[1].equals(max);
      out.add(new Element(bytes(r[0], len), false, open));
      if (!open) out.add(new Element(bytes(r[1].add(BigInteger.ONE), len), true));
    }
    return out;
  }

  private static byte[] bytes(BigInteger v, int len) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[len];
    int n = Math.min(len, raw.length);
    System.arraycopy(raw, raw.length - n, out, len - n, n);
    return out;
  }
}
