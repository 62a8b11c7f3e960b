package dev.netctl.bgp.fsm;

/** BGP session states (RFC 4271 §8.2.2). */
public enum State {
  /** Refuses connections; nothing allocated. */
  IDLE,
  /** Waiting for an outgoing TCP connection to complete. */
  CONNECT,
  /** Listening for the peer to connect, retrying outgoing later. */
  ACTIVE,
  /** OPEN sent, waiting for the peer's OPEN. */
  OPEN_SENT,
  /** OPEN exchanged, waiting for the first KEEPALIVE. */
  OPEN_CONFIRM,
  /** Exchanging UPDATEs. */
  ESTABLISHED
}
