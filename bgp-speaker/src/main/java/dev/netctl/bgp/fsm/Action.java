package dev.netctl.bgp.fsm;

import dev.netctl.bgp.codec.BgpMessage;
import java.time.Duration;
import java.util.Objects;

/** Outputs of the FSM for its host to carry out, in order. */
public sealed interface Action {
  /** Open an outgoing TCP connection. */
  record Connect() implements Action {}

  /** Close the TCP connection (after flushing what was sent). */
  record Disconnect() implements Action {}

  /**
   * Send a message.
   *
   * @param message the message
   */
  record Send(BgpMessage message) implements Action {
    /** Validates. */
    public Send {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * (Re)start a timer.
   *
   * @param timer which one
   * @param delay when it fires
   */
  record StartTimer(Timer timer, Duration delay) implements Action {}

  /**
   * Stop a timer if it runs.
   *
   * @param timer which one
   */
  record StopTimer(Timer timer) implements Action {}

  /**
   * The state changed.
   *
   * @param from previous state
   * @param to new state
   * @param reason why, for logs and status
   */
  record StateChanged(State from, State to, String reason) implements Action {}

  /**
   * The session reached Established with these parameters.
   *
   * @param negotiated what both sides agreed on
   */
  record SessionUp(Negotiated negotiated) implements Action {}

  /**
   * An Established session went down.
   *
   * @param reason why
   * @param notification whether the session ended in a way that rules out graceful restart: a
   *     NOTIFICATION sent or received (RFC 4724 §4.2), or, when both sides set the N bit, only a
   *     Hard Reset (RFC 8538 §4)
   */
  record SessionDown(String reason, boolean notification) implements Action {
    /** A session that ended with a NOTIFICATION. */
    public SessionDown(String reason) {
      this(reason, true);
    }
  }

  /**
   * Hand a received UPDATE or ROUTE-REFRESH to the routing layer.
   *
   * @param message the message
   */
  record Deliver(BgpMessage message) implements Action {}
}
