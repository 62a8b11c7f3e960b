package dev.netctl.agent.kernel;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The rtnetlink neighbour messages behind a VTEP (rtnetlink(7), {@code linux/neighbour.h}): the
 * permanent ARP/NDP entry on the VXLAN device ({@code ip neigh replace ... nud permanent}) and its
 * FDB entry ({@code bridge fdb replace MAC dev DEV dst IP self permanent}, family {@code AF_BRIDGE}
 * with {@code NTF_SELF}: the VXLAN driver's own table). Headers and helpers are {@link
 * RouteMessages}'.
 */
final class NeighbourMessages {

  static final int RTM_NEWNEIGH = 28;
  static final int RTM_DELNEIGH = 29;
  static final int RTM_GETNEIGH = 30;
  static final int AF_BRIDGE = 7;
  static final int NUD_PERMANENT = 0x80;
  static final int NTF_SELF = 0x2;
  static final int NDA_DST = 1;
  static final int NDA_LLADDR = 2;
  static final int NDA_IFINDEX = 8;
  static final int NDMSG_LEN = 12;

  private static final HexFormat MAC = HexFormat.ofDelimiter(":");

  private NeighbourMessages() {}

  /** {@code ip neigh replace ADDR lladdr MAC dev IFINDEX nud permanent}. */
  static void putNeighbourReplace(
      ByteBuffer b, int seq, int ifindex, InetAddress address, String mac) {
    int start = b.position();
    int flags =
        RouteMessages.NLM_F_REQUEST | RouteMessages.NLM_F_CREATE | RouteMessages.NLM_F_REPLACE;
    RouteMessages.putHeader(b, RTM_NEWNEIGH, flags, seq);
    putNdmsg(b, family(address), ifindex, NUD_PERMANENT, 0);
    RouteMessages.putAttr(b, NDA_DST, address.getAddress());
    RouteMessages.putAttr(b, NDA_LLADDR, mac(mac));
    b.putInt(start, b.position() - start);
  }

  /** {@code ip neigh del ADDR dev IFINDEX}. */
  static void putNeighbourDelete(ByteBuffer b, int seq, int ifindex, InetAddress address) {
    int start = b.position();
    RouteMessages.putHeader(b, RTM_DELNEIGH, RouteMessages.NLM_F_REQUEST, seq);
    putNdmsg(b, family(address), ifindex, 0, 0);
    RouteMessages.putAttr(b, NDA_DST, address.getAddress());
    b.putInt(start, b.position() - start);
  }

  /** {@code bridge fdb replace MAC dev IFINDEX dst UNDERLAY self permanent}. */
  static void putFdbReplace(ByteBuffer b, int seq, int ifindex, String mac, InetAddress underlay) {
    int start = b.position();
    int flags =
        RouteMessages.NLM_F_REQUEST | RouteMessages.NLM_F_CREATE | RouteMessages.NLM_F_REPLACE;
    RouteMessages.putHeader(b, RTM_NEWNEIGH, flags, seq);
    putNdmsg(b, AF_BRIDGE, ifindex, NUD_PERMANENT, NTF_SELF);
    RouteMessages.putAttr(b, NDA_LLADDR, mac(mac));
    RouteMessages.putAttr(b, NDA_DST, underlay.getAddress());
    b.putInt(start, b.position() - start);
  }

  /** {@code bridge fdb del MAC dev IFINDEX self}: the entry with all its destinations. */
  static void putFdbDelete(ByteBuffer b, int seq, int ifindex, String mac) {
    int start = b.position();
    RouteMessages.putHeader(b, RTM_DELNEIGH, RouteMessages.NLM_F_REQUEST, seq);
    putNdmsg(b, AF_BRIDGE, ifindex, 0, NTF_SELF);
    RouteMessages.putAttr(b, NDA_LLADDR, mac(mac));
    b.putInt(start, b.position() - start);
  }

  /**
   * A neighbour dump of one family on one device. Under {@code NETLINK_GET_STRICT_CHK} the kernel
   * filters by device: for {@code AF_BRIDGE} (the FDB) it reads the header's index, for IP
   * neighbours an {@code NDA_IFINDEX} attribute, and rejects the other way round. Kernels without
   * strict checking send every device's entries; the caller filters again.
   */
  static void putDump(ByteBuffer b, int seq, int family, int ifindex) {
    int start = b.position();
    RouteMessages.putHeader(
        b, RTM_GETNEIGH, RouteMessages.NLM_F_REQUEST | RouteMessages.NLM_F_DUMP, seq);
    putNdmsg(b, family, family == AF_BRIDGE ? ifindex : 0, 0, 0);
    if (family != AF_BRIDGE) RouteMessages.putIntAttr(b, NDA_IFINDEX, ifindex);
    b.putInt(start, b.position() - start);
  }

  /** The largest message this class writes (an IPv6 FDB or neighbour entry). */
  static final int MAX_LENGTH = RouteMessages.NLMSG_HDRLEN + NDMSG_LEN + 20 + 12;

  private static void putNdmsg(ByteBuffer b, int family, int ifindex, int state, int flags) {
    // family, pad, pad (u16), ifindex, state (u16), flags, type
    b.put((byte) family).put((byte) 0).putShort((short) 0).putInt(ifindex);
    b.putShort((short) state).put((byte) flags).put((byte) 0);
  }

  static RouteMessages.Neigh decode(ByteBuffer body, int seq, int flags) {
    if (body.remaining() < NDMSG_LEN) throw new IllegalArgumentException("short ndmsg");
    int family = Byte.toUnsignedInt(body.get(0));
    int ifindex = body.getInt(4);
    int state = Short.toUnsignedInt(body.getShort(8));
    InetAddress dst = null;
    String mac = null;
    for (RouteMessages.Attr a :
        RouteMessages.attrs(body.slice(NDMSG_LEN, body.remaining() - NDMSG_LEN))) {
      byte[] v = RouteMessages.bytes(a.value());
      switch (a.type()) {
        case NDA_DST -> dst = v.length == 4 || v.length == 16 ? RouteMessages.address(v) : null;
        case NDA_LLADDR -> mac = v.length == 6 ? MAC.formatHex(v) : null;
        default -> {}
      }
    }
    return new RouteMessages.Neigh(
        seq, family, ifindex, state, dst, mac, (flags & RouteMessages.NLM_F_DUMP_INTR) != 0);
  }

  private static int family(InetAddress a) {
    return a instanceof Inet4Address ? RouteMessages.AF_INET : RouteMessages.AF_INET6;
  }

  /** {@code aa:bb:cc:dd:ee:ff} as 6 bytes. */
  static byte[] mac(String text) {
    byte[] raw;
    try {
      raw = MAC.parseHex(text.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      raw = null;
    }
    if (raw == null || raw.length != 6) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
    }
    return raw;
  }
}
