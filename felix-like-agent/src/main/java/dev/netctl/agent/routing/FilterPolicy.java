package dev.netctl.agent.routing;

import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.rib.AttributeSet;
import dev.netctl.bgp.rib.PolicyContext;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.datastore.model.BGPFilterSpec;
import dev.netctl.datastore.model.Cidr;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A peering's BGPFilters ({@code BGPPeer spec.filters}) as its import or export policy: the filters
 * in the peer's order, each list's first matching rule deciding; a route no rule matches goes on to
 * the next filter and then to {@code then} — the default (accept, with the peer's next-hop rewrite
 * on export). An Accept also continues to {@code then}, so an accepted route still gets its next
 * hop.
 *
 * <p>A filter the peer names that does not exist rejects every route in this direction: without it
 * nobody can tell what the operator meant to keep out, and leaking is worse than withholding (the
 * agent logs it and shows it in {@code node status}).
 *
 * <p>A record of immutable values: a changed filter gives an unequal policy, which the speaker
 * applies to the running session (the export by re-evaluating what it sends, the import by
 * re-running the routes the peer sent through it) without a reset.
 *
 * @param export whether this is the export (else import) policy
 * @param filters the peer's filters in order
 * @param then what decides after the filters
 */
public record FilterPolicy(boolean export, List<Filter> filters, RoutePolicy then)
    implements RoutePolicy {

  /**
   * One named filter.
   *
   * @param name its name
   * @param spec its rules, or null when no BGPFilter has that name
   */
  public record Filter(String name, BGPFilterSpec spec) {
    public Filter {
      Objects.requireNonNull(name, "name");
    }
  }

  public FilterPolicy {
    filters = List.copyOf(filters);
    Objects.requireNonNull(then, "then");
  }

  /** The names the peer uses that no BGPFilter has. */
  public List<String> missing() {
    return filters.stream().filter(f -> f.spec() == null).map(Filter::name).toList();
  }

  @Override
  public Optional<AttributeSet> apply(
      Prefix prefix, AttributeSet attributes, PolicyContext context) {
    if (!missing().isEmpty()) return Optional.empty();
    Cidr cidr = BgpRouting.cidr(prefix);
    if (cidr == null) return Optional.empty();
    FilterRules.Route route = new FilterRules.Route(cidr, !export || !context.localRoute(), null);
    for (Filter f : filters) {
      switch (FilterRules.first(f.spec().rules(export, !cidr.isIPv4()), route)) {
        case ACCEPT -> {
          return then.apply(prefix, attributes, context);
        }
        case REJECT -> {
          return Optional.empty();
        }
        case NO_MATCH -> {}
      }
    }
    return then.apply(prefix, attributes, context);
  }
}
