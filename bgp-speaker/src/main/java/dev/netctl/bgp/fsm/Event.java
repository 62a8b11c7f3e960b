package dev.netctl.bgp.fsm;

import dev.netctl.bgp.codec.BgpError;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Notification;
import java.util.Objects;

/** Inputs to the FSM (RFC 4271 §8.1), each a record. */
public sealed interface Event {
  /**
   * Start the connection (ManualStart, RFC 4271 §8.1.2 events 1 and 4).
   *
   * @param passive wait for the peer to connect instead of connecting out
   */
  record Start(boolean passive) implements Event {}

  /**
   * Stop: send {@code notification} if a connection is open, then close (event 2, or a Cease such
   * as max-prefix from the host).
   *
   * @param notification the Cease to send, or null to close the connection without one (a planned
   *     restart that peers should treat as graceful, RFC 4724 §4.2)
   */
  record Stop(Notification notification) implements Event {}

  /** The TCP connection is up, outgoing or incoming (events 16/17). */
  record TcpConnected() implements Event {}

  /** The outgoing connection attempt failed (event 18). */
  record TcpConnectionFailed() implements Event {}

  /** The open connection closed under us (event 18). */
  record TcpClosed() implements Event {}

  /**
   * A timer expired (events 9, 10, 11).
   *
   * @param timer which one
   */
  record TimerExpired(Timer timer) implements Event {}

  /**
   * A well-formed message arrived; UPDATEs arrive here after RFC 7606 handling.
   *
   * @param message the message
   */
  record Received(BgpMessage message) implements Event {
    /** Validates. */
    public Received {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * A message failed to decode and must reset the session (events 21, 22, 28).
   *
   * @param error the NOTIFICATION to send
   */
  record DecodeFailed(BgpError error) implements Event {
    /** Validates. */
    public DecodeFailed {
      Objects.requireNonNull(error, "error");
    }
  }
}
