package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.Prefix;
import java.util.Optional;

/**
 * An import or export policy as the RIB applies it: a pure function from a route to its accepted
 * attributes, or empty for a rejected route. Implementations must be immutable and thread-safe
 * (they run on every RIB shard at once) and should have value equality, because peers whose export
 * policies are equal share one {@link UpdateGroup}. {@code dev.netctl.bgp.policy.Policy} is the
 * configurable implementation; the RIB depends only on this interface.
 */
@FunctionalInterface
public interface RoutePolicy {
  /** Accepts every route unchanged (the default for iBGP peers without configuration). */
  RoutePolicy ACCEPT_ALL = new Named("accept-all", true);

  /**
   * Rejects every route: what an eBGP peer without configured policy gets (RFC 8212 §3: such a peer
   * neither sends nor receives routes).
   */
  RoutePolicy REJECT_ALL = new Named("reject-all", false);

  /**
   * Applies the policy.
   *
   * @param prefix the route's prefix
   * @param attributes the route's attributes
   * @param context session facts the policy may need (next-hop self)
   * @return the attributes to use, or empty to reject
   */
  Optional<AttributeSet> apply(Prefix prefix, AttributeSet attributes, PolicyContext context);

  /**
   * Whether the result never depends on the prefix (only on the attributes and context): the RIB
   * then reuses one result for all the prefixes of an UPDATE. False unless overridden.
   */
  default boolean prefixIndependent() {
    return false;
  }

  /**
   * The policy to apply for a peer, given what was configured (null for nothing): RFC 8212 makes a
   * missing policy reject everything on eBGP sessions, while iBGP keeps accepting.
   */
  static RoutePolicy effective(RoutePolicy configured, boolean ibgp) {
    if (configured != null) {
      return configured;
    }
    return ibgp ? ACCEPT_ALL : REJECT_ALL;
  }

  /** A constant policy with a readable name. */
  record Named(String name, boolean accept) implements RoutePolicy {
    @Override
    public Optional<AttributeSet> apply(
        Prefix prefix, AttributeSet attributes, PolicyContext context) {
      return accept ? Optional.of(attributes) : Optional.empty();
    }

    @Override
    public boolean prefixIndependent() {
      return true;
    }
  }
}
