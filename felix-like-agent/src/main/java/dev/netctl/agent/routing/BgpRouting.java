package dev.netctl.agent.routing;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.DynamicRange;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.bgp.speaker.PeerStatus;
import dev.netctl.bgp.speaker.ReceivedRoute;
import dev.netctl.bgp.speaker.RouteListener;
import dev.netctl.bgp.speaker.SpeakerConfig;
import dev.netctl.datastore.model.Cidr;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs this node's BGP speaker as the datastore says: starts it (again, when the AS, router id,
 * listen port or cluster id change), adds, changes and removes peers so that only the affected
 * sessions reset, originates the node's blocks and keeps the best paths learned from peers for the
 * route calculation. Called from the agent's single apply thread.
 */
public final class BgpRouting implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("netctl.agent.bgp");

  /** What the speaker is started with; a change restarts it. */
  public record Identity(long asNumber, Inet4Address routerId, int port, Inet4Address clusterId) {}

  private final Runnable onLearned;
  private final Runnable onSessionChange;
  private InetAddress listenAddress;
  private InetAddress listenAddress6;
  private boolean listening6;
  private boolean warned6;
  private BgpSpeaker speaker;
  private Identity identity;
  private AutoCloseable subscription;
  private final Map<InetAddress, Neighbor> peers = new ConcurrentHashMap<>();
  private final Map<String, DynamicRange> ranges = new HashMap<>();
  private final Set<Cidr> originated = new HashSet<>();
  // prefix → (peer → next hop): the best path per peer that the speaker reported.
  private final Map<Cidr, Map<InetAddress, InetAddress>> learned = new ConcurrentHashMap<>();

  /**
   * @param listenAddress the address to accept sessions on (the node's address; a wildcard would
   *     also take other speakers' ports on a shared host)
   * @param onLearned called when learned routes change (from the speaker's event loop: must be
   *     cheap)
   */
  public BgpRouting(InetAddress listenAddress, Runnable onLearned) {
    this(listenAddress, null, onLearned);
  }

  /**
   * @param listenAddress the IPv4 address to accept sessions on
   * @param listenAddress6 the node's IPv6 address, accepted on too (IPv6 sessions), or null
   * @param onLearned called when learned routes change
   */
  public BgpRouting(InetAddress listenAddress, InetAddress listenAddress6, Runnable onLearned) {
    this(listenAddress, listenAddress6, onLearned, () -> {});
  }

  /**
   * @param listenAddress the IPv4 address to accept sessions on, or null on an IPv6-only node
   * @param listenAddress6 the node's IPv6 address, accepted on too (IPv6 sessions), or null
   * @param onLearned called when learned routes change
   * @param onSessionChange called when a session comes up or goes down (from the speaker's event
   *     loop: must be cheap); {@link #peers()} then differs from what the caller last read, even
   *     when the routes did not change (a graceful restart brings the same ones back)
   */
  public BgpRouting(
      InetAddress listenAddress,
      InetAddress listenAddress6,
      Runnable onLearned,
      Runnable onSessionChange) {
    this.listenAddress = listenAddress;
    this.listenAddress6 = listenAddress6;
    this.onLearned = onLearned;
    this.onSessionChange = onSessionChange;
  }

  /**
   * The node's addresses changed: stops the speaker, whose sessions ran from the old address, so
   * that the next {@link #apply} starts it listening on the new ones and peers again.
   */
  public void moveTo(InetAddress listenAddress, InetAddress listenAddress6) {
    closeSpeaker();
    this.listenAddress = listenAddress;
    this.listenAddress6 = listenAddress6;
    warned6 = false;
  }

  /**
   * Brings the speaker to {@code id} with {@code wanted} peers and {@code originate} prefixes (next
   * hop: {@code nextHop4}/{@code nextHop6}).
   */
  public void apply(
      Identity id,
      Map<InetAddress, Neighbor> wanted,
      List<Cidr> originate,
      InetAddress nextHop4,
      InetAddress nextHop6)
      throws InterruptedException {
    apply(id, wanted, List.of(), originate, nextHop4, nextHop6);
  }

  /**
   * As {@link #apply(Identity, Map, List, InetAddress, InetAddress)}, with the dynamic ranges a
   * reflector accepts its clients from; a changed range is replaced, which ends its sessions (the
   * clients dial in again).
   */
  public void apply(
      Identity id,
      Map<InetAddress, Neighbor> wanted,
      List<DynamicRange> wantedRanges,
      List<Cidr> originate,
      InetAddress nextHop4,
      InetAddress nextHop6)
      throws InterruptedException {
    if (!id.equals(identity)) restart(id);
    listen6();
    Map<String, DynamicRange> rangeByName = new HashMap<>();
    for (DynamicRange r : wantedRanges) rangeByName.put(r.name(), r);
    for (var e : new ArrayList<>(ranges.entrySet())) {
      if (!e.getValue().equals(rangeByName.get(e.getKey()))) {
        speaker.removeDynamicRange(e.getKey());
        ranges.remove(e.getKey());
        LOG.log(Level.INFO, "BGP dynamic range {0} removed", e.getKey());
      }
    }
    for (DynamicRange r : wantedRanges) {
      if (ranges.containsKey(r.name())) continue;
      speaker.addDynamicRange(r);
      ranges.put(r.name(), r);
      LOG.log(
          Level.INFO,
          "BGP dynamic range {0}: reflector clients accepted from {1}, at most {2}",
          r.name(),
          r.range().toString(),
          Integer.toString(r.limit()));
    }
    for (InetAddress a : new ArrayList<>(peers.keySet())) {
      if (!wanted.containsKey(a)) {
        speaker.removePeer(a);
        peers.remove(a);
        LOG.log(Level.INFO, "BGP peer {0} removed", Cidr.format(a));
      }
    }
    for (var e : wanted.entrySet()) {
      Neighbor have = peers.get(e.getKey());
      String held = heldBack(e.getValue());
      if (!held.isEmpty() && !held.equals(have == null ? "" : heldBack(have))) {
        LOG.log(Level.WARNING, "BGP peer {0}: {1}", Cidr.format(e.getKey()), held);
      }
      if (have == null) {
        speaker.addPeer(e.getValue());
        LOG.log(Level.INFO, "BGP peer {0} added", Cidr.format(e.getKey()));
      } else if (!have.equals(e.getValue())) {
        speaker.updatePeer(e.getValue());
        LOG.log(Level.INFO, "BGP peer {0} changed", Cidr.format(e.getKey()));
      } else {
        continue;
      }
      peers.put(e.getKey(), e.getValue());
    }
    Set<Cidr> want = new LinkedHashSet<>();
    for (Cidr c : originate) {
      if ((c.isIPv4() ? nextHop4 : nextHop6) != null) want.add(c);
    }
    for (Cidr c : new ArrayList<>(originated)) {
      if (!want.contains(c)) {
        speaker.withdraw(prefix(c));
        originated.remove(c);
      }
    }
    for (Cidr c : want) {
      if (originated.add(c))
        speaker.originate(prefix(c), c.isIPv4() ? nextHop4 : nextHop6, List.of());
    }
  }

  /**
   * Accepts on the node's IPv6 address too. A failure (the address still tentative during duplicate
   * address detection, say) leaves the IPv4 side running and our own IPv6 connects going; the next
   * apply tries again.
   */
  private void listen6() throws InterruptedException {
    // An IPv6-only node's speaker listens on the IPv6 address from the start.
    if (listenAddress6 == null || listening6 || listenAddress == null) return;
    try {
      speaker.listenAlso(new InetSocketAddress(listenAddress6, identity.port()));
      listening6 = true;
    } catch (RuntimeException e) {
      // A bind failure (UncheckedIOException) or an address not yet usable. Said once.
      if (warned6) return;
      warned6 = true;
      LOG.log(
          Level.WARNING,
          "{0}; IPv6 peers can only be dialled until it can (retried on every apply)",
          e.getMessage());
    }
  }

  private void restart(Identity id) throws InterruptedException {
    closeSpeaker();
    InetSocketAddress listen =
        new InetSocketAddress(listenAddress != null ? listenAddress : listenAddress6, id.port());
    SpeakerConfig config = SpeakerConfig.of(id.asNumber(), id.routerId(), listen, Transport.best());
    if (id.clusterId() != null) config = config.withClusterId(id.clusterId());
    try {
      speaker = BgpSpeaker.start(config);
    } catch (UncheckedIOException e) {
      // A port another daemon holds: a plain failure the agent reports and retries (the speaker
      // has released its event loop).
      throw new IllegalStateException(
          e.getMessage() + " (another BGP daemon on this node?); retrying", e);
    }
    identity = id;
    subscription = speaker.subscribe(new Listener());
    speaker.watchSessions(onSessionChange); // ends with the speaker
    LOG.log(
        Level.INFO,
        "BGP speaker AS {0} router id {1} listening on port {2}{3}",
        Long.toString(id.asNumber()),
        Cidr.format(id.routerId()),
        Integer.toString(id.port()),
        id.clusterId() == null ? "" : ", route reflector cluster " + Cidr.format(id.clusterId()));
  }

  /** The best paths learned from peers: prefix → next hops. */
  public Map<Cidr, List<InetAddress>> learned() {
    Map<Cidr, List<InetAddress>> out = new HashMap<>();
    for (var e : learned.entrySet()) {
      Set<InetAddress> hops = new LinkedHashSet<>(e.getValue().values());
      hops.remove(null);
      if (!hops.isEmpty()) out.put(e.getKey(), List.copyOf(hops));
    }
    return out;
  }

  /**
   * What the configuration holds back on a peer's session — a BGPFilter it names that does not
   * exist, which rejects all its routes — or empty.
   */
  public String heldBack(InetAddress peer) {
    Neighbor n = peers.get(peer);
    return n == null ? "" : heldBack(n);
  }

  private static String heldBack(Neighbor n) {
    Set<String> missing = new java.util.TreeSet<>();
    if (n.importPolicy() instanceof FilterPolicy f) missing.addAll(f.missing());
    if (n.exportPolicy() instanceof FilterPolicy f) missing.addAll(f.missing());
    if (missing.isEmpty()) return "";
    return "BGPFilter "
        + String.join(", ", missing)
        + " not found: every route to and from this peer is rejected";
  }

  /** Status of every session (empty before the speaker runs). */
  public List<PeerStatus> peers() {
    return speaker == null ? List.of() : speaker.peers();
  }

  /** Whether every configured session is established. */
  public boolean allEstablished() {
    return peers().stream().allMatch(p -> p.state() == dev.netctl.bgp.fsm.State.ESTABLISHED);
  }

  private final class Listener implements RouteListener {
    @Override
    public void announced(InetAddress peer, List<ReceivedRoute> routes) {
      boolean changed = false;
      for (ReceivedRoute r : routes) {
        InetAddress nh = r.nextHop();
        Cidr c = cidr(r.nlri().prefix());
        if (nh == null || c == null) continue;
        if (c.isIPv4() != (nh instanceof Inet4Address)) continue; // no usable next hop
        InetAddress old = learned.computeIfAbsent(c, k -> new ConcurrentHashMap<>()).put(peer, nh);
        changed |= !nh.equals(old);
      }
      // Only a real change wakes the agent: a re-announcement with the same next hop (a route
      // refresh, an attribute the kernel does not see) must not cost a full recalculation.
      if (changed) onLearned.run();
    }

    @Override
    public void withdrawn(InetAddress peer, List<Nlri> nlri) {
      boolean changed = false;
      for (Nlri n : nlri) {
        Cidr c = cidr(n.prefix());
        if (c == null) continue;
        Map<InetAddress, InetAddress> m = learned.get(c);
        if (m == null || m.remove(peer) == null) continue;
        changed = true;
        if (m.isEmpty()) learned.remove(c, m);
      }
      if (changed) onLearned.run();
    }
  }

  static Prefix prefix(Cidr c) {
    return Prefix.of(!c.isIPv4(), c.address().getAddress(), c.prefixLength());
  }

  static Cidr cidr(Prefix p) {
    InetAddress a = p.address();
    if (p.ipv6() != (a instanceof Inet6Address)) return null;
    return new Cidr(a, p.length());
  }

  private void closeSpeaker() {
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        // closing a subscription of a speaker that is going away cannot fail in a way we handle
      }
    }
    if (speaker != null) speaker.close();
    speaker = null;
    identity = null;
    listening6 = false;
    peers.clear();
    ranges.clear();
    originated.clear();
    learned.clear();
  }

  /** Stops without NOTIFICATION, so graceful-restart peers keep our routes while we restart. */
  public void closeForRestart() {
    if (speaker != null) speaker.closeForRestart();
    speaker = null;
  }

  @Override
  public void close() {
    closeSpeaker();
  }
}
