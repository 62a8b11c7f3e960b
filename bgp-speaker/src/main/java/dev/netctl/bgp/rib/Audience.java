package dev.netctl.bgp.rib;

import java.util.Objects;

/**
 * Which members of an {@link UpdateGroup} an outbound UPDATE is for. Most messages go to {@link
 * All}; split horizon needs {@link AllExcept} (a route is never sent back to the peer it came from)
 * and {@link Only} (that peer gets a withdrawal instead, or a joining peer gets its initial table).
 */
public sealed interface Audience {
  /** Whether {@code peer} should be sent the message. */
  boolean includes(Peer peer);

  /** Every member. */
  record All() implements Audience {
    /** The only instance needed. */
    public static final All INSTANCE = new All();

    @Override
    public boolean includes(Peer peer) {
      return true;
    }
  }

  /**
   * Every member but one.
   *
   * @param excluded the member not to send to
   */
  record AllExcept(Peer excluded) implements Audience {
    /** Validates. */
    public AllExcept {
      Objects.requireNonNull(excluded, "excluded");
    }

    @Override
    public boolean includes(Peer peer) {
      return !excluded.equals(peer);
    }

    // Written out: the generated ones are method-handle chains C1 cannot inline (update packing).
    @Override
    public int hashCode() {
      return excluded.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof AllExcept a && excluded.equals(a.excluded));
    }
  }

  /**
   * A single member.
   *
   * @param peer the member to send to
   */
  record Only(Peer peer) implements Audience {
    /** Validates. */
    public Only {
      Objects.requireNonNull(peer, "peer");
    }

    @Override
    public boolean includes(Peer other) {
      return peer.equals(other);
    }
  }
}
