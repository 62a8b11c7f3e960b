package dev.netctl.agent.routing;

import dev.netctl.datastore.model.BGPFilterRule;
import dev.netctl.datastore.model.Cidr;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Calico's BGPFilter matching, pure: which rule of an ordered list decides a route, if any.
 *
 * <p>A rule matches when every condition it sets holds: its {@code cidr} under its {@code
 * matchOperator} (with {@code prefixLength} for In/NotIn), {@code source: RemotePeers}, and its
 * {@code interface} glob. The first matching rule decides; when none matches the caller goes on to
 * the next filter of the peering, and past the last one to the default (accept).
 */
public final class FilterRules {

  private FilterRules() {}

  /** What an ordered list of rules says about a route. */
  public enum Outcome {
    ACCEPT,
    REJECT,
    /** No rule matched: the next filter, or the default, decides. */
    NO_MATCH
  }

  /**
   * The facts about a route that rules test.
   *
   * @param prefix the route's prefix
   * @param fromPeer whether it was learned from a BGP peer (every imported route; on export, any
   *     route but the node's own)
   * @param interfaceName the route's outgoing interface, or null when it has none (netctl's BGP
   *     routes never carry one: the node's blocks are originated as aggregates, not read from the
   *     kernel, so an {@code interface} rule never matches them)
   */
  public record Route(Cidr prefix, boolean fromPeer, String interfaceName) {}

  /** The outcome of the first rule of {@code rules} that matches {@code route}. */
  public static Outcome first(List<BGPFilterRule> rules, Route route) {
    for (BGPFilterRule r : rules) {
      if (matches(r, route)) {
        return r.action() == BGPFilterRule.Action.ACCEPT ? Outcome.ACCEPT : Outcome.REJECT;
      }
    }
    return Outcome.NO_MATCH;
  }

  /** Whether every condition of {@code rule} holds for {@code route}. */
  public static boolean matches(BGPFilterRule rule, Route route) {
    if (rule.cidr() != null && rule.matchOperator() != null && !cidrMatches(rule, route.prefix())) {
      return false;
    }
    if (rule.source() == BGPFilterRule.Source.REMOTE_PEERS && !route.fromPeer()) return false;
    if (rule.interfaceName() != null) {
      return route.interfaceName() != null
          && glob(rule.interfaceName()).matcher(route.interfaceName()).matches();
    }
    return true;
  }

  private static boolean cidrMatches(BGPFilterRule rule, Cidr prefix) {
    Cidr cidr = Cidr.parse(rule.cidr());
    return switch (rule.matchOperator()) {
      case EQUAL -> prefix.equals(cidr);
      case NOT_EQUAL -> !prefix.equals(cidr);
      case IN -> in(prefix, cidr, rule.prefixLength());
      case NOT_IN -> !in(prefix, cidr, rule.prefixLength());
    };
  }

  /**
   * BIRD's {@code net ~ [cidr{min,max}]}, as Calico renders In: the prefix lies inside cidr (cidr
   * itself included) and its length is within min..max — by default cidr's own length up to the
   * family's longest.
   */
  static boolean in(Cidr prefix, Cidr cidr, BGPFilterRule.PrefixLength lengths) {
    if (prefix.isIPv4() != cidr.isIPv4()) return false;
    if (prefix.prefixLength() < cidr.prefixLength() || !cidr.contains(prefix.address())) {
      return false;
    }
    int min = lengths == null || lengths.min() == null ? cidr.prefixLength() : lengths.min();
    int max = lengths == null || lengths.max() == null ? (cidr.isIPv4() ? 32 : 128) : lengths.max();
    return prefix.prefixLength() >= min && prefix.prefixLength() <= max;
  }

  private static Pattern glob(String glob) {
    // '*' is the only wildcard; everything else is literal (the dot in "*.calico" too).
    StringBuilder re = new StringBuilder();
    String[] parts = glob.split("\\*", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) re.append(".*");
      if (!parts[i].isEmpty()) re.append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(re.toString());
  }
}
