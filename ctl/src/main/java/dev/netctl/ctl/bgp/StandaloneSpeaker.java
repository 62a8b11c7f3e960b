package dev.netctl.ctl.bgp;

import static dev.netctl.bgp.codec.AddressFamily.IPV4_UNICAST;
import static dev.netctl.bgp.codec.AddressFamily.IPV6_UNICAST;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.AdvertisedRoute;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.DynamicRange;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.bgp.speaker.PeerStatus;
import dev.netctl.bgp.speaker.ReceivedRoute;
import dev.netctl.bgp.speaker.UpdatePathWarmup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * A {@link BgpSpeaker} run from a {@link SpeakerPlan}, with its admin endpoint: what {@code netctl
 * bgp run} keeps alive until it is told to stop.
 */
public final class StandaloneSpeaker implements AutoCloseable {
  // Prefixes the UPDATE path is warmed up with at start (announced, changed and withdrawn, ten per
  // UPDATE: 4,000 UPDATEs through an in-process session), once. More raised the idle and fan-out
  // peak by about 0.25 MiB per thousand for little less compiling later (docs/benchmarks.md).
  static final int WARMUP_PREFIXES = 20_000;

  private final SpeakerPlan plan;
  private final BgpSpeaker speaker;
  // Set once in start(): the endpoint's handlers need this object, so it exists first.
  private AdminServer admin;

  private StandaloneSpeaker(SpeakerPlan plan, BgpSpeaker speaker) {
    this.plan = plan;
    this.speaker = speaker;
  }

  /**
   * Binds the BGP listener and the admin endpoint, then adds peers and originates routes. On any
   * failure everything already started is closed again.
   *
   * @param adminAddress where the admin endpoint listens: loopback TCP or a Unix-domain socket
   */
  public static StandaloneSpeaker start(
      SpeakerPlan plan, SocketAddress adminAddress, Transport transport)
      throws IOException, InterruptedException {
    return start(plan, adminAddress, transport, false);
  }

  /**
   * {@link #start(SpeakerPlan, SocketAddress, Transport)}, as the restart of a speaker that stopped
   * gracefully when {@code restarting}: the graceful restart capability then sets the R and F bits
   * (RFC 4724 §3), so peers keep our stale routes until our End-of-RIB, and the initial tables wait
   * for the peers' End-of-RIB or the selection deferral (§4.1), as {@code bird -R} and {@code
   * gobgpd -r} do.
   */
  public static StandaloneSpeaker start(
      SpeakerPlan plan, SocketAddress adminAddress, Transport transport, boolean restarting)
      throws IOException, InterruptedException {
    // Before the first session: a fresh process's first table then meets compiled code.
    UpdatePathWarmup.run(WARMUP_PREFIXES);
    // One full collection, once: the launcher's small young generation promotes much of the
    // warm-up's garbage, which the serial collector would keep in the old generation until its
    // first full collection, and a table would then grow the heap on top of it (fan-out 1,000:
    // 95.2-95.8 MiB peak without this, 92.2-94.2 with it; docs/benchmarks.md, issue 14 session 8).
    System.gc();
    StandaloneSpeaker s = new StandaloneSpeaker(plan, listen(plan, transport, restarting));
    try {
      s.admin = AdminServer.start(adminAddress, s);
      for (Neighbor n : plan.peers()) {
        s.speaker.addPeer(n);
      }
      for (DynamicRange r : plan.dynamicRanges()) {
        s.speaker.addDynamicRange(r);
      }
      for (SpeakerPlan.Route r : plan.routes()) {
        s.speaker.originate(r.prefix(), r.nextHop(), r.attributes());
      }
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  // The speaker's own failure to bind names the address and the OS's reason; anything else gets
  // the address here.
  private static BgpSpeaker listen(SpeakerPlan plan, Transport transport, boolean restarting)
      throws IOException, InterruptedException {
    try {
      var config =
          dev.netctl.bgp.speaker.SpeakerConfig.of(
                  plan.asNumber(), plan.routerId(), plan.listen(), transport)
              .withRestart(
                  dev.netctl.bgp.speaker.RestartOptions.DEFAULT.withRestarting(restarting));
      return BgpSpeaker.start(
          (plan.clusterId() == null ? config : config.withClusterId(plan.clusterId()))
              .withIpv6NextHop(plan.ipv6NextHop()));
    } catch (InterruptedException e) {
      throw e;
    } catch (java.io.UncheckedIOException e) {
      throw new IOException(e.getMessage(), e.getCause());
    } catch (Exception e) {
      throw new IOException(
          "cannot listen for BGP on "
              + AdminAddress.format(plan.listen())
              + ": "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
          e);
    }
  }

  /** The BGP listening address. */
  public InetSocketAddress listenAddress() {
    return speaker.listenAddress();
  }

  /** The admin endpoint's bound address. */
  public SocketAddress adminAddress() {
    return admin.address();
  }

  /**
   * The configuration a peer runs with: its entry, or for a peer the speaker accepted through a
   * dynamic range, that range's template (the most specific range, as the speaker picks it).
   */
  private java.util.Optional<Neighbor> neighbor(InetAddress address) {
    java.util.Optional<Neighbor> configured =
        plan.peers().stream()
            .filter(x -> x.spec().remote().getAddress().equals(address))
            .findFirst();
    if (configured.isPresent()) {
      return configured;
    }
    boolean running =
        speaker.peers().stream().anyMatch(p -> p.remote().getAddress().equals(address));
    return plan.dynamicRanges().stream()
        .filter(r -> running && r.contains(address))
        .max(Comparator.comparingInt(r -> r.range().length()))
        .map(DynamicRange::template);
  }

  /** Every configured peer with its session state. */
  public List<PeerView> peers() {
    return speaker.peers().stream().map(this::view).toList();
  }

  private PeerView view(PeerStatus s) {
    java.util.Optional<Neighbor> neighbor = neighbor(s.remote().getAddress());
    boolean rrClient = neighbor.map(Neighbor::routeReflectorClient).orElse(false);
    return new PeerView(
        AddressText.of(s.remote().getAddress()),
        s.remote().getPort(),
        s.remoteAs(),
        rrClient ? "rr-client" : s.internal() ? "ibgp" : "ebgp",
        s.state().name().toLowerCase(Locale.ROOT).replace('_', '-'),
        s.since() == null ? "" : s.since().truncatedTo(ChronoUnit.SECONDS).toString(),
        s.info() == null ? "" : s.info(),
        s.receivedPrefixes(),
        s.loopedPrefixes(),
        s.lastError() == null ? "" : s.lastError(),
        s.staleRoutes(),
        s.notices(),
        s.withheldRoutes());
  }

  /**
   * Asks a peer to send its routes again (RFC 2918 ROUTE-REFRESH, a soft reset in).
   *
   * @param family {@code ipv4}, {@code ipv6}, or null for each configured family the session
   *     negotiated
   * @return the families a ROUTE-REFRESH was sent for
   * @throws IllegalArgumentException when the peer is not configured or the family not negotiated
   * @throws IllegalStateException when the session is not established or the peer cannot refresh
   */
  public List<String> refresh(InetAddress peer, String family) {
    return perFamily(peer, family, speaker::refresh);
  }

  /** What {@link #reset} did: the kind of reset and, for a soft one, the families per direction. */
  public record Reset(String peer, String action, List<String> in, List<String> out) {}

  /**
   * Resets a peer. Without {@code soft}: its session goes down with Cease/Administrative Reset (RFC
   * 4486; wrapped in Cease/Hard Reset with {@code hard}, RFC 8538 §3) and comes up again. With
   * {@code soft}, the session stays up: {@code in} asks the peer for its routes again
   * (ROUTE-REFRESH, enhanced if negotiated), {@code out} sends it ours again, {@code both} does
   * both, in each configured family the session negotiated. A dynamic peer kept down for too many
   * prefixes in a full range is forgotten instead (action {@code forgotten}, see {@link
   * dev.netctl.bgp.speaker.BgpSpeaker#resetPeer}).
   *
   * @param soft null, {@code in}, {@code out} or {@code both}
   * @throws IllegalArgumentException when the peer is not configured or the value is unknown
   * @throws IllegalStateException when a soft reset finds the session not established
   */
  public Reset reset(InetAddress peer, String soft, boolean hard) {
    String name = AddressText.of(peer);
    if (soft == null) {
      neighbor(peer)
          .orElseThrow(() -> new IllegalArgumentException("peer " + name + " is not configured"));
      boolean reset = speaker.resetPeer(peer, hard);
      return new Reset(
          name, !reset ? "forgotten" : hard ? "hard-reset" : "reset", List.of(), List.of());
    }
    if (hard) {
      throw new IllegalArgumentException("hard and soft are exclusive");
    }
    boolean in = soft.equals("in") || soft.equals("both");
    boolean out = soft.equals("out") || soft.equals("both");
    if (!in && !out) {
      throw new IllegalArgumentException("soft \"" + soft + "\" must be in, out or both");
    }
    List<String> asked = in ? perFamily(peer, null, speaker::refresh) : List.of();
    List<String> sent = out ? perFamily(peer, null, speaker::resendTo) : List.of();
    return new Reset(name, "soft-" + soft, asked, sent);
  }

  /**
   * Runs {@code action} for one family, or for each configured family the session negotiated, and
   * returns the families it ran for.
   */
  private List<String> perFamily(
      InetAddress peer, String family, BiConsumer<InetAddress, AddressFamily> action) {
    Neighbor n =
        neighbor(peer)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "peer " + AddressText.of(peer) + " is not configured"));
    if (family != null) {
      action.accept(peer, family.equals("ipv6") ? IPV6_UNICAST : IPV4_UNICAST);
      return List.of(family);
    }
    List<String> asked = new ArrayList<>();
    IllegalArgumentException notNegotiated = null;
    for (AddressFamily f : List.of(IPV4_UNICAST, IPV6_UNICAST)) {
      if (!n.spec().config().families().contains(f)) continue;
      try {
        action.accept(peer, f);
        asked.add(f.equals(IPV6_UNICAST) ? "ipv6" : "ipv4");
      } catch (IllegalArgumentException e) {
        // Configured here but not taken by the peer: nothing to do in that family.
        notNegotiated = e;
      }
    }
    if (asked.isEmpty() && notNegotiated != null) throw notNegotiated;
    return asked;
  }

  /**
   * Received or advertised routes.
   *
   * @param family {@code ipv4}, {@code ipv6} or null for both
   * @param peer one peer, or null for all
   * @param advertised what we send (the Adj-RIB-Out) rather than what we received
   * @throws IllegalArgumentException when {@code peer} is not one of the speaker's peers (an empty
   *     table would read as a peer that sent nothing, as {@code bgp refresh} and {@code reset} say)
   */
  public List<RouteView> routes(String family, InetAddress peer, boolean advertised) {
    List<Row> out = new ArrayList<>();
    boolean found = peer == null;
    // Every peer the speaker has: the configured ones and those accepted through a dynamic range.
    for (PeerStatus status : speaker.peers()) {
      InetAddress remote = status.remote().getAddress();
      if (peer != null && !peer.equals(remote)) continue;
      found = true;
      if (advertised) {
        for (AdvertisedRoute r : speaker.advertised(remote)) {
          out.add(
              new Row(
                  remote,
                  r.nlri(),
                  view(r.nlri(), r.nextHop(), r.attributes(), remote, "advertised", false)));
        }
      } else {
        for (ReceivedRoute r : speaker.received(remote)) {
          out.add(
              new Row(
                  remote,
                  r.nlri(),
                  view(r.nlri(), r.nextHop(), r.attributes(), remote, "received", r.stale())));
        }
      }
    }
    if (!found) {
      throw new IllegalArgumentException("peer " + AddressText.of(peer) + " is not configured");
    }
    return out.stream()
        .filter(r -> family == null || family.equals(r.view().family()))
        .sorted(ROW_ORDER)
        .map(Row::view)
        .toList();
  }

  /** A route with what it is sorted by. */
  record Row(InetAddress peer, Nlri nlri, RouteView view) {}

  /**
   * Stable output for people and scripts: by peer, then prefix, then path id, each by value (IPv4
   * before IPv6, 127.0.0.2 before 127.0.0.10, 10.9.0.0/16 before 10.10.0.0/16), as GoBGP sorts; the
   * text order put 10.100.0.0/16 before 10.92.0.0/16.
   */
  static final Comparator<Row> ROW_ORDER =
      Comparator.comparing(Row::peer, StandaloneSpeaker::compareAddresses)
          .thenComparing(r -> r.nlri().prefix(), StandaloneSpeaker::comparePrefixes)
          .thenComparing(r -> r.nlri().pathId(), Integer::compareUnsigned);

  private static int compareAddresses(InetAddress a, InetAddress b) {
    byte[] x = a.getAddress();
    byte[] y = b.getAddress();
    return x.length != y.length
        ? Integer.compare(x.length, y.length)
        : java.util.Arrays.compareUnsigned(x, y);
  }

  private static int comparePrefixes(dev.netctl.bgp.codec.Prefix a, dev.netctl.bgp.codec.Prefix b) {
    if (a.ipv6() != b.ipv6()) return a.ipv6() ? 1 : -1;
    int c = Long.compareUnsigned(a.high(), b.high());
    if (c == 0) c = Long.compareUnsigned(a.low(), b.low());
    return c != 0 ? c : Integer.compare(a.length(), b.length());
  }

  private static RouteView view(
      Nlri nlri,
      InetAddress nextHop,
      List<PathAttribute> attrs,
      InetAddress peer,
      String dir,
      boolean stale) {
    return new RouteView(
        nlri.prefix().toString(),
        nlri.prefix().ipv6() ? "ipv6" : "ipv4",
        nextHop == null ? "" : AddressText.of(nextHop),
        first(attrs, PathAttribute.AsPath.class).map(StandaloneSpeaker::asPath).orElse(""),
        AddressText.of(peer),
        dir,
        communities(attrs),
        largeCommunities(attrs),
        first(attrs, PathAttribute.MultiExitDisc.class)
            .map(PathAttribute.MultiExitDisc::value)
            .orElse(null),
        first(attrs, PathAttribute.LocalPref.class)
            .map(PathAttribute.LocalPref::value)
            .orElse(null),
        first(attrs, PathAttribute.OriginatorId.class)
            .map(o -> AddressText.of(o.id()))
            .orElse(null),
        first(attrs, PathAttribute.ClusterList.class)
            .map(c -> c.clusterIds().stream().map(AddressText::of).toList())
            .orElse(List.of()),
        stale,
        nlri.pathId() == 0 ? null : Integer.toUnsignedLong(nlri.pathId()));
  }

  private static <A extends PathAttribute> java.util.Optional<A> first(
      List<PathAttribute> attrs, Class<A> type) {
    return attrs.stream().filter(type::isInstance).map(type::cast).findFirst();
  }

  static String asPath(PathAttribute.AsPath path) {
    return path.segments().stream()
        .map(
            s -> {
              String asns = s.asns().stream().map(String::valueOf).collect(Collectors.joining(" "));
              return switch (s.type()) {
                case AS_SEQUENCE -> asns;
                case AS_SET -> "{" + asns.replace(' ', ',') + "}";
                case AS_CONFED_SEQUENCE -> "(" + asns + ")";
                case AS_CONFED_SET -> "[" + asns.replace(' ', ',') + "]";
              };
            })
        .collect(Collectors.joining(" "));
  }

  private static List<String> communities(List<PathAttribute> attrs) {
    return attrs.stream()
        .filter(a -> a instanceof PathAttribute.Communities)
        .flatMap(a -> ((PathAttribute.Communities) a).values().stream())
        .map(v -> (v >>> 16) + ":" + (v & 0xffff))
        .toList();
  }

  private static List<String> largeCommunities(List<PathAttribute> attrs) {
    return attrs.stream()
        .filter(a -> a instanceof PathAttribute.LargeCommunities)
        .flatMap(a -> ((PathAttribute.LargeCommunities) a).values().stream())
        .map(PathAttribute.LargeCommunity::toString)
        .toList();
  }

  /**
   * Stops the admin endpoint, then the speaker, ports released. A speaker that offers graceful
   * restart (RFC 4724) to a peer or a range closes every connection without a NOTIFICATION, as the
   * node agent does: its peers keep our routes, stale, for the restart time we advertised, and the
   * next process ({@code --restarting}) takes them over without a withdrawal. A Cease would make
   * the advertised restart time worthless: with RFC 8538 it goes out as a Hard Reset, and without
   * it every NOTIFICATION flushes. A speaker without graceful restart sends Cease/Administrative
   * Shutdown to every peer.
   */
  @Override
  public void close() {
    try {
      if (admin != null) admin.close();
    } finally {
      if (offersGracefulRestart(plan)) {
        speaker.closeForRestart();
      } else {
        speaker.close();
      }
    }
  }

  /**
   * Whether any peer or range template advertises a restart time: with 0 peers would keep nothing,
   * and a Cease says more.
   */
  static boolean offersGracefulRestart(SpeakerPlan plan) {
    return plan.peers().stream().anyMatch(n -> n.spec().config().gracefulRestartSeconds() > 0)
        || plan.dynamicRanges().stream()
            .anyMatch(r -> r.template().spec().config().gracefulRestartSeconds() > 0);
  }
}
