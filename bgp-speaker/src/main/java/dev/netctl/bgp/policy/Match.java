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
   * The AS_PATH length (an AS_SET counts one, RFC 4271 §9.1.2.2) is within {@code min..max}.
   *
   * @param min shortest accepted length, at least 0
   * @param max longest accepted length, at least {@code min}
   */
  record AsPathLength(int min, int max) implements Match {
    /** Validates {@code 0 <= min <= max}. */
    public AsPathLength {
      if (min < 0 || max < min) {
        throw new IllegalArgumentException(
            "AS-path length " + min + ".." + max + ": need 0 <= min <= max");
      }
    }

    @Override
    public boolean test(Prefix prefix, AttributeSet attributes) {
      int length = attributes.asPathLength();
      return length >= min && length <= max;
    }
  }

  /**
   * The route entered our AS from this neighbouring AS: the first AS of its AS_PATH (a route
   * without AS_PATH, ours or from an iBGP peer's own AS, never matches).
   *
   * @param asn the neighbouring AS number
   */
  record NeighborAs(long asn) implements Match {
    @Override
    public boolean test(Prefix prefix, AttributeSet attributes) {
      return attributes.neighbourAs() == asn;
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
