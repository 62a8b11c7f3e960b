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

    // Written out: the generated ones are method-handle chains the C1-only JVM does not inline,
    // and audiences key a batch's withdrawals.
    @Override
    public int hashCode() {
      return 1;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof All;
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

    // Written out, as AllExcept: compared per change when a batch picks its bucket.
    @Override
    public int hashCode() {
      return peer.hashCode() * 31 + 1;
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof Only a && peer.equals(a.peer));
    }
  }
}
