package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.Origin;
import dev.netctl.bgp.codec.PathAttribute.OriginType;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/** Builders for peers and attribute sets used across the rib tests. */
final class Fixtures {
  static final long LOCAL_AS = 65000;
  static final Inet4Address ROUTER_ID = v4("10.255.0.1");
  static final Inet4Address CLUSTER_ID = v4("10.255.255.1");

  private Fixtures() {}

  static Inet4Address v4(String text) {
    try {
      return (Inet4Address) InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static InetAddress ip(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static RibConfig config() {
    return new RibConfig(LOCAL_AS, ROUTER_ID, CLUSTER_ID, false, 1, 1);
  }

  static Peer ebgp(String address, long asn) {
    return new Peer(ip(address), v4(address), asn, PeerKind.EBGP, false);
  }

  static Peer ibgp(String address) {
    return new Peer(ip(address), v4(address), LOCAL_AS, PeerKind.IBGP, false);
  }

  static Peer client(String address) {
    return new Peer(ip(address), v4(address), LOCAL_AS, PeerKind.IBGP, true);
  }

  /** A RIB of {@code shards} shards with every next hop reachable, no cluster id. */
  static Rib rib(int shards) {
    return new Rib(
        new RibConfig(LOCAL_AS, ROUTER_ID, null, false, 1, shards), NextHopResolver.ALL_REACHABLE);
  }

  /** IPv4 iBGP peers (reflector clients or not) under {@code export}, next-hop self 10.255.0.1. */
  static OutboundProfile ibgpProfile(boolean reflectorClient, RoutePolicy export) {
    return profile(PeerKind.IBGP, reflectorClient, export);
  }

  /** IPv4 peers of {@code kind} under {@code export}, next-hop self 10.255.0.1. */
  static OutboundProfile profile(PeerKind kind, boolean reflectorClient, RoutePolicy export) {
    return new OutboundProfile(
        kind,
        reflectorClient,
        CodecContext.FOUR_OCTET,
        Set.of(AddressFamily.IPV4_UNICAST),
        export,
        ip("10.255.0.1"),
        null,
        null);
  }

  /**
   * Drains a group as its writer does: hands each UPDATE to {@code deliver} for every member its
   * audience includes that is not split off.
   */
  static void drain(UpdateGroup g, BiConsumer<Peer, Update> deliver) {
    Set<Peer> away = g.detached();
    for (OutboundUpdate u : g.drain()) {
      if (u.message() instanceof Update update) {
        for (Peer m : g.members()) {
          if (u.audience().includes(m) && !away.contains(m)) {
            deliver.accept(m, update);
          }
        }
      }
    }
  }

  /** A fluent attribute-set builder. */
  static Attrs attrs(String nextHop) {
    return new Attrs(ip(nextHop));
  }

  static final class Attrs {
    private final InetAddress nextHop;
    private final List<PathAttribute> list = new ArrayList<>();
    private OriginType origin = OriginType.IGP;
    private AsPath path = AsPath.EMPTY;

    Attrs(InetAddress nextHop) {
      this.nextHop = nextHop;
    }

    Attrs path(long... asns) {
      path = AsPath.sequence(asns);
      return this;
    }

    Attrs path(AsPath p) {
      path = p;
      return this;
    }

    Attrs origin(OriginType o) {
      origin = o;
      return this;
    }

    Attrs localPref(long v) {
      list.add(new PathAttribute.LocalPref(v));
      return this;
    }

    Attrs med(long v) {
      list.add(new PathAttribute.MultiExitDisc(v));
      return this;
    }

    Attrs communities(Integer... values) {
      list.add(new PathAttribute.Communities(List.of(values)));
      return this;
    }

    Attrs originator(String id) {
      list.add(new PathAttribute.OriginatorId(v4(id)));
      return this;
    }

    Attrs clusters(String... ids) {
      list.add(
          new PathAttribute.ClusterList(java.util.Arrays.stream(ids).map(Fixtures::v4).toList()));
      return this;
    }

    AttributeSet build() {
      List<PathAttribute> all = new ArrayList<>(list);
      all.add(new Origin(origin));
      all.add(path);
      return AttributeSet.of(all, nextHop);
    }
  }
}
