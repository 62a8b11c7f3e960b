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

  /** The established channel can take data again after having been full (back-pressure). */
  default void writable(PeerSession peer) {}
}
