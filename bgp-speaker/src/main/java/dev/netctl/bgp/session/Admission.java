package dev.netctl.bgp.session;

import dev.netctl.bgp.codec.BgpMessage;

/** What the {@link BgpListener} does with a new connection: hand it to a session, or refuse it. */
public sealed interface Admission {
  /** The connection goes to {@code session}. */
  record Accept(PeerSession session) implements Admission {}

  /**
   * The connection is closed, after {@code notification} when it is not null (e.g. Cease/Connection
   * Rejected, RFC 4486, for a peer over a limit).
   *
   * @param notification sent before closing, or null
   * @param reason for the log
   */
  record Refuse(BgpMessage.Notification notification, String reason) implements Admission {}

  /** Accepts into {@code session}, or refuses an unconfigured address when it is null. */
  static Admission of(PeerSession session) {
    return session != null ? new Accept(session) : new Refuse(null, "unconfigured");
  }
}
