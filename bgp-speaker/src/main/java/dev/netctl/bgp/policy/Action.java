package dev.netctl.bgp.policy;

import dev.netctl.bgp.codec.AttributeType;
import dev.netctl.bgp.codec.PathAttribute.Communities;
import dev.netctl.bgp.codec.PathAttribute.LargeCommunities;
import dev.netctl.bgp.codec.PathAttribute.LargeCommunity;
import dev.netctl.bgp.codec.PathAttribute.LocalPref;
import dev.netctl.bgp.codec.PathAttribute.MultiExitDisc;
import dev.netctl.bgp.rib.AttributeSet;
import dev.netctl.bgp.rib.PolicyContext;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** A rewrite a policy {@link Statement} applies to an accepted route. Pure: returns a new set. */
public sealed interface Action {
  /** The rewritten attributes. */
  AttributeSet apply(AttributeSet attributes, PolicyContext context);

  /**
   * Sets LOCAL_PREF (RFC 4271 §5.1.5).
   *
   * @param value the preference
   */
  record SetLocalPref(long value) implements Action {
    /** Validates via the attribute. */
    public SetLocalPref {
      new LocalPref(value);
    }

    @Override
    public AttributeSet apply(AttributeSet attributes, PolicyContext context) {
      return attributes.with(new LocalPref(value));
    }
  }

  /**
   * Sets MULTI_EXIT_DISC (RFC 4271 §5.1.4).
   *
   * @param value the metric
   */
  record SetMed(long value) implements Action {
    /** Validates via the attribute. */
    public SetMed {
      new MultiExitDisc(value);
    }

    @Override
    public AttributeSet apply(AttributeSet attributes, PolicyContext context) {
      return attributes.with(new MultiExitDisc(value));
    }
  }

  /**
   * Prepends an AS to the AS_PATH a number of times.
   *
   * @param asn the AS to prepend
   * @param count how many times, 1..32
   */
  record PrependAs(long asn, int count) implements Action {
    /** Validates. */
    public PrependAs {
      if (asn < 0 || asn > 0xffffffffL || count < 1 || count > 32) {
        throw new IllegalArgumentException(
            "AS-path prepend " + asn + " x" + count + ": need AS in 0..4294967295, count 1..32");
      }
    }

    @Override
    public AttributeSet apply(AttributeSet attributes, PolicyContext context) {
      return attributes.prependAs(asn, count);
    }
  }

  /** How {@link Communities} rewrites the list. */
  enum ListOp {
    /** Replace the whole list (an empty list removes the attribute). */
    SET,
    /** Append values not already present. */
    ADD,
    /** Remove these values. */
    REMOVE
  }

  /**
   * Rewrites COMMUNITIES (RFC 1997).
   *
   * @param op set, add or remove
   * @param values the communities
   */
  record SetCommunities(ListOp op, List<Integer> values) implements Action {
    /** Validates and copies. */
    public SetCommunities {
      Objects.requireNonNull(op, "op");
      values = List.copyOf(values);
    }

    @Override
    public AttributeSet apply(AttributeSet attributes, PolicyContext context) {
      List<Integer> out = rewrite(op, attributes.communities(), values);
      return out.isEmpty()
          ? attributes.without(AttributeType.COMMUNITIES)
          : attributes.with(new Communities(out));
    }
  }

  /**
   * Rewrites LARGE_COMMUNITY (RFC 8092).
   *
   * @param op set, add or remove
   * @param values the large communities
   */
  record SetLargeCommunities(ListOp op, List<LargeCommunity> values) implements Action {
    /** Validates and copies. */
    public SetLargeCommunities {
      Objects.requireNonNull(op, "op");
      values = List.copyOf(values);
    }

    @Override
    public AttributeSet apply(AttributeSet attributes, PolicyContext context) {
      List<LargeCommunity> out = rewrite(op, attributes.largeCommunities(), values);
      return out.isEmpty()
          ? attributes.without(AttributeType.LARGE_COMMUNITY)
          : attributes.with(new LargeCommunities(out));
    }
  }

  /** What {@link SetNextHop} does. */
  enum NextHopMode {
    /** Our own address toward the peer. */
    SELF,
    /** The next hop the route had before this speaker touched it (Calico keepOriginalNextHop). */
    KEEP,
    /** A configured address. */
    EXPLICIT
  }

  /**
   * Sets the next hop.
   *
   * @param mode self, keep or explicit
   * @param address the address for EXPLICIT, else null
   */
  record SetNextHop(NextHopMode mode, InetAddress address) implements Action {
    /** Validates that an address comes exactly with EXPLICIT. */
    public SetNextHop {
      Objects.requireNonNull(mode, "mode");
      if ((mode == NextHopMode.EXPLICIT) != (address != null)) {
        throw new IllegalArgumentException(
            "next hop action " + mode + ": an address is required for EXPLICIT and only there");
      }
    }

    /** Next-hop self. */
    public static SetNextHop self() {
      return new SetNextHop(NextHopMode.SELF, null);
    }

    /** Keep the original next hop. */
    public static SetNextHop keep() {
      return new SetNextHop(NextHopMode.KEEP, null);
    }

    /** An explicit next hop. */
    public static SetNextHop to(InetAddress address) {
      return new SetNextHop(NextHopMode.EXPLICIT, address);
    }

    @Override
    public AttributeSet apply(AttributeSet attributes, PolicyContext context) {
      return switch (mode) {
        case SELF ->
            context.selfNextHop() == null
                ? attributes
                : attributes.withNextHop(context.selfNextHop(), context.selfLinkLocalNextHop());
        case KEEP ->
            context.originalNextHop() == null
                ? attributes
                : attributes.withNextHop(context.originalNextHop(), null);
        case EXPLICIT -> attributes.withNextHop(address, null);
      };
    }
  }

  private static <T> List<T> rewrite(ListOp op, List<T> current, List<T> values) {
    return switch (op) {
      case SET -> List.copyOf(new LinkedHashSet<>(values));
      case ADD -> {
        Set<T> out = new LinkedHashSet<>(current);
        out.addAll(values);
        yield new ArrayList<>(out);
      }
      case REMOVE -> {
        List<T> out = new ArrayList<>(current);
        out.removeAll(values);
        yield out;
      }
    };
  }
}
