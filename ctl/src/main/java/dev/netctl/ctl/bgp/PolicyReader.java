package dev.netctl.ctl.bgp;

import dev.netctl.bgp.codec.PathAttribute.LargeCommunity;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.policy.Action;
import dev.netctl.bgp.policy.Action.ListOp;
import dev.netctl.bgp.policy.Match;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.PrefixList;
import dev.netctl.bgp.policy.PrefixRange;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import dev.netctl.bgp.rib.RoutePolicy;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * Turns the {@code definedSets} and {@code policies} of a speaker config into {@link Policy}
 * values, and resolves each peer's {@code import}/{@code export} reference. Like {@link
 * SpeakerConfigReader} it reports every violation through {@link Report} and never stops at the
 * first; a reference to a policy that was declared but is itself invalid is not reported twice.
 */
final class PolicyReader {
  /** Where violations go: {@code field}, the offending {@code value} (or null) and the rule. */
  interface Report {
    void error(String field, Object value, String rule);
  }

  private static final String ACCEPT_ALL = "accept-all";
  private static final String REJECT_ALL = "reject-all";

  // RFC 1997, RFC 7999 and RFC 8326 names, as BIRD and GoBGP accept them.
  private static final Map<String, Integer> WELL_KNOWN =
      Map.of(
          "no-export", 0xFFFFFF01,
          "no-advertise", 0xFFFFFF02,
          "no-export-subconfed", 0xFFFFFF03,
          "blackhole", 0xFFFF029A,
          "graceful-shutdown", 0xFFFF0000);

  private final Report report;
  private final long localAs;
  private final Map<String, PrefixList> prefixSets = new HashMap<>();
  private final Map<String, Set<Integer>> communitySets = new HashMap<>();
  private final Map<String, Set<LargeCommunity>> largeCommunitySets = new HashMap<>();
  private final Set<String> declaredPolicies = new TreeSet<>();
  private final Map<String, Policy> policies = new HashMap<>();

  /**
   * @param localAs our AS, the default of {@code asPathPrepend.as}
   */
  PolicyReader(Report report, long localAs) {
    this.report = report;
    this.localAs = localAs;
  }

  /** Reads the sets, then the policies that use them. */
  void read(SpeakerConfig.DefinedSets sets, Map<String, SpeakerConfig.PolicyDefinition> defs) {
    if (sets != null) {
      readSets(
          "definedSets.prefixSets",
          sets.prefixSets(),
          prefixSets,
          (f, entries) -> prefixList(f, f.substring(f.lastIndexOf('.') + 1), entries));
      readSets(
          "definedSets.communitySets",
          sets.communitySets(),
          communitySets,
          (f, values) -> values(f, values, this::community));
      readSets(
          "definedSets.largeCommunitySets",
          sets.largeCommunitySets(),
          largeCommunitySets,
          (f, values) -> values(f, values, this::largeCommunity));
    }
    if (defs == null) {
      return;
    }
    defs.forEach(
        (name, def) -> {
          String f = "policies." + name;
          if (!name(f, name)) {
            return;
          }
          if (name.equals(ACCEPT_ALL) || name.equals(REJECT_ALL)) {
            report.error(f, name, "is a built-in policy name; choose another");
            return;
          }
          declaredPolicies.add(name);
          Policy p = def == null ? null : policy(f, name, def);
          if (p != null) {
            policies.put(name, p);
          } else if (def == null) {
            report.error(f, null, "must have statements (and optionally default)");
          }
        });
  }

  /** What a peer's {@code import}/{@code export} names, or null for none (RFC 8212 default). */
  RoutePolicy reference(String f, SpeakerConfig.Policy p) {
    if (p == null) {
      return null;
    }
    if (p.action() != null && p.prefixes() != null) {
      report.error(f, p.action(), "must be either a policy name or a prefixes list, not both");
      return null;
    }
    if (p.prefixes() != null) {
      // Shorthand for a policy accepting exactly these prefix-list entries.
      List<SpeakerConfig.PrefixEntry> entries =
          p.prefixes().stream().map(SpeakerConfig.PrefixEntry::of).toList();
      PrefixList list = prefixList(f + ".prefixes", f, entries);
      if (list == null) {
        return null;
      }
      return new Policy(
          f,
          List.of(new Statement(List.of(new Match.PrefixIn(list)), List.of(), Verdict.ACCEPT)),
          Verdict.REJECT);
    }
    String name = p.action();
    if (name == null) {
      report.error(f, null, "must name a policy (accept-all, reject-all or one of policies)");
      return null;
    }
    return switch (name) {
      case ACCEPT_ALL -> RoutePolicy.ACCEPT_ALL;
      case REJECT_ALL -> RoutePolicy.REJECT_ALL;
      default -> {
        if (!declaredPolicies.contains(name)) {
          report.error(
              f,
              name,
              "is not a defined policy (accept-all, reject-all"
                  + (declaredPolicies.isEmpty() ? "" : ", " + String.join(", ", declaredPolicies))
                  + ")");
        }
        yield policies.get(name);
      }
    };
  }

  private interface SetReader<E, T> {
    T read(String field, List<E> values);
  }

  private <E, T> void readSets(
      String f, Map<String, List<E>> declared, Map<String, T> into, SetReader<E, T> reader) {
    if (declared == null) {
      return;
    }
    declared.forEach(
        (name, values) -> {
          String field = f + "." + name;
          if (!name(field, name)) {
            return;
          }
          if (values == null || values.isEmpty()) {
            report.error(field, values == null ? null : "[]", "must list at least one member");
            return;
          }
          T set = reader.read(field, values);
          if (set != null) {
            into.put(name, set);
          }
        });
  }

  private boolean name(String f, String name) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,62}")) {
      report.error(
          f,
          name,
          "is not a valid name: letters, digits, '-' and '_', starting with a letter or digit,"
              + " at most 63 characters");
      return false;
    }
    return true;
  }

  private <T> Set<T> values(String f, List<String> values, BiFunction<String, String, T> parse) {
    Set<T> out = new LinkedHashSet<>();
    boolean ok = true;
    for (int i = 0; i < values.size(); i++) {
      T v = parse.apply(f + "[" + i + "]", values.get(i));
      ok &= v != null;
      if (v != null) out.add(v);
    }
    return ok ? out : null;
  }

  /** A prefix list named {@code name} (a set's name, or the field of an inline list). */
  private PrefixList prefixList(String f, String name, List<SpeakerConfig.PrefixEntry> entries) {
    if (entries.isEmpty()) {
      report.error(f, "[]", "must list at least one prefix");
      return null;
    }
    List<PrefixRange> ranges = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      PrefixRange r = range(f + "[" + i + "]", entries.get(i));
      if (r != null) ranges.add(r);
    }
    return ranges.size() == entries.size() ? new PrefixList(name, ranges) : null;
  }

  private PrefixRange range(String f, SpeakerConfig.PrefixEntry e) {
    if (e == null) {
      report.error(f, null, "is required (a prefix such as 10.0.0.0/8 le 24)");
      return null;
    }
    if (e.text() != null) {
      try {
        return PrefixRange.parse(e.text());
      } catch (IllegalArgumentException x) {
        report.error(
            f, e.text(), "is not a prefix-list entry (PREFIX [ge N] [le M]): " + x.getMessage());
        return null;
      }
    }
    Prefix p = prefix(f + ".prefix", e.prefix());
    if (p == null) {
      return null;
    }
    int max = p.ipv6() ? 128 : 32;
    int ge = e.ge() == null ? p.length() : e.ge();
    int le = e.le() == null ? (e.ge() == null ? p.length() : max) : e.le();
    if (ge < p.length() || ge > le || le > max) {
      report.error(
          f,
          p + " ge " + ge + " le " + le,
          "must satisfy " + p.length() + " <= ge <= le <= " + max);
      return null;
    }
    return new PrefixRange(p, ge, le);
  }

  private Policy policy(String f, String name, SpeakerConfig.PolicyDefinition def) {
    Verdict fallback = Verdict.REJECT;
    if (def.defaultAction() != null) {
      switch (def.defaultAction()) {
        case "accept" -> fallback = Verdict.ACCEPT;
        case "reject" -> fallback = Verdict.REJECT;
        default -> report.error(f + ".default", def.defaultAction(), "must be accept or reject");
      }
    }
    List<SpeakerConfig.Statement> declared =
        def.statements() == null ? List.of() : def.statements();
    List<Statement> statements = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < declared.size(); i++) {
      Statement s = statement(f + ".statements[" + i + "]", declared.get(i));
      ok &= s != null;
      if (s != null) statements.add(s);
    }
    return ok ? new Policy(name, statements, fallback) : null;
  }

  private Statement statement(String f, SpeakerConfig.Statement s) {
    if (s == null) {
      report.error(f, null, "must be a statement (match, actions, then)");
      return null;
    }
    boolean ok = true;
    Verdict verdict = Verdict.CONTINUE;
    if (s.then() != null) {
      switch (s.then()) {
        case "accept" -> verdict = Verdict.ACCEPT;
        case "reject" -> verdict = Verdict.REJECT;
        case "next" -> verdict = Verdict.CONTINUE;
        default -> {
          report.error(f + ".then", s.then(), "must be accept, reject or next");
          ok = false;
        }
      }
    }
    List<Match> conditions = s.match() == null ? List.of() : conditions(f + ".match", s.match());
    List<Action> actions = s.actions() == null ? List.of() : actions(f + ".actions", s.actions());
    return ok && conditions != null && actions != null
        ? new Statement(conditions, actions, verdict)
        : null;
  }

  private List<Match> conditions(String f, SpeakerConfig.Conditions c) {
    List<Match> out = new ArrayList<>();
    boolean ok = true;
    if (c.prefixSet() != null) {
      PrefixList l = prefixSets.get(c.prefixSet());
      ok &= defined(f + ".prefixSet", c.prefixSet(), l, "prefixSets", prefixSets.keySet());
      if (l != null) out.add(new Match.PrefixIn(l));
    }
    if (c.prefixes() != null) {
      PrefixList l = prefixList(f + ".prefixes", f + ".prefixes", c.prefixes());
      ok &= l != null;
      if (l != null) out.add(new Match.PrefixIn(l));
    }
    if (c.communitySet() != null) {
      Set<Integer> set = communitySets.get(c.communitySet());
      ok &=
          defined(
              f + ".communitySet", c.communitySet(), set, "communitySets", communitySets.keySet());
      if (set != null) out.add(new Match.CommunityAny(set));
    }
    if (c.communities() != null) {
      Set<Integer> set = nonEmpty(f + ".communities", c.communities(), this::community);
      ok &= set != null;
      if (set != null) out.add(new Match.CommunityAny(set));
    }
    if (c.largeCommunitySet() != null) {
      Set<LargeCommunity> set = largeCommunitySets.get(c.largeCommunitySet());
      ok &=
          defined(
              f + ".largeCommunitySet",
              c.largeCommunitySet(),
              set,
              "largeCommunitySets",
              largeCommunitySets.keySet());
      if (set != null) out.add(new Match.LargeCommunityAny(set));
    }
    if (c.largeCommunities() != null) {
      Set<LargeCommunity> set =
          nonEmpty(f + ".largeCommunities", c.largeCommunities(), this::largeCommunity);
      ok &= set != null;
      if (set != null) out.add(new Match.LargeCommunityAny(set));
    }
    if (c.asPathContains() != null) {
      ok &= asn(f + ".asPathContains", c.asPathContains());
      out.add(new Match.AsPathContains(c.asPathContains()));
    }
    if (c.neighborAs() != null) {
      ok &= asn(f + ".neighborAs", c.neighborAs());
      out.add(new Match.NeighborAs(c.neighborAs()));
    }
    if (c.asPathLength() != null) {
      int ge = c.asPathLength().ge() == null ? 0 : c.asPathLength().ge();
      int le = c.asPathLength().le() == null ? Integer.MAX_VALUE : c.asPathLength().le();
      if (ge < 0 || le < ge) {
        report.error(
            f + ".asPathLength",
            "ge " + ge + " le " + (c.asPathLength().le() == null ? "(none)" : le),
            "must satisfy 0 <= ge <= le");
        ok = false;
      } else {
        out.add(new Match.AsPathLength(ge, le));
      }
    }
    if (c.not() != null) {
      List<Match> inner = conditions(f + ".not", c.not());
      ok &= inner != null;
      if (inner != null && inner.size() != 1) {
        // One condition keeps the meaning obvious: not {a, b} reads as "neither" to some users and
        // "not both" to others.
        report.error(
            f + ".not", inner.size() + " conditions", "must hold exactly one condition to negate");
        ok = false;
      } else if (inner != null) {
        out.add(new Match.Not(inner.get(0)));
      }
    }
    return ok ? out : null;
  }

  private boolean defined(String f, String name, Object found, String kind, Set<String> known) {
    if (found != null) {
      return true;
    }
    report.error(
        f,
        name,
        "is not a defined "
            + kind.substring(0, kind.length() - 1)
            + " (definedSets."
            + kind
            + ": "
            + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known)))
            + ")");
    return false;
  }

  private boolean asn(String f, long value) {
    if (value < 0 || value > 0xffffffffL) {
      report.error(f, value, "must be an AS number 0..4294967295");
      return false;
    }
    return true;
  }

  private <T> Set<T> nonEmpty(String f, List<String> values, BiFunction<String, String, T> parse) {
    if (values.isEmpty()) {
      report.error(f, "[]", "must list at least one value");
      return null;
    }
    return values(f, values, parse);
  }

  private List<Action> actions(String f, SpeakerConfig.Actions a) {
    List<Action> out = new ArrayList<>();
    boolean ok = true;
    if (a.localPref() != null) {
      boolean good = u32(f + ".localPref", a.localPref());
      ok &= good;
      if (good) out.add(new Action.SetLocalPref(a.localPref()));
    }
    if (a.med() != null) {
      boolean good = u32(f + ".med", a.med());
      ok &= good;
      if (good) out.add(new Action.SetMed(a.med()));
    }
    if (a.nextHop() != null) {
      switch (a.nextHop()) {
        case "self" -> out.add(Action.SetNextHop.self());
        case "keep" -> out.add(Action.SetNextHop.keep());
        default -> {
          InetAddress ip = SpeakerConfigReader.ip(a.nextHop());
          if (ip == null) {
            report.error(f + ".nextHop", a.nextHop(), "must be self, keep or an IP address");
            ok = false;
          } else {
            out.add(Action.SetNextHop.to(ip));
          }
        }
      }
    }
    if (a.asPathPrepend() != null) {
      long as = a.asPathPrepend().as() == null ? localAs : a.asPathPrepend().as();
      int repeat = a.asPathPrepend().repeat() == null ? 1 : a.asPathPrepend().repeat();
      boolean good = asn(f + ".asPathPrepend.as", as);
      if (repeat < 1 || repeat > 32) {
        report.error(f + ".asPathPrepend.repeat", repeat, "must be 1..32");
        good = false;
      }
      ok &= good;
      if (good) out.add(new Action.PrependAs(as, repeat));
    }
    if (a.communities() != null) {
      List<Action> edits =
          edits(
              f + ".communities",
              a.communities(),
              this::community,
              (op, values) -> new Action.SetCommunities(op, List.copyOf(values)));
      ok &= edits != null;
      if (edits != null) out.addAll(edits);
    }
    if (a.largeCommunities() != null) {
      List<Action> edits =
          edits(
              f + ".largeCommunities",
              a.largeCommunities(),
              this::largeCommunity,
              (op, values) -> new Action.SetLargeCommunities(op, List.copyOf(values)));
      ok &= edits != null;
      if (edits != null) out.addAll(edits);
    }
    return ok ? out : null;
  }

  private interface EditFactory<T> {
    Action create(ListOp op, Set<T> values);
  }

  private <T> List<Action> edits(
      String f,
      SpeakerConfig.ListEdit e,
      BiFunction<String, String, T> parse,
      EditFactory<T> factory) {
    if (e.set() == null && e.add() == null && e.remove() == null) {
      report.error(f, "{}", "must have set, add or remove");
      return null;
    }
    List<Action> out = new ArrayList<>();
    // Set first, then add, then remove: the order BIRD users write `c = [...]; c.add; c.delete`.
    boolean ok = edit(f + ".set", ListOp.SET, e.set(), parse, factory, out);
    ok &= edit(f + ".add", ListOp.ADD, e.add(), parse, factory, out);
    ok &= edit(f + ".remove", ListOp.REMOVE, e.remove(), parse, factory, out);
    return ok ? out : null;
  }

  private <T> boolean edit(
      String f,
      ListOp op,
      List<String> values,
      BiFunction<String, String, T> parse,
      EditFactory<T> factory,
      List<Action> out) {
    if (values == null) {
      return true;
    }
    Set<T> parsed = values(f, values, parse);
    if (parsed != null) out.add(factory.create(op, parsed));
    return parsed != null;
  }

  private boolean u32(String f, long value) {
    if (value < 0 || value > 0xffffffffL) {
      report.error(f, value, "must be 0..4294967295");
      return false;
    }
    return true;
  }

  /** A prefix without host bits, or null after reporting. */
  Prefix prefix(String f, String text) {
    if (text == null) {
      report.error(f, null, "is required (an IP prefix such as 10.0.0.0/24)");
      return null;
    }
    try {
      return Prefix.parse(text);
    } catch (IllegalArgumentException e) {
      report.error(f, text, "is not a valid prefix: " + e.getMessage());
      return null;
    }
  }

  /** A standard community {@code asn:value} or a well-known name, or null after reporting. */
  Integer community(String f, String text) {
    Integer known = WELL_KNOWN.get(String.valueOf(text));
    if (known != null) {
      return known;
    }
    String[] parts = String.valueOf(text).split(":", -1);
    if (parts.length == 2) {
      try {
        int hi = Integer.parseInt(parts[0]);
        int lo = Integer.parseInt(parts[1]);
        if (hi >= 0 && hi <= 65535 && lo >= 0 && lo <= 65535) {
          return (hi << 16) | lo;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    report.error(
        f,
        text,
        "must be ASN:VALUE with both parts 0..65535 (RFC 1997) or one of "
            + new TreeSet<>(WELL_KNOWN.keySet()));
    return null;
  }

  /** A large community {@code global:local1:local2}, or null after reporting. */
  LargeCommunity largeCommunity(String f, String text) {
    String[] parts = String.valueOf(text).split(":", -1);
    if (parts.length == 3) {
      try {
        long a = Long.parseLong(parts[0]);
        long b = Long.parseLong(parts[1]);
        long c = Long.parseLong(parts[2]);
        if (a >= 0
            && a <= 0xffffffffL
            && b >= 0
            && b <= 0xffffffffL
            && c >= 0
            && c <= 0xffffffffL) {
          return new LargeCommunity(a, b, c);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    report.error(f, text, "must be GLOBAL:LOCAL1:LOCAL2 with each part 0..4294967295 (RFC 8092)");
    return null;
  }
}
