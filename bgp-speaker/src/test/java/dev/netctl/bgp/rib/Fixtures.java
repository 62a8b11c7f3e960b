package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.Origin;
import dev.netctl.bgp.codec.PathAttribute.OriginType;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

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
