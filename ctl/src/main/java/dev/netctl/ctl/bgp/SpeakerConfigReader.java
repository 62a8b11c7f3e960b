package dev.netctl.ctl.bgp;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.RemoteAs;
import dev.netctl.bgp.policy.Action;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.speaker.DynamicRange;
import dev.netctl.bgp.speaker.Ipv4NextHop;
import dev.netctl.bgp.speaker.Ipv6NextHop;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.datastore.model.AsNumber;
import dev.netctl.datastore.model.JsonErrors;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and checks a {@link SpeakerConfig} file. Every violation is collected (not just the first)
 * and reported as {@code FILE: FIELD: VALUE RULE}. Features the platform cannot honour (TCP MD5
 * without epoll) are refused here rather than ignored, because a silently dropped password is a
 * security surprise. Policies and defined sets are read by {@link PolicyReader}.
 */
public final class SpeakerConfigReader {
  // The value in Jackson's message for a number where a whole one was expected (it keeps only the
  // text there); SpeakerConfigReaderTest holds the message shapes this reads.
  private static final Pattern JACKSON_VALUE = Pattern.compile("value \\('?([^)']+)'?\\)");

  // A repeated key would otherwise silently win over the first, and 3.5 would become 3: both
  // change the configuration without a word.
  private static final ObjectMapper YAML =
      new ObjectMapper(
              YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  private final String file;
  private final boolean md5Available;
  private final List<String> errors = new ArrayList<>();
  private final ValueReader values = new ValueReader(this::error);
  // Created once the local AS is known (policies prepend it by default).
  private PolicyReader policies;

  private SpeakerConfigReader(String file, boolean md5Available) {
    this.file = file;
    this.md5Available = md5Available;
  }

  /**
   * Reads and checks a file.
   *
   * @param md5Available whether the transport can set TCP MD5 and GTSM (epoll)
   * @throws SpeakerConfigException naming every violation
   */
  public static SpeakerPlan read(Path path, boolean md5Available) {
    String text;
    try {
      text = Files.readString(path);
    } catch (IOException e) {
      throw new SpeakerConfigException(List.of(path + ": cannot read: " + e.getMessage()));
    }
    return parse(path.toString(), text, md5Available);
  }

  /** Parses and checks YAML text; {@code file} names it in errors. */
  public static SpeakerPlan parse(String file, String yaml, boolean md5Available) {
    SpeakerConfig c;
    try {
      c = YAML.readValue(yaml, SpeakerConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new SpeakerConfigException(
          List.of(
              file
                  + ": "
                  + path(e)
                  + ": unknown field; known fields are "
                  + e.getKnownPropertyIds()));
    } catch (MismatchedInputException e) {
      throw new SpeakerConfigException(List.of(file + ": " + path(e) + ": " + mismatch(e)));
    } catch (JsonProcessingException e) {
      boolean syntax =
          e instanceof JsonParseException || !(e instanceof JsonMappingException m)
              ? true
              : m.getCause() instanceof JsonParseException;
      String first = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
      if (syntax) {
        var at = e.getLocation();
        throw new SpeakerConfigException(
            List.of(
                file
                    + ": not valid YAML"
                    + (at == null
                        ? ""
                        : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + ": "
                    + first));
      }
      throw new SpeakerConfigException(
          List.of(file + ": " + path((JsonMappingException) e) + ": " + first));
    }
    if (c == null) {
      throw new SpeakerConfigException(List.of(file + ": is empty"));
    }
    return new SpeakerConfigReader(file, md5Available).check(c);
  }

  /**
   * A value of the wrong shape as {@code "VALUE" must be KIND} rather than Jackson's Java type
   * names, which a person editing YAML cannot act on.
   */
  private static String mismatch(MismatchedInputException e) {
    Class<?> type = e.getTargetType();
    String kind;
    if (type == null) {
      return String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
    } else if (type == Integer.class
        || type == int.class
        || type == Long.class
        || type == long.class) {
      kind = "a whole number";
    } else if (type == Boolean.class || type == boolean.class) {
      kind = "true or false";
    } else if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      kind = "a list";
    } else if (type == String.class) {
      kind = "text";
    } else {
      kind = "a mapping";
    }
    String message = String.valueOf(e.getOriginalMessage());
    if (message.contains(JsonToken.START_OBJECT.name())) {
      return "must be " + kind + ", not a mapping";
    }
    if (message.contains(JsonToken.START_ARRAY.name())) {
      return "must be " + kind + ", not a list";
    }
    Object value = e instanceof InvalidFormatException f ? f.getValue() : null;
    if (value != null && message.contains(AsNumber.RULE)) {
      return "\"" + value + "\" " + AsNumber.RULE; // the datastore's parser, asdot or plain
    }
    if (value == null) {
      // A number where a whole one was expected: Jackson keeps only its text, in the message.
      Matcher m = JACKSON_VALUE.matcher(message);
      value = m.find() ? m.group(1) : null;
    }
    return (value == null ? "" : "\"" + value + "\" ") + "must be " + kind;
  }

  private static String path(JsonMappingException e) {
    String p = JsonErrors.path(e);
    return p.isEmpty() ? "(top level)" : p;
  }

  private void error(String field, Object value, String rule) {
    errors.add(file + ": " + field + ": " + (value == null ? "" : "\"" + value + "\" ") + rule);
  }

  private SpeakerPlan check(SpeakerConfig c) {
    Inet4Address routerId = null;
    if (c.routerId() == null) {
      error("routerId", null, "is required (an IPv4 address)");
    } else if (!(ip(c.routerId()) instanceof Inet4Address v4)) {
      error("routerId", c.routerId(), "must be an IPv4 address");
    } else if (v4.isAnyLocalAddress()) {
      error(
          "routerId",
          c.routerId(),
          "must not be 0.0.0.0 (RFC 6286 §2.1: a BGP Identifier is a non-zero 4-octet number)");
    } else {
      routerId = v4;
    }
    long as = asn("asNumber", c.asNumber());
    policies = new PolicyReader(this::error, as);
    policies.read(c.definedSets(), c.policies());
    InetSocketAddress listen = listen(c.listen());
    Inet4Address clusterId = null;
    if (c.clusterId() != null) {
      if (ip(c.clusterId()) instanceof Inet4Address v4) {
        clusterId = v4;
      } else {
        error("clusterId", c.clusterId(), "must be an IPv4 address (RFC 4456 §8: a 4-octet id)");
      }
    }
    SocketAddress admin = admin(c.admin());
    Inet6Address ipv6NextHop = ipv6NextHop("ipv6NextHop", c.ipv6NextHop());
    Inet4Address ipv4NextHop = ipv4NextHop("ipv4NextHop", c.ipv4NextHop());
    List<Neighbor> peers = new ArrayList<>();
    Set<InetAddress> seen = new HashSet<>();
    List<SpeakerConfig.Peer> declared = c.peers() == null ? List.of() : c.peers();
    for (int i = 0; i < declared.size(); i++) {
      Neighbor p = peer("peers[" + i + "]", declared.get(i), as, routerId, listen);
      if (p != null && !seen.add(p.spec().remote().getAddress())) {
        error(
            "peers[" + i + "].address",
            AddressText.of(p.spec().remote().getAddress()),
            "is a duplicate: each peer address may appear once");
      } else if (p != null) {
        peers.add(p.ipv4NextHop() == null ? p.withIpv4NextHop(ipv4NextHop) : p);
      }
    }
    List<SpeakerPlan.Route> routes = new ArrayList<>();
    List<SpeakerConfig.Origination> originate = c.originate() == null ? List.of() : c.originate();
    Set<Prefix> prefixes = new HashSet<>();
    for (int i = 0; i < originate.size(); i++) {
      SpeakerPlan.Route r = route("originate[" + i + "]", originate.get(i));
      if (r != null && !prefixes.add(r.prefix())) {
        error("originate[" + i + "].prefix", r.prefix(), "is a duplicate");
      } else if (r != null) {
        routes.add(r);
      }
    }
    if (!errors.isEmpty()) {
      throw new SpeakerConfigException(errors);
    }
    List<DynamicRange> ranges = new ArrayList<>();
    List<SpeakerConfig.DynamicPeers> dynamic =
        c.dynamicPeers() == null ? List.of() : c.dynamicPeers();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < dynamic.size(); i++) {
      String f = "dynamicPeers[" + i + "]";
      String name = dynamic.get(i).name();
      if (name != null && !names.add(name)) {
        error(f + ".name", name, "is a duplicate: each range name may appear once");
      }
      DynamicRange r = dynamicRange(f, dynamic.get(i), as, routerId, listen);
      if (r != null && r.template().ipv4NextHop() == null && ipv4NextHop != null) {
        r =
            new DynamicRange(
                r.name(), r.range(), r.template().withIpv4NextHop(ipv4NextHop), r.limit());
      }
      if (r != null) {
        ranges.add(r);
      }
    }
    if (!errors.isEmpty()) {
      throw new SpeakerConfigException(errors);
    }
    return new SpeakerPlan(
        routerId, as, listen, peers, routes, clusterId, admin, ipv6NextHop, ranges);
  }

  private DynamicRange dynamicRange(
      String f,
      SpeakerConfig.DynamicPeers d,
      long as,
      Inet4Address routerId,
      InetSocketAddress ls) {
    int before = errors.size();
    if (d.name() == null || d.name().isBlank()) {
      error(f + ".name", d.name(), "is required (names the range in bgp peers)");
    }
    Prefix range = values.prefix(f + ".range", d.range());
    int limit = d.limit() == null ? 100 : d.limit();
    if (limit < 1 || limit > 100_000) {
      error(f + ".limit", limit, "must be 1..100000 (the most sessions from the range at once)");
    }
    SpeakerConfig.Peer t = d.template();
    if (t == null) {
      error(
          f + ".template", null, "is required (asNumber and the peer settings every session gets)");
      return null;
    }
    if (t.address() != null) {
      error(f + ".template.address", t.address(), "must not be set: the range gives the addresses");
    }
    if (t.passive() != null) {
      error(f + ".template.passive", t.passive(), "must not be set: dynamic peers are passive");
    }
    if (t.password() != null) {
      error(
          f + ".template.password",
          "(hidden)",
          "is not supported for a range: TCP MD5 keys are per address (RFC 2385)");
    }
    RemoteAs accepted = null;
    Long asNumber = t.asNumber();
    if (d.remoteAs() != null) {
      try {
        accepted = RemoteAs.parse(d.remoteAs());
      } catch (IllegalArgumentException e) {
        error(f + ".remoteAs", d.remoteAs(), e.getMessage());
      }
      if (t.asNumber() != null) {
        error(
            f + ".template.asNumber",
            t.asNumber(),
            "must not be set with " + f + ".remoteAs (one or the other names the peers' AS)");
      }
      if (Boolean.TRUE.equals(t.enforceFirstAs()) && accepted instanceof RemoteAs.Internal) {
        error(
            f + ".template.enforceFirstAs",
            true,
            "needs eBGP peers, but remoteAs internal accepts iBGP ones only: RFC 4271 §6.3 checks"
                + " the first AS of external peers only");
      }
      if (Boolean.TRUE.equals(t.routeReflectorClient())
          && accepted != null
          && !(accepted instanceof RemoteAs.Internal)) {
        error(
            f + ".template.routeReflectorClient",
            true,
            "needs iBGP peers: remoteAs must be internal, not " + accepted.text());
      }
      // Stands in until a peer's OPEN says which AS of the set it is in.
      asNumber =
          switch (accepted) {
            case RemoteAs.Internal i -> as;
            case RemoteAs.External e -> as == 1 ? 2L : 1L;
            case RemoteAs.Spans sp -> sp.first();
            case null -> null;
          };
    } else if (t.asNumber() == null) {
      error(
          f + ".template.asNumber",
          null,
          "is required unless " + f + ".remoteAs is set (internal, external or AS ranges)");
    }
    // With remoteAs, checked here and set below, as enforceFirstAs is: the template is read
    // against a stand-in asNumber. Internal peers too: their routes are checked for loops as well.
    int allowLocalAs = 0;
    if (accepted != null && t.allowLocalAs() != null) {
      allowLocalAs = allowLocalAs(f + ".template.allowLocalAs", t.allowLocalAs());
    }
    if (range == null || errors.size() > before) {
      return null;
    }
    SpeakerConfig.Peer withAddress =
        new SpeakerConfig.Peer(
            AddressText.of(range.address()),
            t.port(),
            t.localAddress(),
            asNumber,
            true,
            null,
            t.ttlSecurity(),
            t.holdTime(),
            t.families(),
            t.routeReflectorClient(),
            t.addPath(),
            t.gracefulRestart(),
            t.importPolicy(),
            t.exportPolicy(),
            t.ipv6NextHop(),
            // With remoteAs, checked above (refused for internal) and set below: the stand-in
            // asNumber (a span's first AS may be ours) is no peer's AS to check it against.
            accepted != null ? null : t.enforceFirstAs(),
            t.keepaliveTime(),
            accepted != null ? null : t.allowLocalAs(),
            t.ipv4NextHop(),
            t.maxPrefixes());
    Neighbor template = peer(f + ".template", withAddress, as, routerId, ls);
    if (template == null) {
      return null;
    }
    if (accepted != null) {
      PeerSpec ts = template.spec();
      template =
          template.withSpec(
              new PeerSpec(
                  ts.remote(),
                  ts.localAddress(),
                  ts.config()
                      .withAcceptedAs(accepted)
                      .withEnforceFirstAs(
                          !(accepted instanceof RemoteAs.Internal)
                              && Boolean.TRUE.equals(t.enforceFirstAs()))
                      .withAllowLocalAs(allowLocalAs),
                  ts.passive(),
                  ts.md5Password(),
                  ts.ttlSecurityHops()));
    }
    try {
      return new DynamicRange(d.name(), range, template, limit);
    } catch (IllegalArgumentException e) {
      error(f, d.range(), e.getMessage());
      return null;
    }
  }

  private Inet6Address ipv6NextHop(String field, String text) {
    return nextHop(
        field,
        text,
        Inet6Address.class,
        "must be an IPv6 address (the next hop of IPv6 routes, RFC 2545 §2)",
        Ipv6NextHop::problem);
  }

  private Inet4Address ipv4NextHop(String field, String text) {
    return nextHop(
        field,
        text,
        Inet4Address.class,
        "must be an IPv4 address (NEXT_HOP of IPv4 routes, RFC 4271 §5.1.3)",
        Ipv4NextHop::problem);
  }

  /** A next-hop field of one family, or null (recorded as an error) when it is not a usable one. */
  private <A extends InetAddress> A nextHop(
      String field,
      String text,
      Class<A> family,
      String rule,
      java.util.function.Function<A, String> problemOf) {
    if (text == null) {
      return null;
    }
    InetAddress address = ip(text);
    if (!family.isInstance(address)) {
      error(field, text, rule);
      return null;
    }
    A typed = family.cast(address);
    String problem = problemOf.apply(typed);
    if (problem != null) {
      error(field, text, problem);
      return null;
    }
    return typed;
  }

  /** An IP literal, or null (never a DNS lookup). */
  static InetAddress ip(String text) {
    try {
      return InetAddress.ofLiteral(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private long asn(String field, Long value) {
    if (value == null) {
      error(field, null, "is required (1..4294967295)");
      return 0;
    }
    if (value < 1 || value > 0xffffffffL) {
      error(field, value, "must be 1..4294967295");
      return 0;
    }
    return value;
  }

  private int port(String field, Integer value) {
    if (value == null) {
      return 179;
    }
    if (value < 1 || value > 65535) {
      error(field, value, "must be 1..65535");
      return 179;
    }
    return value;
  }

  private InetSocketAddress listen(SpeakerConfig.Listen l) {
    if (l == null || l.address() == null) {
      error("listen.address", null, "is required (the IP address to accept BGP connections on)");
      return null;
    }
    InetAddress a = ip(l.address());
    int port = port("listen.port", l.port());
    if (a == null) {
      error("listen.address", l.address(), "must be an IP address");
      return null;
    }
    return new InetSocketAddress(a, port);
  }

  private SocketAddress admin(SpeakerConfig.Admin a) {
    if (a == null) {
      return null;
    }
    if (a.unixSocket() != null && a.address() != null) {
      error("admin", null, "must set either address or unixSocket, not both");
      return null;
    }
    if (a.unixSocket() != null) {
      try {
        return AdminAddress.unixSocket(a.unixSocket());
      } catch (IllegalArgumentException e) {
        error("admin.unixSocket", a.unixSocket(), e.getMessage());
        return null;
      }
    }
    if (a.address() == null) {
      error("admin", null, "must set address (a loopback IP:PORT) or unixSocket (a path)");
      return null;
    }
    try {
      return AdminAddress.loopback(a.address());
    } catch (IllegalArgumentException e) {
      error("admin.address", a.address(), e.getMessage());
      return null;
    }
  }

  /** A peer's allowance for our AS in its AS_PATHs, 1..255; 0 when absent or refused. */
  private int allowLocalAs(String field, Integer value) {
    if (value == null) {
      return 0;
    }
    if (value < 1 || value > 255) {
      error(field, value, "must be 1..255 (how often our AS may appear)");
      return 0;
    }
    return value;
  }

  private Neighbor peer(
      String f, SpeakerConfig.Peer p, long localAs, Inet4Address routerId, InetSocketAddress ls) {
    int before = errors.size();
    InetAddress remote = null;
    if (p.address() == null) {
      error(f + ".address", null, "is required");
    } else if ((remote = ip(p.address())) == null) {
      error(f + ".address", p.address(), "must be an IP address");
    }
    int port = port(f + ".port", p.port());
    long remoteAs = asn(f + ".asNumber", p.asNumber());
    InetAddress local = ls == null ? null : ls.getAddress();
    if (p.localAddress() != null && (local = ip(p.localAddress())) == null) {
      error(f + ".localAddress", p.localAddress(), "must be an IP address");
    } else if (local != null && local.isAnyLocalAddress()) {
      error(
          f + ".localAddress",
          AddressText.of(local),
          "must be a specific address (set it when listen.address is a wildcard)");
    } else if (local != null
        && remote != null
        && (local instanceof Inet6Address) != (remote instanceof Inet6Address)) {
      error(
          f + ".localAddress",
          AddressText.of(local),
          (p.localAddress() == null ? "(listen.address, as localAddress is not set) " : "")
              + "must be of the same IP version as the peer address "
              + AddressText.of(remote));
    } else if (local != null && local.equals(remote) && ls != null && ls.getPort() == port) {
      // Loopback labs peer on one address with two ports; the same port too is our own listener.
      error(
          f + ".address",
          AddressText.of(remote),
          "is this speaker's own address and listen port ("
              + ls.getPort()
              + "): a speaker cannot peer with itself");
    }
    int hold = 90;
    if (p.holdTime() != null) {
      hold = p.holdTime();
      if (hold == 1 || hold == 2 || hold < 0 || hold > 65535) {
        error(f + ".holdTime", hold, "must be 0 or 3..65535 (RFC 4271 §4.2)");
      }
    }
    int keepalive = 0;
    if (p.keepaliveTime() != null) {
      keepalive = p.keepaliveTime();
      if (keepalive < 1 || keepalive > 65535) {
        error(f + ".keepaliveTime", keepalive, "must be 1..65535 seconds");
        keepalive = 0;
      } else if (hold == 0) {
        error(
            f + ".keepaliveTime",
            keepalive,
            "needs a holdTime: with holdTime 0 no KEEPALIVEs are sent");
        keepalive = 0;
      } else if (keepalive > hold) {
        error(f + ".keepaliveTime", keepalive, "must not exceed holdTime (" + hold + ")");
        keepalive = 0;
      }
    }
    Set<AddressFamily> families = new LinkedHashSet<>();
    List<String> fams = p.families() == null ? List.of("ipv4", "ipv6") : p.families();
    if (fams.isEmpty()) {
      error(f + ".families", "[]", "must name at least one of ipv4, ipv6");
    }
    for (int i = 0; i < fams.size(); i++) {
      switch (String.valueOf(fams.get(i))) {
        case "ipv4" -> families.add(AddressFamily.IPV4_UNICAST);
        case "ipv6" -> families.add(AddressFamily.IPV6_UNICAST);
        default -> error(f + ".families[" + i + "]", fams.get(i), "must be ipv4 or ipv6");
      }
    }
    if (p.password() != null && p.password().isEmpty()) {
      error(f + ".password", "", "must not be empty (omit it for no TCP MD5)");
    } else if (p.password() != null && p.password().length() > 80) {
      error(f + ".password", "(hidden)", "must be at most 80 characters (TCP MD5 key limit)");
    } else if (p.password() != null && !md5Available) {
      error(
          f + ".password",
          "(hidden)",
          "is not supported on this platform: TCP MD5 needs Linux epoll");
    }
    int ttl = 0;
    if (p.ttlSecurity() != null) {
      ttl = p.ttlSecurity();
      if (ttl < 1 || ttl > 255) {
        error(f + ".ttlSecurity", ttl, "must be a hop count 1..255");
        ttl = 0;
      } else if (!md5Available) {
        error(f + ".ttlSecurity", ttl, "is not supported on this platform: GTSM needs Linux epoll");
      }
    }
    boolean rrClient = Boolean.TRUE.equals(p.routeReflectorClient());
    if (rrClient && p.asNumber() != null && p.asNumber() != localAs) {
      error(
          f + ".routeReflectorClient",
          true,
          "needs an iBGP peer (asNumber " + p.asNumber() + " differs from ours, " + localAs + ")");
    }
    boolean enforceFirstAs = Boolean.TRUE.equals(p.enforceFirstAs());
    if (enforceFirstAs && p.asNumber() != null && p.asNumber() == localAs) {
      error(
          f + ".enforceFirstAs",
          true,
          "needs an eBGP peer (asNumber "
              + p.asNumber()
              + " is ours): RFC 4271 §6.3 checks the first AS of external peers only");
    }
    // An iBGP peer's routes are checked for our AS too (RFC 4271 §9.1.2, as BIRD and FRR do).
    int allowLocalAs = allowLocalAs(f + ".allowLocalAs", p.allowLocalAs());
    long maxPrefixes = 0;
    if (p.maxPrefixes() != null) {
      maxPrefixes = p.maxPrefixes();
      // The Cease that reports the limit carries it in four octets (RFC 4486 §4).
      if (maxPrefixes < 1 || maxPrefixes > 0xffffffffL) {
        error(
            f + ".maxPrefixes",
            maxPrefixes,
            "must be 1..4294967295 (prefixes per family; omit it for no limit)");
        maxPrefixes = 0;
      }
    }
    int gr = -1;
    if (p.gracefulRestart() != null) {
      gr = p.gracefulRestart();
      if (gr < 0 || gr > 4095) {
        error(f + ".gracefulRestart", gr, "must be a restart time of 0..4095 seconds");
        gr = -1;
      }
    }
    Inet6Address ipv6NextHop = ipv6NextHop(f + ".ipv6NextHop", p.ipv6NextHop());
    Inet4Address ipv4NextHop = ipv4NextHop(f + ".ipv4NextHop", p.ipv4NextHop());
    RoutePolicy importPolicy = policies.reference(f + ".import", p.importPolicy());
    RoutePolicy exportPolicy = policies.reference(f + ".export", p.exportPolicy());
    if (exportPolicy instanceof Policy named
        && p.asNumber() != null
        && p.asNumber() != localAs
        && named.statements().stream()
            .flatMap(st -> st.actions().stream())
            .anyMatch(a -> a instanceof Action.SetLocalPref)) {
      error(
          f + ".export",
          named.name(),
          "sets localPref, which is never sent to an eBGP peer (RFC 4271 §5.1.5); set MED or"
              + " communities instead");
    }
    if (errors.size() > before || remote == null || local == null || routerId == null) {
      return null;
    }
    Set<AddressFamily> addPath = Boolean.TRUE.equals(p.addPath()) ? Set.copyOf(families) : Set.of();
    PeerConfig config =
        PeerConfig.of(localAs == 0 ? 1 : localAs, routerId, remoteAs == 0 ? 1 : remoteAs)
            .withHoldTime(hold)
            .withFamilies(families)
            .withOptions(addPath, Set.of(), gr, false)
            .withEnforceFirstAs(enforceFirstAs)
            .withKeepaliveTime(keepalive)
            .withAllowLocalAs(allowLocalAs)
            .withMaxPrefixes(maxPrefixes);
    PeerSpec spec =
        new PeerSpec(
            new InetSocketAddress(remote, port),
            local,
            config,
            Boolean.TRUE.equals(p.passive()),
            p.password(),
            ttl);
    Neighbor n =
        Neighbor.of(spec)
            .withPolicies(importPolicy, exportPolicy)
            .withIpv6NextHop(ipv6NextHop)
            .withIpv4NextHop(ipv4NextHop);
    return rrClient ? n.asReflectorClient() : n;
  }

  private SpeakerPlan.Route route(String f, SpeakerConfig.Origination o) {
    int before = errors.size();
    Prefix prefix = values.prefix(f + ".prefix", o.prefix());
    InetAddress nextHop = null;
    if (o.nextHop() != null) {
      nextHop = ip(o.nextHop());
      if (nextHop == null) {
        error(f + ".nextHop", o.nextHop(), "must be an IP address");
      } else if (prefix != null && !prefix.ipv6() && !(nextHop instanceof Inet4Address)) {
        error(f + ".nextHop", o.nextHop(), "must be IPv4 for the IPv4 prefix " + prefix);
      } else if (prefix != null && prefix.ipv6()) {
        if (!(nextHop instanceof Inet6Address v6)) {
          error(f + ".nextHop", o.nextHop(), "must be IPv6 for the IPv6 prefix " + prefix);
        } else if (Ipv6NextHop.problem(v6) != null) {
          // The speaker sends it as the route's only (global) next hop (RFC 2545 §2).
          error(f + ".nextHop", o.nextHop(), Ipv6NextHop.problem(v6));
        }
      }
    }
    List<PathAttribute> attrs = new ArrayList<>();
    List<Integer> communities = new ArrayList<>();
    List<String> cs = o.communities() == null ? List.of() : o.communities();
    for (int i = 0; i < cs.size(); i++) {
      Integer c = values.community(f + ".communities[" + i + "]", cs.get(i));
      if (c != null) communities.add(c);
    }
    if (!communities.isEmpty()) attrs.add(new PathAttribute.Communities(communities));
    List<PathAttribute.LargeCommunity> large = new ArrayList<>();
    List<String> ls = o.largeCommunities() == null ? List.of() : o.largeCommunities();
    for (int i = 0; i < ls.size(); i++) {
      PathAttribute.LargeCommunity c =
          values.largeCommunity(f + ".largeCommunities[" + i + "]", ls.get(i));
      if (c != null) large.add(c);
    }
    if (!large.isEmpty()) attrs.add(new PathAttribute.LargeCommunities(large));
    return errors.size() > before ? null : new SpeakerPlan.Route(prefix, nextHop, attrs);
  }
}
