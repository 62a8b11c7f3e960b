package dev.netctl.bgp.fsm;

/** The timers the FSM asks its host to run (RFC 4271 §8.2.1.3, §10). */
public enum Timer {
  /** Delay between outgoing connection attempts. */
  CONNECT_RETRY,
  /** Peer silence limit; expiry sends Hold Timer Expired. */
  HOLD,
  /** Interval between our KEEPALIVEs: hold time / 3. */
  KEEPALIVE
}
