package dev.netctl.agent.routing;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.policy.Action;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.speaker.DynamicRange;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.datastore.model.BGPConfiguration;
import dev.netctl.datastore.model.BGPConfigurationSpec;
import dev.netctl.datastore.model.BGPFilterSpec;
import dev.netctl.datastore.model.BGPPeer;
import dev.netctl.datastore.model.BGPPeerSpec;
import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.GoDuration;
import dev.netctl.datastore.model.NextHopMode;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.NodeBGPSpec;
import dev.netctl.datastore.model.PeerAddress;
import dev.netctl.datastore.selector.Selector;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Works out, from BGPConfiguration, Node and BGPPeer resources, which BGP sessions this node should
 * have — what confd renders into BIRD's config for calico-node. Pure apart from reading password
 * files and remembering which client ranges it last skipped (so that it warns once per change, not
 * on every apply).
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

  // Peer types, as `calicoctl node status` names them.
  public static final String MESH = "node-to-node mesh";
  public static final String NODE_SPECIFIC = "node specific";
  public static final String GLOBAL = "global";

  private final String nodeName;
  private final Path secretsDir;
  // The client ranges the last clientRanges call skipped: only a newly skipped one is warned of.
  private Set<Cidr> skippedRanges = Set.of();
  // The IPv6 BGPPeers ("name address") the last plan skipped: only a newly skipped one is warned
  // of.
  private Set<String> skippedPeers = Set.of();
  // What put each neighbour of the last plan there, for `node status`.
  private Map<InetAddress, String> peerTypes = Map.of();

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
      if (!mine.routeReflectorClientRanges().isEmpty()) {
        s = s.withRouteReflectorClientRanges(mine.routeReflectorClientRanges());
      }
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
   * The sessions this node should have, by peer address (no BGPFilters: every filter a peer names
   * counts as missing).
   */
  public Map<InetAddress, Neighbor> plan(
      Node me, List<Node> nodes, List<BGPPeer> peers, BGPConfigurationSpec cluster) {
    return plan(me, nodes, peers, Map.of(), cluster);
  }

  /**
   * The sessions this node should have, by peer address.
   *
   * <p>IPv6: a node with an IPv6 address has IPv6 sessions to the IPv6 peers it is given ({@code
   * peerIP: fd00::1}) and, toward every node that has one too, a second mesh or selector session
   * over IPv6 — Calico's separate v4 and v6 sessions: the IPv4 session then carries IPv4 only and
   * the IPv6 session IPv6 only. Toward a node without an IPv6 address the IPv4 session carries IPv6
   * too, with this node's IPv6 address as next hop (RFC 2545), as before. An IPv6 session never
   * offers IPv4: no IPv4 next hop is configured for it.
   *
   * @param me this node's resource
   * @param nodes every node
   * @param peers every BGPPeer
   * @param filters every BGPFilter's spec by name
   * @param cluster the effective BGP configuration
   */
  public Map<InetAddress, Neighbor> plan(
      Node me,
      List<Node> nodes,
      List<BGPPeer> peers,
      Map<String, BGPFilterSpec> filters,
      BGPConfigurationSpec cluster) {
    return plan(me, nodes, peers, filters, cluster, clientRanges(me, cluster));
  }

  /**
   * The sessions this node should have, by peer address, given its reflector client ranges as
   * {@link #clientRanges} gave them (the agent works those out once per apply and hands the same
   * list to the speaker).
   */
  public Map<InetAddress, Neighbor> plan(
      Node me,
      List<Node> nodes,
      List<BGPPeer> peers,
      Map<String, BGPFilterSpec> filters,
      BGPConfigurationSpec cluster,
      List<DynamicRange> ranges) {
    Map<InetAddress, Neighbor> out = new LinkedHashMap<>();
    Map<InetAddress, String> types = new HashMap<>();
    peerTypes = types;
    Local local = local(me, cluster);
    if (local == null) return out;
    int port = cluster.listenPort();
    if (Boolean.TRUE.equals(cluster.nodeToNodeMeshEnabled())) {
      BGPPeerSpec mesh =
          cluster.nodeMeshPassword() == null && cluster.nodeMeshMaxRestartTime() == null
              ? null
              : BGPPeerSpec.mesh(cluster.nodeMeshPassword(), cluster.nodeMeshMaxRestartTime());
      for (Node n : nodes) {
        if (n.name().equals(nodeName)) continue;
        for (InetAddress a : addNode(out, local, n, asOf(n, cluster), port, mesh, filters)) {
          types.put(a, MESH);
        }
      }
    }
    // IPv6 peers this node cannot use: warned of when newly skipped, not on every apply.
    Set<String> skipped = new LinkedHashSet<>();
    for (BGPPeer p : peers) {
      BGPPeerSpec s = p.spec();
      if (!appliesTo(s, me)) continue;
      // By the BGPPeer's own scope, as calico-node names its BIRD protocols (Global_, Node_): a
      // ToR peered through `node` or `nodeSelector` is not a global peer.
      String type =
          (s.node() == null || s.node().isBlank())
                  && (s.nodeSelector() == null || s.nodeSelector().isBlank())
              ? GLOBAL
              : NODE_SPECIFIC;
      if (s.peerSelector() != null && !s.peerSelector().isBlank()) {
        Selector sel = Selector.parse(s.peerSelector());
        for (Node n : nodes) {
          if (n.name().equals(nodeName) || !sel.matches(n.metadata().labels())) continue;
          long remoteAs = s.asNumber() != null ? s.asNumber() : asOf(n, cluster);
          for (InetAddress a : addNode(out, local, n, remoteAs, port, s, filters)) {
            types.put(a, type);
          }
        }
      } else if (s.peerIP() != null) {
        PeerAddress a = PeerAddress.parse(s.peerIP());
        boolean v6 = a.address() instanceof Inet6Address;
        if ((v6 ? local.v6() : local.v4()) == null) {
          String key = p.name() + " " + Cidr.format(a.address());
          if (skipped.add(key) && !skippedPeers.contains(key)) {
            LOG.log(
                Level.WARNING,
                v6
                    ? "BGPPeer {0}: IPv6 peer {1} skipped: this node has no IPv6 address"
                        + " (bgp.ipv6Address)"
                    : "BGPPeer {0}: IPv4 peer {1} skipped: this node has no IPv4 address"
                        + " (an IPv6-only node)",
                p.name(),
                Cidr.format(a.address()));
          }
          continue;
        }
        long remoteAs = s.asNumber() != null ? s.asNumber() : local.as();
        int remotePort = a.hasPort() ? a.port() : port;
        boolean rrClient = local.clusterId() != null && remoteAs == local.as();
        types.put(a.address(), type);
        out.put(
            a.address(),
            neighbor(
                local,
                remoteAs,
                a.address(),
                remotePort,
                rrClient,
                s,
                // Both families on an IPv6 session too: IPv4 with the node's IPv4 address as
                // NEXT_HOP (set in neighbor), as on an IPv4 session IPv6 with its IPv6 address.
                // An IPv6-only node has no IPv4 next hop to give: IPv6 only.
                v6 && local.v4() == null ? V6_ONLY : null,
                filters));
      }
    }
    skippedPeers = skipped;
    // A reflector's clients inside one of its client ranges need no neighbour of their own: they
    // dial in and the range admits them.
    if (!ranges.isEmpty()) {
      out.values()
          .removeIf(
              n ->
                  n.routeReflectorClient()
                      && ranges.stream().anyMatch(r -> r.contains(n.spec().remote().getAddress())));
    }
    return out;
  }

  /**
   * The ranges a route-reflector node (one with {@code routeReflectorClusterID}) accepts its iBGP
   * clients from, from {@code routeReflectorClientRanges} of the effective BGPConfiguration: each
   * admits, up to its limit, any speaker of the node's AS inside it as a reflector client, passive,
   * with the sessions a planned client neighbour would get. Empty on other nodes. An IPv6 range on
   * a node without an IPv6 address is skipped, with a warning the first time only.
   */
  public List<DynamicRange> clientRanges(Node me, BGPConfigurationSpec cluster) {
    Local local = local(me, cluster);
    Set<Cidr> skipped = new LinkedHashSet<>();
    List<DynamicRange> out = new ArrayList<>();
    if (local != null && local.clusterId() != null) {
      for (BGPConfigurationSpec.ReflectorClientRange r : cluster.routeReflectorClientRanges()) {
        Cidr c = Cidr.parse(r.cidr());
        if ((c.isIPv4() ? local.v4() : local.v6()) == null) skipped.add(c);
        else out.add(clientRange(local, c, r.effectiveLimit(), cluster.listenPort()));
      }
    }
    for (Cidr c : skipped) {
      if (!skippedRanges.contains(c)) {
        LOG.log(
            Level.WARNING,
            "route reflector client range {0} skipped: this node has no IPv{1} address",
            c.toString(),
            c.isIPv4() ? "4" : "6");
      }
    }
    skippedRanges = skipped;
    return out;
  }

  private DynamicRange clientRange(Local local, Cidr c, int limit, int port) {
    boolean v6 = !c.isIPv4();
    Neighbor template =
        neighbor(local, local.as(), c.address(), port, true, null, v6 ? V6_ONLY : null, Map.of());
    return new DynamicRange(
        "rr-clients " + c,
        Prefix.of(v6, c.address().getAddress(), c.prefixLength()),
        template,
        limit);
  }

  /**
   * What this node brings to every session.
   *
   * @param routerId the BGP identifier: the IPv4 address, or on an IPv6-only node (or with {@code
   *     --router-id}) the id its Node publishes
   * @param v4 the IPv4 address, or null on an IPv6-only node
   */
  private record Local(
      Inet4Address routerId, Inet4Address v4, Inet6Address v6, long as, String clusterId) {}

  /** This node's side of its sessions, or null when it has no address to peer from. */
  private static Local local(Node me, BGPConfigurationSpec cluster) {
    Inet4Address v4 = ipv4(me);
    Inet6Address v6 = ipv6(me);
    if (v4 == null && v6 == null) return null;
    return new Local(routerId(me), v4, v6, asOf(me, cluster), clusterId(me));
  }

  /** Node annotation with the node's BGP router id when it is not its IPv4 address. */
  public static final String ROUTER_ID_ANNOTATION = "netctl.dev/bgp-router-id";

  /**
   * A node's BGP router id as its Node says: the id its agent published ({@link
   * #ROUTER_ID_ANNOTATION}), else its IPv4 address, else (an IPv6-only node of an agent that
   * publishes nothing, calico-node with {@code CALICO_ROUTER_ID=hash}) the hash of its name.
   */
  public static Inet4Address routerId(Node n) {
    String published = n.metadata().annotations().get(ROUTER_ID_ANNOTATION);
    if (published != null && RouterId.problem(published) == null && !published.isEmpty()) {
      return published.equals(RouterId.HASH) ? RouterId.hash(n.name()) : RouterId.parse(published);
    }
    Inet4Address v4 = ipv4(n);
    return v4 != null ? v4 : RouterId.hash(n.name());
  }

  /**
   * The other nodes whose router id is this node's: iBGP refuses a session between two speakers
   * with one identifier (RFC 6286 §2.2), and reflection uses it to break loops. Sorted by name.
   */
  public static List<String> routerIdCollisions(Node me, List<Node> nodes) {
    Inet4Address mine = routerId(me);
    List<String> out = new ArrayList<>();
    for (Node n : nodes) {
      if (!n.name().equals(me.name()) && routerId(n).equals(mine)) out.add(n.name());
    }
    out.sort(null);
    return out;
  }

  private static final Set<AddressFamily> V4_ONLY = Set.of(AddressFamily.IPV4_UNICAST);
  private static final Set<AddressFamily> V6_ONLY = Set.of(AddressFamily.IPV6_UNICAST);

  /** Adds the sessions to node {@code n}; returns their addresses. */
  private List<InetAddress> addNode(
      Map<InetAddress, Neighbor> out,
      Local local,
      Node n,
      long remoteAs,
      int port,
      BGPPeerSpec s,
      Map<String, BGPFilterSpec> filters) {
    String theirCluster = clusterId(n);
    // Two reflectors of the same cluster never peer: they would reflect each other's clients.
    if (local.clusterId() != null && local.clusterId().equals(theirCluster)) return List.of();
    boolean rrClient = local.clusterId() != null && theirCluster == null && remoteAs == local.as();
    Inet4Address addr4 = ipv4(n);
    Inet6Address addr6 = ipv6(n);
    // Both ends dual stack: a v4 session for v4 and a v6 session for v6, as Calico runs them.
    boolean separate = local.v6() != null && addr6 != null;
    // An IPv6-only end (either one) has no IPv4 session: only the IPv6 one, if both have IPv6.
    List<InetAddress> added = new ArrayList<>(2);
    if (addr4 != null && local.v4() != null) {
      out.put(
          addr4,
          neighbor(local, remoteAs, addr4, port, rrClient, s, separate ? V4_ONLY : null, filters));
      added.add(addr4);
    }
    if (separate) {
      out.put(addr6, neighbor(local, remoteAs, addr6, port, rrClient, s, V6_ONLY, filters));
      added.add(addr6);
    }
    return added;
  }

  /**
   * How {@code node status} names the session to {@code peer} of the last {@link #plan}: {@link
   * #MESH}, {@link #NODE_SPECIFIC} (a BGPPeer with {@code node} or {@code nodeSelector}), {@link
   * #GLOBAL} (a BGPPeer without either); null for a peer the plan did not name (a reflector client
   * admitted by range).
   */
  public String peerType(InetAddress peer) {
    return peerTypes.get(peer);
  }

  /**
   * One session.
   *
   * @param families the families to offer, or null for IPv4 plus IPv6 over this IPv4 session when
   *     the node has an IPv6 next hop
   */
  private Neighbor neighbor(
      Local local,
      long remoteAs,
      InetAddress remote,
      int port,
      boolean rrClient,
      BGPPeerSpec s,
      Set<AddressFamily> families,
      Map<String, BGPFilterSpec> filters) {
    int restart = RESTART_SECONDS;
    String password = null;
    int ttl = 0;
    int keepalive = 0;
    int allowLocalAs = 0;
    if (s != null) {
      if (s.maxRestartTime() != null) restart = restartSeconds(s.maxRestartTime());
      if (s.password() != null && s.password().secretKeyRef() != null) {
        password =
            readSecret(s.password().secretKeyRef().name(), s.password().secretKeyRef().key());
      }
      if (s.ttlSecurity() != null) ttl = s.ttlSecurity();
      if (s.keepaliveTime() != null) keepalive = keepaliveSeconds(s.keepaliveTime());
      // Routes from external and internal peers alike are checked for our AS.
      if (s.numAllowedLocalASNumbers() != null) allowLocalAs = s.numAllowedLocalASNumbers();
    }
    boolean v6Session = remote instanceof Inet6Address;
    PeerConfig config =
        PeerConfig.of(local.as(), local.routerId(), remoteAs)
            .withConnectRetry(Duration.ofSeconds(2))
            .withOptions(Set.of(), Set.of(), restart, false)
            .withKeepaliveTime(keepalive)
            .withAllowLocalAs(allowLocalAs);
    if (families != null) config = config.withFamilies(families);
    InetAddress localAddress = v6Session ? local.v6() : local.v4();
    PeerSpec spec =
        new PeerSpec(
            new InetSocketAddress(remote, port), localAddress, config, false, password, ttl);
    // Cluster-internal routes are exchanged freely; an eBGP peer (a ToR) gets and gives every
    // route too — without an explicit policy RFC 8212 would exchange nothing. BGPFilters, when the
    // peer names any, come first.
    Neighbor n = Neighbor.of(spec).withPolicies(importPolicy(s, filters), exportPolicy(s, filters));
    // IPv6 blocks travel over an IPv4 session with the node's IPv6 address as next hop (RFC
    // 2545); a node without one does not offer IPv6 on the session.
    if (!v6Session && families == null && local.v6() != null) n = n.withIpv6NextHop(local.v6());
    // IPv4 routes over an IPv6 session carry the node's IPv4 address as NEXT_HOP, which must be an
    // IPv4 address (RFC 4271 §5.1.3; an IPv6 one needs RFC 8950, not offered). Sessions that offer
    // IPv6 only (the mesh's second session between dual-stack nodes) never use it.
    if (v6Session && local.v4() != null) n = n.withIpv4NextHop(local.v4());
    return rrClient ? n.asReflectorClient() : n;
  }

  /** The peer's filters in its order; a name without a BGPFilter is kept as missing. */
  private static List<FilterPolicy.Filter> filtersOf(
      BGPPeerSpec s, Map<String, BGPFilterSpec> filters) {
    if (s == null) return List.of();
    List<FilterPolicy.Filter> out = new ArrayList<>();
    for (String name : s.filters()) out.add(new FilterPolicy.Filter(name, filters.get(name)));
    return out;
  }

  static RoutePolicy importPolicy(BGPPeerSpec s, Map<String, BGPFilterSpec> filters) {
    List<FilterPolicy.Filter> f = filtersOf(s, filters);
    return f.isEmpty()
        ? RoutePolicy.ACCEPT_ALL
        : new FilterPolicy(false, f, RoutePolicy.ACCEPT_ALL);
  }

  static RoutePolicy exportPolicy(BGPPeerSpec s, Map<String, BGPFilterSpec> filters) {
    List<FilterPolicy.Filter> f = filtersOf(s, filters);
    RoutePolicy nextHop = exportPolicy(s);
    return f.isEmpty() ? nextHop : new FilterPolicy(true, f, nextHop);
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
    try {
      // The restart time is a 12-bit field of the capability (RFC 4724 §3).
      return (int) Math.min(4095, GoDuration.parse(duration.strip()).toSeconds());
    } catch (IllegalArgumentException e) {
      return RESTART_SECONDS; // validation refuses such a peer before it is stored
    }
  }

  /** KEEPALIVE interval in whole seconds (validated: 1s..65535s), 0 (the default) otherwise. */
  static int keepaliveSeconds(String duration) {
    try {
      long seconds = GoDuration.parse(duration.strip()).toSeconds();
      return seconds >= 1 && seconds <= 65535 ? (int) seconds : 0;
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }

  static Inet4Address ipv4(Node n) {
    NodeBGPSpec b = n.spec().bgp();
    if (b == null || b.ipv4Address() == null) return null;
    return Cidr.parseAddressOrCidr(b.ipv4Address()).address() instanceof Inet4Address a ? a : null;
  }

  static Inet6Address ipv6(Node n) {
    NodeBGPSpec b = n.spec().bgp();
    if (b == null || b.ipv6Address() == null) return null;
    InetAddress a = Cidr.parseAddressOrCidr(b.ipv6Address()).address();
    return a instanceof Inet6Address v6 && !v6.isLinkLocalAddress() ? v6 : null;
  }

  private static String clusterId(Node n) {
    NodeBGPSpec b = n.spec().bgp();
    return b == null ? null : b.routeReflectorClusterID();
  }
}
