package dev.netctl.agent.routing;

import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.policy.Action;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.datastore.model.BGPConfiguration;
import dev.netctl.datastore.model.BGPConfigurationSpec;
import dev.netctl.datastore.model.BGPPeer;
import dev.netctl.datastore.model.BGPPeerSpec;
import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.NextHopMode;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.NodeBGPSpec;
import dev.netctl.datastore.model.PeerAddress;
import dev.netctl.datastore.selector.Selector;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Works out, from BGPConfiguration, Node and BGPPeer resources, which BGP sessions this node should
 * have — what confd renders into BIRD's config for calico-node. Pure apart from reading password
 * files.
 *
 * <ul>
 *   <li>Node-to-node mesh (when {@code nodeToNodeMeshEnabled}): every other node with an address of
 *       the family, in the node's AS.
 *   <li>BGPPeer scopes: global (no {@code node}, no {@code nodeSelector}), {@code node: <me>}, or a
 *       {@code nodeSelector} that matches this node; its peers are {@code peerIP} (with an optional
 *       port) or every node that {@code peerSelector} matches.
 *   <li>Route reflection: a node with {@code routeReflectorClusterID} treats its iBGP peers that
 *       are not reflectors of the same cluster as clients (Calico's RR topology).
 * </ul>
 */
public final class PeerPlanner {

  private static final System.Logger LOG = System.getLogger("netctl.agent.bgp");

  /** Graceful restart time we offer: a restarting agent keeps its peers' routes to its blocks. */
  static final int RESTART_SECONDS = 120;

  private final String nodeName;
  private final Path secretsDir;

  public PeerPlanner(String nodeName, Path secretsDir) {
    this.nodeName = nodeName;
    this.secretsDir = secretsDir;
  }

  /** The cluster BGP settings with this node's {@code node.<name>} overrides and defaults. */
  public BGPConfigurationSpec effectiveConfig(List<BGPConfiguration> configs) {
    BGPConfigurationSpec global = BGPConfigurationSpec.empty();
    BGPConfigurationSpec mine = null;
    for (BGPConfiguration c : configs) {
      if (c.name().equals(BGPConfiguration.DEFAULT_NAME)) global = c.spec();
      if (c.name().equals(BGPConfiguration.NODE_PREFIX + nodeName)) mine = c.spec();
    }
    BGPConfigurationSpec s = global.withDefaults();
    if (mine != null) {
      if (mine.listenPort() != null) s = s.withListenPort(mine.listenPort());
      if (mine.asNumber() != null) s = s.withAsNumber(mine.asNumber());
    }
    return s;
  }

  /** This node's AS: its own, or the cluster's. */
  public long effectiveAs(Node me, BGPConfigurationSpec cluster) {
    return asOf(me, cluster);
  }

  /** A node's AS: its own, or the cluster's. */
  static long asOf(Node n, BGPConfigurationSpec cluster) {
    NodeBGPSpec b = n.spec().bgp();
    return b != null && b.asNumber() != null ? b.asNumber() : cluster.asNumber();
  }

  /**
   * The sessions this node should have, by peer address.
   *
   * @param me this node's resource
   * @param nodes every node
   * @param peers every BGPPeer
   * @param cluster the effective BGP configuration
   */
  public Map<InetAddress, Neighbor> plan(
      Node me, List<Node> nodes, List<BGPPeer> peers, BGPConfigurationSpec cluster) {
    Map<InetAddress, Neighbor> out = new LinkedHashMap<>();
    Inet4Address routerId = ipv4(me);
    if (routerId == null) return out;
    java.net.Inet6Address nextHop6 = ipv6(me);
    long myAs = asOf(me, cluster);
    String myCluster = clusterId(me);
    int port = cluster.listenPort();
    if (Boolean.TRUE.equals(cluster.nodeToNodeMeshEnabled())) {
      for (Node n : nodes) {
        if (n.name().equals(nodeName)) continue;
        // Two reflectors of one cluster do not mesh with each other through the mesh either way.
        addNode(out, me, n, myAs, asOf(n, cluster), myCluster, port, null, nextHop6);
      }
    }
    for (BGPPeer p : peers) {
      BGPPeerSpec s = p.spec();
      if (!appliesTo(s, me)) continue;
      if (s.peerSelector() != null && !s.peerSelector().isBlank()) {
        Selector sel = Selector.parse(s.peerSelector());
        for (Node n : nodes) {
          if (n.name().equals(nodeName) || !sel.matches(n.metadata().labels())) continue;
          long remoteAs = s.asNumber() != null ? s.asNumber() : asOf(n, cluster);
          addNode(out, me, n, myAs, remoteAs, myCluster, port, s, nextHop6);
        }
      } else if (s.peerIP() != null) {
        PeerAddress a = PeerAddress.parse(s.peerIP());
        if (!(a.address() instanceof Inet4Address)) {
          LOG.log(Level.INFO, "BGPPeer {0}: IPv6 peers are not supported yet; skipped", p.name());
          continue;
        }
        long remoteAs = s.asNumber() != null ? s.asNumber() : myAs;
        int remotePort = a.hasPort() ? a.port() : port;
        boolean rrClient = myCluster != null && remoteAs == myAs;
        out.put(
            a.address(),
            neighbor(routerId, myAs, remoteAs, a.address(), remotePort, rrClient, s, nextHop6));
      }
    }
    return out;
  }

  private void addNode(
      Map<InetAddress, Neighbor> out,
      Node me,
      Node n,
      long myAs,
      long remoteAs,
      String myCluster,
      int port,
      BGPPeerSpec s,
      java.net.Inet6Address nextHop6) {
    Inet4Address addr = ipv4(n);
    if (addr == null) return;
    String theirCluster = clusterId(n);
    // Two reflectors of the same cluster never peer: they would reflect each other's clients.
    if (myCluster != null && myCluster.equals(theirCluster)) return;
    boolean rrClient = myCluster != null && theirCluster == null && remoteAs == myAs;
    out.put(addr, neighbor(ipv4(me), myAs, remoteAs, addr, port, rrClient, s, nextHop6));
  }

  private Neighbor neighbor(
      Inet4Address local,
      long myAs,
      long remoteAs,
      InetAddress remote,
      int port,
      boolean rrClient,
      BGPPeerSpec s,
      java.net.Inet6Address nextHop6) {
    int restart = RESTART_SECONDS;
    String password = null;
    int ttl = 0;
    if (s != null) {
      if (s.maxRestartTime() != null) restart = restartSeconds(s.maxRestartTime());
      if (s.password() != null && s.password().secretKeyRef() != null) {
        password =
            readSecret(s.password().secretKeyRef().name(), s.password().secretKeyRef().key());
      }
      if (s.ttlSecurity() != null) ttl = s.ttlSecurity();
    }
    PeerConfig config =
        PeerConfig.of(myAs, local, remoteAs)
            .withConnectRetry(Duration.ofSeconds(2))
            .withOptions(Set.of(), Set.of(), restart, false);
    PeerSpec spec =
        new PeerSpec(new InetSocketAddress(remote, port), local, config, false, password, ttl);
    // Cluster-internal routes are exchanged freely; an eBGP peer (a ToR) gets and gives every
    // route too — without an explicit policy RFC 8212 would exchange nothing.
    Neighbor n = Neighbor.of(spec).withPolicies(RoutePolicy.ACCEPT_ALL, exportPolicy(s));
    // IPv6 blocks travel over the IPv4 session with the node's IPv6 address as next hop (RFC
    // 2545); a node without one does not offer IPv6 on the session.
    if (nextHop6 != null) n = n.withIpv6NextHop(nextHop6);
    return rrClient ? n.asReflectorClient() : n;
  }

  /**
   * Everything is exported; {@code keepOriginalNextHop} (or {@code nextHopMode: Keep}) passes the
   * next hop on unchanged, {@code nextHopMode: Self} always sets our own, Auto leaves the BGP
   * default (self toward eBGP, unchanged toward iBGP).
   */
  static RoutePolicy exportPolicy(BGPPeerSpec s) {
    NextHopMode mode = s == null ? null : s.nextHopMode();
    Action.SetNextHop action = null;
    if (s != null && (s.keepOriginalNextHop() || mode == NextHopMode.KEEP)) {
      action = Action.SetNextHop.keep();
    } else if (mode == NextHopMode.SELF) {
      action = Action.SetNextHop.self();
    }
    if (action == null) return RoutePolicy.ACCEPT_ALL;
    return new Policy(
        "next-hop-" + action.mode().name().toLowerCase(java.util.Locale.ROOT),
        List.of(new Statement(List.of(), List.of(action), Verdict.ACCEPT)),
        Verdict.ACCEPT);
  }

  private boolean appliesTo(BGPPeerSpec s, Node me) {
    if (s.node() != null && !s.node().isBlank()) return s.node().equals(nodeName);
    if (s.nodeSelector() != null && !s.nodeSelector().isBlank()) {
      return Selector.parse(s.nodeSelector()).matches(me.metadata().labels());
    }
    return true;
  }

  private String readSecret(String name, String key) {
    Path p = secretsDir.resolve(name).resolve(key);
    try {
      return Files.readString(p).strip();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "BGP password secret {0}/{1} not readable at {2}", name, key, p);
      return null;
    }
  }

  static int restartSeconds(String duration) {
    String d = duration.strip();
    try {
      if (d.endsWith("ms")) return (int) Math.min(4095, Long.parseLong(d.replace("ms", "")) / 1000);
      if (d.endsWith("s")) return (int) Math.min(4095, Long.parseLong(d.replace("s", "")));
      if (d.endsWith("m")) return (int) Math.min(4095, 60 * Long.parseLong(d.replace("m", "")));
      if (d.endsWith("h")) return 4095;
      return (int) Math.min(4095, Long.parseLong(d));
    } catch (NumberFormatException e) {
      return RESTART_SECONDS;
    }
  }

  static Inet4Address ipv4(Node n) {
    NodeBGPSpec b = n.spec().bgp();
    if (b == null || b.ipv4Address() == null) return null;
    return Cidr.parseAddressOrCidr(b.ipv4Address()).address() instanceof Inet4Address a ? a : null;
  }

  static java.net.Inet6Address ipv6(Node n) {
    NodeBGPSpec b = n.spec().bgp();
    if (b == null || b.ipv6Address() == null) return null;
    InetAddress a = Cidr.parseAddressOrCidr(b.ipv6Address()).address();
    return a instanceof java.net.Inet6Address v6 && !v6.isLinkLocalAddress() ? v6 : null;
  }

  private static String clusterId(Node n) {
    NodeBGPSpec b = n.spec().bgp();
    return b == null ? null : b.routeReflectorClusterID();
  }
}
