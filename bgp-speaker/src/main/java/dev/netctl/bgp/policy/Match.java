package dev.netctl.bgp.policy;

import dev.netctl.bgp.codec.PathAttribute.LargeCommunity;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.rib.AttributeSet;
import java.util.Objects;
import java.util.Set;

/** A condition of a policy {@link Statement}, evaluated against one route. */
public sealed interface Match {
  /** Whether the route satisfies the condition. */
  boolean test(Prefix prefix, AttributeSet attributes);

  /**
   * The prefix is in the list.
   *
   * @param list the prefix list
   */
  record PrefixIn(PrefixList list) implements Match {
    /** Validates. */
    public PrefixIn {
      Objects.requireNonNull(list, "list");
    }

    @Override
    public boolean test(Prefix prefix, AttributeSet attributes) {
      return list.matches(prefix);
    }
  }

  /**
   * The route carries at least one of these communities (RFC 1997).
   *
   * @param any the communities
   */
  record CommunityAny(Set<Integer> any) implements Match {
    /** Copies. */
    public CommunityAny {
      any = Set.copyOf(any);
    }

    @Override
    public boolean test(Prefix prefix, AttributeSet attributes) {
      for (int c : attributes.communities()) {
        if (any.contains(c)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * The route carries at least one of these large communities (RFC 8092).
   *
   * @param any the large communities
   */
  record LargeCommunityAny(Set<LargeCommunity> any) implements Match {
    /** Copies. */
    public LargeCommunityAny {
      any = Set.copyOf(any);
    }

    @Override
    public boolean test(Prefix prefix, AttributeSet attributes) {
      for (LargeCommunity c : attributes.largeCommunities()) {
        if (any.contains(c)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * The AS_PATH contains an AS.
   *
   * @param asn the AS number
   */
  record AsPathContains(long asn) implements Match {
    @Override
    public boolean test(Prefix prefix, AttributeSet attributes) {
      return attributes.asPathContains(asn);
    }
  }

  /**
   * The negation of another condition.
   *
   * @param inner the condition to negate
   */
  record Not(Match inner) implements Match {
    /** Validates. */
    public Not {
      Objects.requireNonNull(inner, "inner");
    }

    @Override
    public boolean test(Prefix prefix, AttributeSet attributes) {
      return !inner.test(prefix, attributes);
    }
  }
}
