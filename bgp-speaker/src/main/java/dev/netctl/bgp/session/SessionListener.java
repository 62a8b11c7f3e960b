package dev.netctl.bgp.session;

import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.fsm.Negotiated;
import dev.netctl.bgp.fsm.State;

/**
 * Receives what a {@link PeerSession} learns. Called on the session's event loop: return quickly
 * and do not block.
 */
public interface SessionListener {
  /** The session's visible state changed. */
  default void stateChanged(PeerSession peer, State from, State to, String reason) {}

  /** The session reached Established. */
  default void established(PeerSession peer, Negotiated negotiated) {}

  /** An UPDATE arrived, already cleaned by RFC 7606 handling (treat-as-withdraw applied). */
  default void update(PeerSession peer, BgpMessage.Update update) {}

  /** The peer asked for our routes again (RFC 2918). */
  default void routeRefresh(PeerSession peer, BgpMessage.RouteRefresh request) {}

  /** An Established session ended; every route learned from it is gone. */
  default void down(PeerSession peer, String reason) {}

  /**
   * An Established session ended; {@code notification} tells whether a NOTIFICATION was sent or
   * received (without one, a graceful-restart peer's routes may be kept, RFC 4724 §4.2). By default
   * calls {@link #down(PeerSession, String)}.
   */
  default void down(PeerSession peer, String reason, boolean notification) {
    down(peer, reason);
  }

  /** The established channel can take data again after having been full (back-pressure). */
  default void writable(PeerSession peer) {}
}
