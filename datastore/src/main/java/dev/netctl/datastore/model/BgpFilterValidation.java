package dev.netctl.datastore.model;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The rules a {@link BGPFilter} must satisfy (Calico's, with its field names). */
final class BgpFilterValidation {

  // Linux interface names with '*' as the glob; at most IFNAMSIZ - 1 characters.
  private static final Pattern INTERFACE_GLOB = Pattern.compile("[A-Za-z0-9._*\\-]{1,15}");

  private BgpFilterValidation() {}

  static void filter(ViolationCollector c, BGPFilterSpec s) {
    rules(c, "spec.exportV4", s.exportV4(), false);
    rules(c, "spec.importV4", s.importV4(), false);
    rules(c, "spec.exportV6", s.exportV6(), true);
    rules(c, "spec.importV6", s.importV6(), true);
  }

  private static void rules(
      ViolationCollector c, String list, List<BGPFilterRule> rules, boolean v6) {
    for (int i = 0; i < rules.size(); i++) {
      String at = list + "[" + i + "]";
      BGPFilterRule r = rules.get(i);
      if (r == null) {
        c.add(at, null, "must be a rule with at least an action");
        continue;
      }
      rule(c, at, r, v6);
    }
  }

  private static void rule(ViolationCollector c, String at, BGPFilterRule r, boolean v6) {
    String family = v6 ? "IPv6" : "IPv4";
    int familyMax = v6 ? 128 : 32;
    if (r.action() == null) c.add(at + ".action", null, "is required (Accept or Reject)");
    Cidr cidr = c.cidr(at + ".cidr", r.cidr(), false);
    if (cidr != null) {
      if (cidr.isIPv4() == v6) {
        String v = v6 ? "V6" : "V4";
        c.add(
            at + ".cidr",
            r.cidr(),
            "must be an "
                + family
                + " CIDR: export"
                + v
                + " and import"
                + v
                + " hold "
                + family
                + " rules");
      } else if (!cidr.isMasked()) {
        c.add(
            at + ".cidr",
            r.cidr(),
            "must have all host bits zero (did you mean " + cidr.masked() + "?)");
      }
    }
    boolean hasCidr = r.cidr() != null && !r.cidr().isEmpty();
    if (hasCidr && r.matchOperator() == null) {
      c.add(
          at + ".matchOperator", null, "is required when cidr is set (Equal, NotEqual, In, NotIn)");
    }
    if (!hasCidr && r.matchOperator() != null) {
      c.add(at + ".cidr", null, "is required when matchOperator is set");
    }
    BGPFilterRule.PrefixLength pl = r.prefixLength();
    if (pl != null) {
      // Each bound's range is its own rule (Calico's field tags), checked whatever the operator,
      // so a rule that breaks two rules names both.
      boolean inRange = true;
      if (pl.min() != null && (pl.min() < 0 || pl.min() > familyMax)) {
        c.add(at + ".prefixLength.min", pl.min(), "must be 0-" + familyMax + " for " + family);
        inRange = false;
      }
      if (pl.max() != null && (pl.max() < 0 || pl.max() > familyMax)) {
        c.add(at + ".prefixLength.max", pl.max(), "must be 0-" + familyMax + " for " + family);
        inRange = false;
      }
      if (!hasCidr) {
        c.add(at + ".prefixLength", lengths(pl), "needs cidr with matchOperator In or NotIn");
      } else if (r.matchOperator() == BGPFilterRule.MatchOperator.EQUAL
          || r.matchOperator() == BGPFilterRule.MatchOperator.NOT_EQUAL) {
        c.add(
            at + ".prefixLength",
            lengths(pl),
            "applies only with matchOperator In or NotIn (Equal compares one exact prefix)");
      } else if (inRange) {
        if (pl.min() != null && pl.max() != null && pl.min() > pl.max()) {
          c.add(at + ".prefixLength", lengths(pl), "min must not be greater than max");
        }
        if (cidr != null && pl.max() != null && pl.max() < cidr.prefixLength()) {
          c.add(
              at + ".prefixLength.max",
              pl.max(),
              "must be at least the cidr's length "
                  + cidr.prefixLength()
                  + " (every prefix inside "
                  + cidr
                  + " is at least that long)");
        }
      }
    }
    if (r.interfaceName() != null && !INTERFACE_GLOB.matcher(r.interfaceName()).matches()) {
      c.add(
          at + ".interface",
          r.interfaceName(),
          "must be an interface name or glob: 1-15 of letters, digits, '.', '_', '-', '*'");
    }
  }

  private static String lengths(BGPFilterRule.PrefixLength pl) {
    // as written: a bound left out is not shown as null
    List<String> parts = new ArrayList<>();
    if (pl.min() != null) parts.add("min: " + pl.min());
    if (pl.max() != null) parts.add("max: " + pl.max());
    return "{" + String.join(", ", parts) + "}";
  }
}
