package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Notification;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.NotificationSubcode;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.fsm.Negotiated;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.rib.Rib;
import dev.netctl.bgp.session.PeerSession;
import dev.netctl.bgp.session.SessionListener;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the sessions' events to the RIB: an established session is attached (registered and joined
 * to its update group), its UPDATEs go to its Adj-RIB-In in the order received, with back-pressure
 * on the session while the RIB lags; End-of-RIB and ROUTE-REFRESH drive graceful restart and
 * enhanced route refresh; a session going down is detached; a channel that drained lets its update
 * group write again. Called on the speaker's loop, like every session callback.
 */
final class SessionEvents implements SessionListener {
  private static final Logger LOG = LoggerFactory.getLogger(SessionEvents.class);

  // Batches of one peer's UPDATEs (at most BATCH_UPDATES each; one read can make several) handed to
  // the RIB but not processed yet: at HIGH the session stops reading (TCP pushes back on the peer;
  // the read in progress is still handled, so a few more may be in flight), at LOW it reads again.
  // Without this a fast peer's whole table would sit decoded in memory waiting for the RIB; with a
  // few in flight the loop decodes the next reads while the RIB works.
  private static final int IN_FLIGHT_HIGH = 4;
  private static final int IN_FLIGHT_LOW = 2;
  // UPDATEs and prefixes per batch at most. A full batch goes to the RIB at once, so the RIB works
  // on it while the loop decodes the rest of the read; the rest of a read goes by a loop task after
  // it. Each batch is a task handed to a shard and, when done, a drain of the update groups on the
  // loop (each a cross-thread wake-up): a churn's thousand small UPDATEs of ten prefixes went in
  // about forty batches of 32; by UPDATEs alone they now go in about ten. The prefix cap keeps a
  // table load's batches (hundreds of prefixes per UPDATE) as large as they were with 32 UPDATEs of
  // a thousand, so what sits decoded in flight does not grow.
  private static final int BATCH_UPDATES = 128;
  private static final int BATCH_PREFIXES = 32 * 1024;

  // The families a max-prefix limit counts, each on its own, in the order they are checked.
  private static final List<AddressFamily> LIMITED_FAMILIES =
      List.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);

  private final Rib rib;
  private final EventLoop loop;
  private final AttachedPeers attached;
  private final SelectionDeferral deferral;
  private final Function<InetAddress, Neighbor> neighbors;
  private final Consumer<PeerSession> ended;
  private final Runnable upOrDown;

  /**
   * @param neighbors the configuration of a peer by address, null once it is removed
   * @param ended told when a peer's connection is gone and it waits (Active) again
   * @param upOrDown told when a session comes up or goes down (into or out of Established)
   */
  SessionEvents(
      Rib rib,
      EventLoop loop,
      AttachedPeers attached,
      SelectionDeferral deferral,
      Function<InetAddress, Neighbor> neighbors,
      Consumer<PeerSession> ended,
      Runnable upOrDown) {
    this.rib = rib;
    this.loop = loop;
    this.attached = attached;
    this.deferral = deferral;
    this.neighbors = neighbors;
    this.ended = ended;
    this.upOrDown = upOrDown;
  }

  @Override
  public void stateChanged(PeerSession peer, State from, State to, String reason) {
    // Idle -> Active is a start; any other way into Active means the connection went away.
    if (to == State.ACTIVE && from != State.IDLE) {
      ended.accept(peer);
    }
    if (from == State.ESTABLISHED || to == State.ESTABLISHED) {
      upOrDown.run();
    }
  }

  @Override
  public void established(PeerSession peer, Negotiated negotiated) {
    Neighbor neighbor = neighbors.apply(peer.spec().remote().getAddress());
    if (neighbor != null) {
      attached.attach(peer, negotiated, neighbor);
      deferral.check();
    }
  }

  @Override
  public void update(PeerSession peer, Update received) {
    AttachedPeer a = attached.get(peer.spec().remote().getAddress());
    if (a != null) {
      Update admitted = a.received.admit(received, peer, SessionEvents::unnegotiated);
      if (admitted == null) {
        return; // nothing of a family this session carries
      }
      Update update = withRealAsPath(admitted);
      // A loop rather than an Optional with filters: no lambda per UPDATE received.
      List<PathAttribute> attributes = admitted.attributes();
      int prefixes = admitted.nlri().size() + admitted.withdrawn().size();
      for (int i = 0, n = attributes.size(); i < n; i++) {
        if (attributes.get(i) instanceof PathAttribute.MpUnreach u) {
          prefixes += u.withdrawn().size(); // an IPv6 withdrawal's prefixes count as well
        } else if (attributes.get(i) instanceof PathAttribute.MpReach m) {
          prefixes += m.nlri().size();
          if (m.family().equals(AddressFamily.IPV6_UNICAST) && !m.nextHops().isEmpty()) {
            String unusable = Ipv6NextHop.unusable(m.nextHops().getFirst());
            if (unusable != null) {
              peer.notice(unusable);
            }
          }
        }
      }
      UpdateBatch open = a.batch;
      if (open != null && open.prefixes + prefixes > BATCH_PREFIXES) {
        handOff(a, open); // it would take the open batch past the cap: it opens the next one
        open = null;
      }
      if (open != null) {
        open.add(update, prefixes);
        if (open.updates.size() == BATCH_UPDATES || open.prefixes >= BATCH_PREFIXES) {
          // Full: handed over now, so that the RIB works on it while the loop decodes the rest of
          // the read (a churn's read is several batches; handed over after the read, the RIB
          // waited for all of them to be decoded). The next UPDATE opens (and counts) another.
          handOff(a, open);
        }
      } else {
        // The UPDATEs one read delivers go to the RIB as one batch: one task per shard and one
        // completion instead of one each (a churn of ten thousand prefixes over a thousand
        // attribute sets is a thousand small UPDATEs). A batch not full by then is handed over by
        // a loop task, which runs after the read's messages.
        UpdateBatch batch = new UpdateBatch(a.ready, a.lastBatch);
        batch.add(update, prefixes);
        a.batch = batch;
        a.lastBatch = batch;
        a.ready = batch.done;
        loop.execute(() -> handOff(a, batch));
        batch.done.whenCompleteAsync(
            (v, e) -> {
              // Done: the next batch needs nothing of it, and an idle session need not keep its
              // UPDATEs.
              if (a.lastBatch == batch) {
                a.lastBatch = null;
              }
              if (e != null) {
                failed(peer, a, e);
              }
              applied(peer, a);
            },
            loop);
        if (++a.inFlight == IN_FLIGHT_HIGH) {
          peer.pauseReading(true);
        }
        if (prefixes >= BATCH_PREFIXES) {
          handOff(a, batch);
        }
      }
      // Not ifPresent with a lambda: that is an object per UPDATE, for the rare End-of-RIB.
      var endOfRib = received.endOfRibFamily();
      if (endOfRib.isPresent()) {
        endOfRib(peer, a, endOfRib.get());
      }
    }
  }

  /** Closes {@code batch} if it is still open and hands it to the RIB (once). */
  private void handOff(AttachedPeer a, UpdateBatch batch) {
    if (a.batch == batch) {
      a.batch = null;
    }
    batch.handOff(updates -> rib.apply(a.peer, updates), loop);
  }

  /** The peer sent routes of a family the session did not negotiate: once per session. */
  private static void unnegotiated(PeerSession peer, AddressFamily family) {
    LOG.warn(
        "{}: received {} routes, but the session did not negotiate that family (RFC 4760 §8):"
            + " ignored, the session stays up (not logged again for this session)",
        peer,
        family.text());
    peer.notice(family.text() + " routes received but not negotiated: ignored (RFC 4760 §8)");
  }

  /**
   * Work queued for the session failed (the RIB could not apply a batch of its UPDATEs, or work
   * before them: a fault, such as a sink or policy that threw), and every batch after it fails too:
   * what the peer sent and what the RIB holds of it now differ, and would until the session ended.
   * Logged and the session reset, once per session, with Cease / Out of Resources (RFC 4486 §4), so
   * that the peer sends its routes afresh; the session's end takes its routes out of the RIB (or,
   * with RFC 8538's N bit, keeps them stale until the peer's End-of-RIB sweeps them). A second such
   * reset in a row keeps the session down for a while ({@link PeerSession#resetAfterFault}). Not
   * for a RIB that refuses work because the speaker is closing.
   */
  private void failed(PeerSession peer, AttachedPeer a, Throwable e) {
    Throwable cause = e instanceof CompletionException c ? c.getCause() : e;
    if (a.failed || !attached.current(a) || cause instanceof RejectedExecutionException) {
      return;
    }
    a.failed = true;
    boolean down = peer.resetAfterFault(Notification.of(NotificationSubcode.OUT_OF_RESOURCES));
    LOG.error(
        down
            ? "{}: the RIB failed again on work for this peer; the session is kept down for a"
                + " while (see its notices: netctl bgp peers, or netctl node status)"
            : "{}: the RIB failed on work for this peer's UPDATEs; resetting the session",
        peer,
        cause);
  }

  private void applied(PeerSession peer, AttachedPeer a) {
    if (--a.inFlight == IN_FLIGHT_LOW && attached.current(a)) {
      peer.pauseReading(false);
    }
    // The Adj-RIB-In counts what the peer sent once its UPDATE is applied; checked here, the
    // limit costs nothing per prefix on the loop. The limit holds per family, as BIRD's import
    // limit per channel and FRR's maximum-prefix per address family: the Cease names the AFI and
    // SAFI that went over (RFC 4486 §4), which a count of every family could not.
    long limit = peer.spec().config().maxPrefixes();
    if (limit > 0 && attached.current(a) && rib.receivedCount(a.peer) > limit) {
      for (AddressFamily family : LIMITED_FAMILIES) {
        if (rib.receivedCount(a.peer, family) > limit) {
          peer.maxPrefixesExceeded(family, limit);
          return;
        }
      }
    }
  }

  /**
   * Sends {@code family}'s table again to this peer only (its Adj-RIB-Out), in BoRR/EoRR when RFC
   * 7313 was negotiated: the answer to a ROUTE-REFRESH, and our own soft reset out.
   */
  void resend(AttachedPeer a, AddressFamily family) {
    a.ready =
        a.tail()
            .thenComposeAsync(
                v ->
                    a.group == null || !a.joined
                        ? CompletableFuture.completedFuture(null)
                        : rib.refresh(a.group, a.peer, family, a.negotiated.enhancedRouteRefresh()),
                loop);
  }

  private void endOfRib(PeerSession peer, AttachedPeer a, AddressFamily family) {
    a.endOfRibPending.remove(family);
    attached.stale().endOfRib(peer.spec().remote().getAddress(), family);
    deferral.check();
  }

  @Override
  public void routeRefresh(PeerSession peer, BgpMessage.RouteRefresh request) {
    InetAddress address = peer.spec().remote().getAddress();
    AttachedPeer a = attached.get(address);
    AddressFamily family = request.family();
    // RFC 2918 §4: a family not negotiated is ignored, as are unknown subtypes (RFC 7313 §5).
    if (a == null
        || !a.negotiated.families().contains(family)
        || !AttachedPeers.UNICAST.contains(family)) {
      return;
    }
    Set<AddressFamily> only = Set.of(family);
    switch (request.subtype()) {
      case 0 -> resend(a, family);
      case 1 -> attached.inOrder(address, () -> rib.markStale(a.peer, only));
      case 2 -> attached.inOrder(address, () -> rib.sweepStale(a.peer, only));
      default -> {}
    }
  }

  @Override
  public void down(PeerSession peer, String reason, boolean notification) {
    attached.detach(peer.spec().remote().getAddress(), notification);
  }

  @Override
  public void writable(PeerSession peer) {
    AttachedPeer a = attached.get(peer.spec().remote().getAddress());
    if (a != null && a.group != null) {
      attached.drain(a.group);
    }
  }

  /** From a 2-octet peer: AS_PATH merged with AS4_PATH (RFC 6793 §4.2.3), AS4_PATH dropped. */
  private static Update withRealAsPath(Update u) {
    // One pass for both (this runs for every UPDATE received; AS4_PATH is rare).
    PathAttribute.As4Path as4 = null;
    PathAttribute.AsPath path = null;
    List<PathAttribute> received = u.attributes();
    for (int i = 0, n = received.size(); i < n; i++) {
      PathAttribute a = received.get(i);
      if (a instanceof PathAttribute.As4Path p && as4 == null) {
        as4 = p;
      } else if (a instanceof PathAttribute.AsPath p && path == null) {
        path = p;
      }
    }
    if (as4 == null || path == null) {
      return u;
    }
    PathAttribute.AsPath merged = path.merge(as4);
    List<PathAttribute> attrs = new ArrayList<>();
    for (PathAttribute a : u.attributes()) {
      if (a instanceof PathAttribute.AsPath) {
        attrs.add(merged);
      } else if (!(a instanceof PathAttribute.As4Path)) {
        attrs.add(a);
      }
    }
    return new Update(u.withdrawn(), attrs, u.nlri());
  }
}
