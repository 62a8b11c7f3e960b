package dev.netctl.bgp.speaker;

import dev.netctl.bgp.session.PeerSession;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The restarting side of graceful restart (RFC 4724 §4.1): after our own restart, peers get our
 * initial tables only once every peer that can send End-of-RIB did, or the selection-deferral timer
 * ran out, so that they are not sent routes computed from a half-learned Loc-RIB. Until then our
 * OPENs carry the Restart State bit. Runs on the speaker's loop.
 */
final class SelectionDeferral {
  private final EventLoop loop;
  private final Duration limit;
  private final Map<InetAddress, PeerSession> configured;
  private final AttachedPeers attached;
  private boolean active;
  private ScheduledFuture<?> timer;

  /**
   * @param options whether we are restarting, and the deferral time
   * @param configured the speaker's configured sessions (a live view)
   */
  SelectionDeferral(
      RestartOptions options,
      EventLoop loop,
      Map<InetAddress, PeerSession> configured,
      AttachedPeers attached) {
    this.loop = loop;
    this.limit = options.selectionDeferral();
    this.configured = configured;
    this.attached = attached;
    this.active = options.restarting();
  }

  /** Starts the deferral timer, when restarting. */
  void start() {
    if (active) {
      timer = loop.schedule(this::end, limit.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Whether initial tables are held back (and new sessions should say they restart). */
  boolean active() {
    return active;
  }

  /**
   * Ends the deferral once every peer that can send End-of-RIB did (RFC 4724 §4.1: peers without
   * the capability or restarting themselves are not waited for; peers not up yet are, until the
   * deferral timer). Call whenever a peer comes up, sends End-of-RIB or is removed.
   */
  void check() {
    if (!active) {
      return;
    }
    for (InetAddress address : configured.keySet()) {
      AttachedPeer a = attached.get(address);
      if (a == null || a.owesEndOfRib()) {
        return;
      }
    }
    end();
  }

  /** Our restart is over: peers get their initial tables, and OPENs lose the Restart State bit. */
  private void end() {
    if (!active) {
      return;
    }
    active = false;
    if (timer != null) {
      timer.cancel(false);
    }
    configured.values().forEach(p -> p.restarting(false));
    attached.joinAll();
  }
}
