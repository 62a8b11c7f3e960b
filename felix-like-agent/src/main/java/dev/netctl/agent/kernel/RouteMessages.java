package dev.netctl.agent.kernel;

import dev.netctl.datastore.model.Cidr;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The rtnetlink route messages the agent sends and reads, as bytes: {@code nlmsghdr} (netlink(7)),
 * {@code rtmsg} and its attributes (rtnetlink(7), {@code linux/rtnetlink.h}), and {@code nlmsgerr}
 * with its extended-ACK attributes. Pure: no socket here, so the encoding is tested without root.
 *
 * <p>Headers are in the host's byte order, addresses in network order, every message and attribute
 * padded to 4 bytes ({@code NLMSG_ALIGN}/{@code RTA_ALIGN}). The header and attribute writers and
 * the message flags are public: the policy package's nf_tables messages use them too.
 */
public final class RouteMessages {

  public static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int RTM_NEWROUTE = 24;
  static final int RTM_DELROUTE = 25;
  static final int RTM_GETROUTE = 26;

  public static final int NLM_F_REQUEST = 0x1;
  static final int NLM_F_MULTI = 0x2;
  public static final int NLM_F_ACK = 0x4;
  static final int NLM_F_DUMP_INTR = 0x10;
  static final int NLM_F_DUMP = 0x300;
  static final int NLM_F_REPLACE = 0x100;
  public static final int NLM_F_CREATE = 0x400;
  // In an NLMSG_ERROR: the request's payload was left out (NETLINK_CAP_ACK), TLVs follow.
  static final int NLM_F_CAPPED = 0x100;
  static final int NLM_F_ACK_TLVS = 0x200;

  static final int AF_INET = 2;
  static final int AF_INET6 = 10;

  static final int RT_TABLE_MAIN = 254;
  static final int RT_SCOPE_UNIVERSE = 0;
  static final int RT_SCOPE_LINK = 253;
  static final int RT_SCOPE_NOWHERE = 255;
  static final int RTN_UNICAST = 1;
  static final int RTN_BLACKHOLE = 6;
  static final int RTNH_F_ONLINK = 0x4;
  static final int RTM_F_CLONED = 0x200;

  static final int RTA_DST = 1;
  static final int RTA_OIF = 4;
  static final int RTA_GATEWAY = 5;
  static final int RTA_MULTIPATH = 9;
  static final int RTA_TABLE = 15;

  static final int NLMSGERR_ATTR_MSG = 1;

  static final int NLMSG_HDRLEN = 16;
  static final int RTMSG_LEN = 12;
  static final int RTNH_LEN = 8;

  private RouteMessages() {}

  /** A fresh buffer in the order the kernel reads headers in. */
  static ByteBuffer buffer(int capacity) {
    return ByteBuffer.allocate(capacity).order(ByteOrder.nativeOrder());
  }

  /** The bytes {@link #putReplace} writes for {@code r}, so a caller can tell whether it fits. */
  static int replaceLength(Route r) {
    int addr = addressLength(r.dst().address());
    int len = NLMSG_HDRLEN + RTMSG_LEN + rta(addr);
    if (r.gateways().size() == 1) {
      len += rta(addr);
      if (r.dev() != null) len += rta(4);
    } else if (r.gateways().size() > 1) {
      int perHop = RTNH_LEN + rta(addr);
      len += rta(perHop * r.gateways().size());
    } else if (r.type() == Route.Type.UNICAST) {
      len += rta(4);
    }
    return len;
  }

  /** The bytes {@link #putDelete} writes for {@code r}. */
  static int deleteLength(Route r) {
    return NLMSG_HDRLEN + RTMSG_LEN + rta(addressLength(r.dst().address()));
  }

  /**
   * {@code RTM_NEWROUTE} with {@code NLM_F_CREATE|NLM_F_REPLACE}: {@code ip route replace}. The
   * device's index is {@code ifindex}, already resolved (0 when the route names none).
   */
  static void putReplace(ByteBuffer b, int seq, Route r, int ifindex, boolean ack) {
    int start = b.position();
    boolean v4 = r.dst().address() instanceof Inet4Address;
    boolean linkRoute = r.type() == Route.Type.UNICAST && r.gateways().isEmpty();
    int flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE | (ack ? NLM_F_ACK : 0);
    putHeader(b, RTM_NEWROUTE, flags, seq);
    putRtmsg(
        b,
        v4 ? AF_INET : AF_INET6,
        r.dst().prefixLength(),
        Ownership.ROUTE_PROTOCOL,
        linkRoute ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
        r.type() == Route.Type.BLACKHOLE ? RTN_BLACKHOLE : RTN_UNICAST,
        r.gateways().size() == 1 && r.onlink() ? RTNH_F_ONLINK : 0);
    putAttr(b, RTA_DST, r.dst().address().getAddress());
    if (r.gateways().size() == 1) {
      putAttr(b, RTA_GATEWAY, r.gateways().getFirst().getAddress());
      if (ifindex != 0) putIntAttr(b, RTA_OIF, ifindex);
    } else if (r.gateways().size() > 1) {
      int addr = addressLength(r.dst().address());
      int perHop = RTNH_LEN + rta(addr);
      b.putShort((short) (4 + perHop * r.gateways().size())).putShort((short) RTA_MULTIPATH);
      for (InetAddress g : r.gateways()) {
        // struct rtnexthop: len, flags, hops (weight - 1), ifindex; then its own attributes.
        b.putShort((short) perHop).put((byte) (r.onlink() ? RTNH_F_ONLINK : 0)).put((byte) 0);
        b.putInt(ifindex);
        putAttr(b, RTA_GATEWAY, g.getAddress());
      }
    } else if (r.type() == Route.Type.UNICAST) {
      putIntAttr(b, RTA_OIF, ifindex);
    }
    b.putInt(start, b.position() - start);
  }

  /**
   * {@code RTM_DELROUTE} of {@code r}'s destination in the main table, restricted to our protocol:
   * the kernel itself then refuses to remove a route of the same prefix that someone else made.
   */
  static void putDelete(ByteBuffer b, int seq, Route r, boolean ack) {
    int start = b.position();
    putHeader(b, RTM_DELROUTE, NLM_F_REQUEST | (ack ? NLM_F_ACK : 0), seq);
    boolean v4 = r.dst().address() instanceof Inet4Address;
    putRtmsg(
        b,
        v4 ? AF_INET : AF_INET6,
        r.dst().prefixLength(),
        Ownership.ROUTE_PROTOCOL,
        RT_SCOPE_NOWHERE,
        0,
        0);
    putAttr(b, RTA_DST, r.dst().address().getAddress());
    b.putInt(start, b.position() - start);
  }

  /**
   * {@code RTM_GETROUTE} dump of one family, asking the kernel (under {@code
   * NETLINK_GET_STRICT_CHK}) for our protocol only. Kernels that ignore the filter send every
   * route; {@link #owned} filters again.
   */
  static void putDump(ByteBuffer b, int seq, int family) {
    int start = b.position();
    putHeader(b, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq);
    putRtmsg(b, family, 0, Ownership.ROUTE_PROTOCOL, 0, 0, 0);
    b.putInt(start, b.position() - start);
  }

  public static void putHeader(ByteBuffer b, int type, int flags, int seq) {
    b.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
  }

  private static void putRtmsg(
      ByteBuffer b, int family, int dstLen, int protocol, int scope, int type, int flags) {
    // family, dst_len, src_len, tos, table, protocol, scope, type, flags
    b.put((byte) family).put((byte) dstLen).put((byte) 0).put((byte) 0);
    b.put((byte) RT_TABLE_MAIN).put((byte) protocol).put((byte) scope).put((byte) type);
    b.putInt(flags);
  }

  public static void putAttr(ByteBuffer b, int type, byte[] value) {
    b.putShort((short) (4 + value.length)).putShort((short) type).put(value);
    for (int i = value.length; i % 4 != 0; i++) b.put((byte) 0);
  }

  static void putIntAttr(ByteBuffer b, int type, int value) {
    b.putShort((short) 8).putShort((short) type).putInt(value);
  }

  static int rta(int payload) {
    return align(4 + payload);
  }

  static int align(int n) {
    return (n + 3) & ~3;
  }

  private static int addressLength(InetAddress a) {
    return a instanceof Inet4Address ? 4 : 16;
  }

  /** One message read from the socket. */
  sealed interface Reply {
    int seq();

    /** Whether the kernel's tables changed while the dump this came from was read. */
    default boolean interrupted() {
      return false;
    }
  }

  /**
   * An {@code NLMSG_ERROR}: an ACK when {@code errno} is 0.
   *
   * @param errno the positive errno, or 0
   * @param message the kernel's extended-ACK text, or null
   */
  record Ack(int seq, int errno, String message) implements Reply {}

  /** The end of a dump. */
  record Done(int seq) implements Reply {}

  /**
   * A route from a dump.
   *
   * @param route the route, or null when it is of a type the agent never programs
   * @param interrupted the kernel's tables changed during the dump ({@code NLM_F_DUMP_INTR})
   */
  record Dumped(
      int seq,
      int family,
      int table,
      int protocol,
      boolean cloned,
      Route route,
      boolean interrupted)
      implements Reply {
    /** A route of ours: our protocol, the main table, not a cached clone. */
    boolean owned() {
      return route != null
          && protocol == Ownership.ROUTE_PROTOCOL
          && table == RT_TABLE_MAIN
          && !cloned;
    }
  }

  /** A neighbour or FDB entry from a dump: {@link NeighbourMessages}. */
  record Neigh(
      int seq, int family, int ifindex, int state, InetAddress dst, String mac, boolean interrupted)
      implements Reply {}

  /** Any other message (ignored). */
  record Other(int seq, int type) implements Reply {}

  /**
   * Splits one datagram into its messages. Lengths are checked before reading: a truncated or
   * malformed message ends the datagram with an {@link IllegalArgumentException}.
   *
   * @param ifname the name of an interface index (null when it has none)
   */
  static List<Reply> decode(ByteBuffer datagram, IntFunction<String> ifname) {
    ByteBuffer b = datagram.slice().order(ByteOrder.nativeOrder());
    List<Reply> out = new ArrayList<>();
    while (b.remaining() >= NLMSG_HDRLEN) {
      int start = b.position();
      int len = b.getInt(start);
      if (len < NLMSG_HDRLEN || len > b.remaining()) {
        throw new IllegalArgumentException(
            "netlink message of length " + len + " with " + b.remaining() + " bytes left");
      }
      int type = Short.toUnsignedInt(b.getShort(start + 4));
      int flags = Short.toUnsignedInt(b.getShort(start + 6));
      int seq = b.getInt(start + 8);
      ByteBuffer body = b.slice(start + NLMSG_HDRLEN, len - NLMSG_HDRLEN).order(b.order());
      out.add(
          switch (type) {
            case NLMSG_ERROR -> decodeError(body, seq, flags);
            case NLMSG_DONE -> new Done(seq);
            case RTM_NEWROUTE -> decodeRoute(body, seq, flags, ifname);
            case NeighbourMessages.RTM_NEWNEIGH -> NeighbourMessages.decode(body, seq, flags);
            default -> new Other(seq, type);
          });
      b.position(Math.min(b.limit(), start + align(len)));
    }
    return out;
  }

  private static Ack decodeError(ByteBuffer body, int seq, int flags) {
    if (body.remaining() < 4) throw new IllegalArgumentException("short NLMSG_ERROR");
    int errno = -body.getInt(0);
    String message = null;
    if ((flags & NLM_F_ACK_TLVS) != 0 && body.remaining() >= 4 + NLMSG_HDRLEN) {
      // After the error: the request's header, its payload unless capped, then TLVs.
      int requestLen = body.getInt(4);
      int tlvStart = 4 + ((flags & NLM_F_CAPPED) != 0 ? NLMSG_HDRLEN : align(requestLen));
      if (tlvStart <= body.remaining()) {
        for (Attr a : attrs(body.slice(tlvStart, body.remaining() - tlvStart))) {
          if (a.type() == NLMSGERR_ATTR_MSG) message = cString(a.value());
        }
      }
    }
    return new Ack(seq, errno, message);
  }

  private static Dumped decodeRoute(
      ByteBuffer body, int seq, int flags, IntFunction<String> ifname) {
    if (body.remaining() < RTMSG_LEN) throw new IllegalArgumentException("short rtmsg");
    int family = Byte.toUnsignedInt(body.get(0));
    int dstLen = Byte.toUnsignedInt(body.get(1));
    int table = Byte.toUnsignedInt(body.get(4));
    int protocol = Byte.toUnsignedInt(body.get(5));
    int type = Byte.toUnsignedInt(body.get(7));
    int rtFlags = body.getInt(8);
    byte[] dst = null;
    List<InetAddress> gateways = new ArrayList<>();
    int oif = 0;
    boolean onlink = (rtFlags & RTNH_F_ONLINK) != 0;
    for (Attr a : attrs(body.slice(RTMSG_LEN, body.remaining() - RTMSG_LEN))) {
      switch (a.type()) {
        case RTA_DST -> dst = bytes(a.value());
        case RTA_GATEWAY -> gateways.add(address(bytes(a.value())));
        case RTA_OIF -> oif = a.value().order(body.order()).getInt(0);
        case RTA_TABLE -> table = a.value().order(body.order()).getInt(0);
        case RTA_MULTIPATH -> {
          ByteBuffer hops = a.value().order(body.order());
          while (hops.remaining() >= RTNH_LEN) {
            int at = hops.position();
            int hopLen = Short.toUnsignedInt(hops.getShort(at));
            if (hopLen < RTNH_LEN || hopLen > hops.remaining()) {
              throw new IllegalArgumentException("rtnexthop of length " + hopLen);
            }
            onlink |= (hops.get(at + 2) & RTNH_F_ONLINK) != 0;
            oif = hops.getInt(at + 4);
            for (Attr h : attrs(hops.slice(at + RTNH_LEN, hopLen - RTNH_LEN))) {
              if (h.type() == RTA_GATEWAY) gateways.add(address(bytes(h.value())));
            }
            hops.position(Math.min(hops.limit(), at + align(hopLen)));
          }
        }
        default -> {}
      }
    }
    boolean v4 = family == AF_INET;
    if (family != AF_INET && family != AF_INET6) {
      return new Dumped(seq, family, table, protocol, false, null, false);
    }
    Cidr cidr = new Cidr(address(dst == null ? new byte[v4 ? 4 : 16] : dst), dstLen);
    String dev = oif == 0 ? null : ifname.apply(oif);
    Route route =
        switch (type) {
          case RTN_BLACKHOLE -> Route.blackhole(cidr);
          case RTN_UNICAST ->
              gateways.isEmpty() && dev == null
                  ? null
                  : new Route(cidr, Route.Type.UNICAST, gateways, dev, onlink);
          default -> null;
        };
    return new Dumped(
        seq,
        family,
        table,
        protocol,
        (rtFlags & RTM_F_CLONED) != 0,
        route,
        (flags & NLM_F_DUMP_INTR) != 0);
  }

  record Attr(int type, ByteBuffer value) {}

  static List<Attr> attrs(ByteBuffer b) {
    List<Attr> out = new ArrayList<>();
    int at = 0;
    while (b.limit() - at >= 4) {
      int len = Short.toUnsignedInt(b.order(ByteOrder.nativeOrder()).getShort(at));
      int type = Short.toUnsignedInt(b.getShort(at + 2)) & 0x3fff; // without NLA_F_NESTED etc.
      if (len < 4 || len > b.limit() - at) {
        throw new IllegalArgumentException("attribute " + type + " of length " + len);
      }
      out.add(new Attr(type, b.slice(at + 4, len - 4)));
      at += align(len);
    }
    return out;
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(b.position(), out);
    return out;
  }

  private static String cString(ByteBuffer b) {
    byte[] raw = bytes(b);
    int n = 0;
    while (n < raw.length && raw[n] != 0) n++;
    return new String(raw, 0, n, java.nio.charset.StandardCharsets.UTF_8);
  }

  static InetAddress address(byte[] raw) {
    if (raw.length != 4 && raw.length != 16) {
      throw new IllegalArgumentException("address of " + raw.length + " bytes");
    }
    try {
      // Inet6Address directly: getByAddress would turn ::ffff:a.b.c.d into an IPv4 address.
      return raw.length == 4
          ? InetAddress.getByAddress(raw)
          : java.net.Inet6Address.getByAddress(null, raw, (java.net.NetworkInterface) null);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The text of the errnos a route operation meets, as {@code ip} prints them. */
  static String describe(Ack a) {
    String text =
        switch (a.errno()) {
          case 1 -> "Operation not permitted";
          case 2 -> "No such file or directory";
          case 3 -> "No such process";
          case 12 -> "Cannot allocate memory";
          case 17 -> "File exists";
          case 19 -> "No such device";
          case 22 -> "Invalid argument";
          case 95 -> "Operation not supported";
          case 97 -> "Address family not supported by protocol";
          case 101 -> "Network is unreachable";
          case 105 -> "No buffer space available";
          case 113 -> "No route to host";
          default -> "errno " + a.errno();
        };
    return "RTNETLINK answers: " + text + (a.message() == null ? "" : " (" + a.message() + ")");
  }
}
