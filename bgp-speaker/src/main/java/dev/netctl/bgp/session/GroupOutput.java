package dev.netctl.bgp.session;

import io.netty.buffer.ByteBuf;

/**
 * What an update group's writer needs of a member's session ({@link PeerSession}): bytes encoded
 * once for many members, the channel's back-pressure, and the notice that it is split off. An
 * interface so that the writer is tested over Netty channels without a BGP session behind them.
 */
public interface GroupOutput {
  /** Writes encoded bytes without flushing (the caller gives up its reference). */
  boolean writeEncoded(ByteBuf encoded);

  /** Flushes what {@link #writeEncoded} wrote. */
  void flush();

  /** Whether the channel can take more data now. */
  boolean writable();

  /** Bytes written and not yet taken by the socket. */
  long pendingBytes();

  /** Records a deviation of the current session, shown with the peer's status until it ends. */
  void notice(String text);

  /** Drops a {@link #notice} that no longer holds. */
  void clearNotice(String text);
}
