package dev.netctl.datastore.model;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks resources against netctl's rules (Calico's, where Calico has one) and reports every broken
 * rule as a {@link Violation} naming the field, the value and the rule.
 *
 * <p>Two levels: {@link #validate(Resource)} checks one object on its own; {@link
 * #validate(Resource, Resource, Collection)} adds the rules that need the stored state: IP pools
 * must not overlap other pools, and a pool's cidr and blockSize cannot change. The resource client
 * runs the second before every write.
 */
public final class Validator {

  static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  static final Pattern MAC = Pattern.compile("([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}");
  // BGP's keepalive and hold times are 16-bit seconds (RFC 4271 §4.2); an AS_PATH segment holds at
  // most 255 ASes (§4.3), so a larger allowance would mean "never a loop".
  private static final int MAX_KEEPALIVE_SECONDS = 65535;
  private static final int MAX_ALLOWED_LOCAL_AS = 255;
  private static final Pattern STANDARD_COMMUNITY = Pattern.compile("([0-9]+):([0-9]+)");
  private static final Pattern LARGE_COMMUNITY = Pattern.compile("([0-9]+):([0-9]+):([0-9]+)");
  private static final Set<String> LOG_SEVERITIES =
      Set.of("Debug", "Info", "Warning", "Error", "Fatal");
  private static final Cidr LINK_LOCAL_V4 = Cidr.parse("169.254.0.0/16");
  private static final Cidr LINK_LOCAL_V6 = Cidr.parse("fe80::/10");

  /**
   * Ranges no pod address may come from, each with the rule a pool overlapping it breaks. Calico's
   * validator names link-local only (above); multicast and loopback addresses cannot be assigned to
   * an interface at all (RFC 5771, RFC 4291 2.7; RFC 1122 3.2.1.3, RFC 4291 2.5.3), nor can
   * 0.0.0.0/8, so a pool over them would hand out addresses that never work.
   */
  private static final List<Map.Entry<Cidr, String>> UNUSABLE =
      List.of(
          Map.entry(
              Cidr.parse("224.0.0.0/4"),
              "must not overlap the multicast range 224.0.0.0/4 (no interface can take such an"
                  + " address)"),
          Map.entry(
              Cidr.parse("ff00::/8"),
              "must not overlap the multicast range ff00::/8 (no interface can take such an"
                  + " address)"),
          Map.entry(
              Cidr.parse("127.0.0.0/8"),
              "must not overlap the loopback range 127.0.0.0/8 (a host's own addresses)"),
          Map.entry(
              Cidr.parse("::1/128"),
              "must not overlap the loopback address ::1/128 (a host's own address)"),
          Map.entry(
              Cidr.parse("0.0.0.0/8"),
              "must not overlap 0.0.0.0/8 (\"this network\", never a host's address)"));

  private Validator() {}

  /**
   * Throws a {@link ValidationException} listing every violation of {@link #validate(Resource)}.
   */
  public static void check(Resource r) {
    throwIfAny(validate(r));
  }

  /**
   * Throws a {@link ValidationException} listing every violation of {@link #validate(Resource,
   * Resource, Collection)}.
   */
  public static void check(Resource r, Resource previous, Collection<? extends Resource> others) {
    throwIfAny(validate(r, previous, others));
  }

  /** Throws a {@link ValidationException} when {@code violations} is not empty. */
  public static void throwIfAny(List<Violation> violations) {
    if (!violations.isEmpty()) throw new ValidationException(violations);
  }

  /** The rules one object must satisfy on its own. */
  public static List<Violation> validate(Resource r) {
    ViolationCollector c = new ViolationCollector(r);
    c.metadata(r.kind(), r.metadata());
    switch (r) {
      case IPPool p -> ipPool(c, p.spec());
      case BGPPeer p -> bgpPeer(c, p.spec());
      case BGPFilter f -> BgpFilterValidation.filter(c, f.spec());
      case BGPConfiguration b -> bgpConfiguration(c, b);
      case FelixConfiguration f -> felixConfiguration(c, f);
      case Node n -> node(c, n.spec());
      case IPAMConfig i -> ipamConfig(c, i);
      case IPReservation res -> ipReservation(c, res.spec());
      case WorkloadEndpoint w -> workloadEndpoint(c, w.spec());
      case NetworkPolicy p -> PolicyValidation.calico(c, p.spec(), false);
      case GlobalNetworkPolicy p -> PolicyValidation.calico(c, p.spec(), true);
      case KubernetesNetworkPolicy p -> PolicyValidation.kubernetes(c, p.spec());
      case Profile p -> PolicyValidation.profile(c, p.spec());
      case Tier t -> PolicyValidation.tier(c, t);
    }
    return c.violations;
  }

  /**
   * The rules of {@link #validate(Resource)} plus those against stored state, and those a write
   * must satisfy that an object stored by an earlier version may not (a rule's nets of one IP
   * family).
   *
   * @param r the object about to be written
   * @param previous the stored object of the same kind and name, or null on create
   * @param others the other stored objects of the same kind (r's own stored version is skipped)
   */
  public static List<Violation> validate(
      Resource r, Resource previous, Collection<? extends Resource> others) {
    List<Violation> out = new ArrayList<>(validate(r));
    if (r instanceof IPPool pool) {
      ViolationCollector c = new ViolationCollector(r);
      poolAgainstStored(c, pool, (IPPool) previous, others);
      out.addAll(c.violations);
    }
    if (r.spec() instanceof NetworkPolicySpec s) {
      ViolationCollector c = new ViolationCollector(r);
      PolicyValidation.oneFamilyPerRule(c, s);
      out.addAll(c.violations);
    }
    return out;
  }

  // ------------------------------------------------------------------ IPPool

  private static void ipPool(ViolationCollector c, IPPoolSpec s) {
    Cidr cidr = c.cidr("spec.cidr", s.cidr(), true);
    if (cidr == null) return;
    if (!cidr.isMasked()) {
      c.add(
          "spec.cidr",
          s.cidr(),
          "must have all host bits zero (did you mean " + cidr.masked() + "?)");
    }
    int min = cidr.isIPv4() ? 20 : 116;
    int max = cidr.isIPv4() ? 32 : 128;
    String family = cidr.isIPv4() ? "IPv4" : "IPv6";
    if (s.blockSize() < min || s.blockSize() > max) {
      c.add(
          "spec.blockSize",
          s.blockSize(),
          "must be " + min + "-" + max + " for an " + family + " pool");
    } else if (s.blockSize() < cidr.prefixLength()) {
      c.add(
          "spec.blockSize",
          s.blockSize(),
          "must be at least the CIDR prefix length "
              + cidr.prefixLength()
              + " (a pool holds at least one block)");
    }
    if (s.ipipMode() != EncapsulationMode.NEVER && s.vxlanMode() != EncapsulationMode.NEVER) {
      c.add(
          "spec.vxlanMode",
          s.vxlanMode(),
          "must be Never when spec.ipipMode is " + s.ipipMode() + " (only one encapsulation)");
    }
    if (!cidr.isIPv4() && s.ipipMode() != EncapsulationMode.NEVER) {
      c.add("spec.ipipMode", s.ipipMode(), "must be Never for an IPv6 pool (IPIP is IPv4-only)");
    }
    Cidr linkLocal = cidr.isIPv4() ? LINK_LOCAL_V4 : LINK_LOCAL_V6;
    if (cidr.overlaps(linkLocal)) {
      c.add("spec.cidr", s.cidr(), "must not overlap the link-local range " + linkLocal);
    }
    for (Map.Entry<Cidr, String> unusable : UNUSABLE) {
      if (cidr.isIPv4() == unusable.getKey().isIPv4() && cidr.overlaps(unusable.getKey())) {
        c.add("spec.cidr", s.cidr(), unusable.getValue());
      }
    }
    c.selector("spec.nodeSelector", s.nodeSelector());
    Set<AllowedUse> seen = new HashSet<>();
    for (int i = 0; i < s.allowedUses().size(); i++) {
      AllowedUse u = s.allowedUses().get(i);
      if (u == null) {
        c.add("spec.allowedUses[" + i + "]", null, "must be one of Workload, Tunnel, LoadBalancer");
      } else if (!seen.add(u)) {
        c.add("spec.allowedUses[" + i + "]", u, "must not repeat an earlier use");
      }
    }
    if (seen.contains(AllowedUse.LOAD_BALANCER) && seen.size() > 1) {
      c.add("spec.allowedUses", s.allowedUses(), "must not combine LoadBalancer with other uses");
    }
  }

  private static void poolAgainstStored(
      ViolationCollector c, IPPool pool, IPPool previous, Collection<? extends Resource> others) {
    Cidr mine = parseOrNull(pool.spec().cidr());
    if (previous != null) {
      if (!Objects.equals(previous.spec().cidr(), pool.spec().cidr())) {
        c.add(
            "spec.cidr",
            pool.spec().cidr(),
            "cannot be changed (was " + previous.spec().cidr() + ")");
      }
      if (!Objects.equals(previous.spec().blockSize(), pool.spec().blockSize())) {
        c.add(
            "spec.blockSize",
            pool.spec().blockSize(),
            "cannot be changed (was " + previous.spec().blockSize() + ")");
      }
    }
    if (mine == null) return;
    for (Resource o : others) {
      if (!(o instanceof IPPool other) || other.name().equals(pool.name())) continue;
      Cidr theirs = parseOrNull(other.spec().cidr());
      if (theirs != null && mine.overlaps(theirs)) {
        c.add(
            "spec.cidr",
            pool.spec().cidr(),
            "must not overlap IPPool \"" + other.name() + "\" (" + other.spec().cidr() + ")");
      }
    }
  }

  // ------------------------------------------------------------------ BGPPeer

  private static void bgpPeer(ViolationCollector c, BGPPeerSpec s) {
    if (s.node() != null) c.dnsSubdomain("spec.node", s.node());
    if (s.node() != null && s.nodeSelector() != null) {
      c.add("spec.nodeSelector", s.nodeSelector(), "must be empty when spec.node is set");
    }
    if (s.nodeSelector() != null) c.selector("spec.nodeSelector", s.nodeSelector());
    if (s.peerSelector() != null) {
      c.selector("spec.peerSelector", s.peerSelector());
      if (s.peerIP() != null) {
        c.add("spec.peerIP", s.peerIP(), "must be empty when spec.peerSelector is set");
      }
      if (s.asNumber() != null) {
        c.add("spec.asNumber", s.asNumber(), "must be empty when spec.peerSelector is set");
      }
    } else {
      if (s.peerIP() == null) {
        c.add("spec.peerIP", null, "is required unless spec.peerSelector is set");
      } else {
        peerAddress(c, s.peerIP());
      }
      if (s.asNumber() == null) {
        c.add("spec.asNumber", null, "is required with spec.peerIP");
      }
    }
    if (s.asNumber() != null) c.asNumber("spec.asNumber", s.asNumber());
    password(c, "spec.password", s.password());
    if (s.keepOriginalNextHop() && s.nextHopMode() != null) {
      c.add(
          "spec.nextHopMode",
          s.nextHopMode(),
          "must be empty when spec.keepOriginalNextHop is set");
    }
    restartTime(c, "spec.maxRestartTime", s.maxRestartTime());
    if (s.keepaliveTime() != null) {
      Duration d = duration(s.keepaliveTime());
      if (d == null
          || d.getNano() != 0
          || d.getSeconds() < 1
          || d.getSeconds() > MAX_KEEPALIVE_SECONDS) {
        c.add(
            "spec.keepaliveTime",
            s.keepaliveTime(),
            "must be a duration of whole seconds from 1s to 65535s, such as 20s");
      }
    }
    if (s.numAllowedLocalASNumbers() != null
        && (s.numAllowedLocalASNumbers() < 0
            || s.numAllowedLocalASNumbers() > MAX_ALLOWED_LOCAL_AS)) {
      // 0 is Calico's default written out (its CRD sets no minimum): no allowance.
      c.add(
          "spec.numAllowedLocalASNumbers",
          s.numAllowedLocalASNumbers(),
          "must be 0-255 (how often the cluster's AS may appear in a received AS_PATH; 0: never)");
    }
    if (s.ttlSecurity() != null && (s.ttlSecurity() < 0 || s.ttlSecurity() > 255)) {
      c.add("spec.ttlSecurity", s.ttlSecurity(), "must be 0-255 (hops)");
    }
    for (int i = 0; i < s.filters().size(); i++) {
      c.dnsSubdomain("spec.filters[" + i + "]", s.filters().get(i));
    }
  }

  private static void password(ViolationCollector c, String field, BGPPassword password) {
    if (password == null) return;
    SecretKeySelector ref = password.secretKeyRef();
    if (ref == null) {
      c.add(field + ".secretKeyRef", null, "is required when " + field + " is set");
      return;
    }
    if (ref.name() == null || ref.name().isEmpty()) {
      c.add(field + ".secretKeyRef.name", ref.name(), "is required");
    } else {
      c.dnsSubdomain(field + ".secretKeyRef.name", ref.name());
    }
    if (ref.key() == null || ref.key().isEmpty()) {
      c.add(field + ".secretKeyRef.key", ref.key(), "is required");
    }
  }

  private static void restartTime(ViolationCollector c, String field, String value) {
    if (value != null && duration(value) == null) {
      c.add(field, value, "must be a duration such as 120s or 2m30s");
    }
  }

  /** The parsed Go duration, or null when {@code text} is none. */
  private static Duration duration(String text) {
    try {
      return GoDuration.parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static void peerAddress(ViolationCollector c, String peerIP) {
    String rule = "must be an IP address, optionally with a port 1-65535 (IP:port or [IPv6]:port)";
    try {
      PeerAddress.parse(peerIP);
    } catch (IllegalArgumentException e) {
      c.add("spec.peerIP", peerIP, Cidr.ipv4Mapped(peerIP) ? Cidr.NO_IPV4_MAPPED : rule);
    }
  }

  // --------------------------------------------------------- BGPConfiguration

  private static void bgpConfiguration(ViolationCollector c, BGPConfiguration b) {
    BGPConfigurationSpec s = b.spec();
    String name = b.name();
    boolean perNode = name != null && name.startsWith(BGPConfiguration.NODE_PREFIX);
    if (name != null && !name.equals(BGPConfiguration.DEFAULT_NAME) && !perNode) {
      c.add("metadata.name", name, "must be 'default' or 'node.<nodename>'");
    }
    if (perNode) {
      if (s.nodeToNodeMeshEnabled() != null) {
        c.add(
            "spec.nodeToNodeMeshEnabled",
            s.nodeToNodeMeshEnabled(),
            "may only be set in the 'default' BGPConfiguration");
      }
      if (s.asNumber() != null) {
        c.add("spec.asNumber", s.asNumber(), "may only be set in the 'default' BGPConfiguration");
      }
      if (s.nodeMeshPassword() != null) {
        c.add(
            "spec.nodeMeshPassword",
            "(secret reference)",
            "may only be set in the 'default' BGPConfiguration");
      }
      if (s.nodeMeshMaxRestartTime() != null) {
        c.add(
            "spec.nodeMeshMaxRestartTime",
            s.nodeMeshMaxRestartTime(),
            "may only be set in the 'default' BGPConfiguration");
      }
    }
    password(c, "spec.nodeMeshPassword", s.nodeMeshPassword());
    // Settings of mesh sessions that are switched off would sit there unused; Calico refuses them.
    if (Boolean.FALSE.equals(s.nodeToNodeMeshEnabled())) {
      if (s.nodeMeshPassword() != null) {
        c.add(
            "spec.nodeMeshPassword",
            "(secret reference)",
            "needs the node-to-node mesh: spec.nodeToNodeMeshEnabled is false");
      }
      if (s.nodeMeshMaxRestartTime() != null) {
        c.add(
            "spec.nodeMeshMaxRestartTime",
            s.nodeMeshMaxRestartTime(),
            "needs the node-to-node mesh: spec.nodeToNodeMeshEnabled is false");
      }
    }
    if (s.bindMode() != null && !s.bindMode().equals(BGPConfigurationSpec.BIND_MODE_NODE_IP)) {
      c.add(
          "spec.bindMode",
          s.bindMode(),
          "must be NodeIP: netctl's BGP listens on the node's addresses only (Calico's None, every"
              + " address, is not offered)");
    }
    restartTime(c, "spec.nodeMeshMaxRestartTime", s.nodeMeshMaxRestartTime());
    if (s.asNumber() != null) c.asNumber("spec.asNumber", s.asNumber());
    if (s.listenPort() != null && (s.listenPort() < 1 || s.listenPort() > 65535)) {
      c.add("spec.listenPort", s.listenPort(), "must be 1-65535");
    }
    if (s.logSeverityScreen() != null && !LOG_SEVERITIES.contains(s.logSeverityScreen())) {
      c.add(
          "spec.logSeverityScreen",
          s.logSeverityScreen(),
          "must be one of Debug, Info, Warning, Error, Fatal");
    }
    serviceBlocks(c, "spec.serviceClusterIPs", s.serviceClusterIPs());
    for (int i = 0; i < s.routeReflectorClientRanges().size(); i++) {
      String f = "spec.routeReflectorClientRanges[" + i + "]";
      BGPConfigurationSpec.ReflectorClientRange r = s.routeReflectorClientRanges().get(i);
      if (r == null) {
        c.add(f, null, "must be a range {cidr, limit}");
        continue;
      }
      Cidr cidr = c.cidr(f + ".cidr", r.cidr(), true);
      if (cidr != null && !cidr.isMasked()) {
        c.add(
            f + ".cidr",
            r.cidr(),
            "must have all host bits zero (did you mean " + cidr.masked() + "?)");
      }
      if (r.limit() != null && (r.limit() < 1 || r.limit() > 100_000)) {
        c.add(f + ".limit", r.limit(), "must be 1-100000 (clients at once)");
      }
    }
    serviceBlocks(c, "spec.serviceExternalIPs", s.serviceExternalIPs());
    serviceBlocks(c, "spec.serviceLoadBalancerIPs", s.serviceLoadBalancerIPs());
    Set<String> communityNames = new HashSet<>();
    for (int i = 0; i < s.communities().size(); i++) {
      Community com = s.communities().get(i);
      String f = "spec.communities[" + i + "]";
      if (com.name() == null || !DNS_LABEL.matcher(com.name()).matches()) {
        c.add(f + ".name", com.name(), "must be a lower-case DNS-1123 label");
      } else if (!communityNames.add(com.name())) {
        c.add(f + ".name", com.name(), "must not repeat an earlier community name");
      }
      if (!isCommunity(com.value())) {
        c.add(f + ".value", com.value(), "must be a community aa:nn or a large community aa:nn:mm");
      }
    }
    for (int i = 0; i < s.prefixAdvertisements().size(); i++) {
      PrefixAdvertisement pa = s.prefixAdvertisements().get(i);
      String f = "spec.prefixAdvertisements[" + i + "]";
      c.cidr(f + ".cidr", pa.cidr(), true);
      for (int j = 0; j < pa.communities().size(); j++) {
        String com = pa.communities().get(j);
        if (!communityNames.contains(com) && !isCommunity(com)) {
          c.add(
              f + ".communities[" + j + "]",
              com,
              "must name a community in spec.communities or be a community value aa:nn[:mm]");
        }
      }
    }
  }

  /**
   * Calico validates the three service lists alike (its {@code net} rule): a network with all host
   * bits zero, or a single address meaning /32 or /128.
   */
  private static void serviceBlocks(
      ViolationCollector c, String field, List<ServiceIPBlock> blocks) {
    for (int i = 0; i < blocks.size(); i++) {
      String f = field + "[" + i + "].cidr";
      String value = blocks.get(i).cidr();
      if (value == null || value.isEmpty()) {
        c.add(f, value, "is required");
        continue;
      }
      Cidr cidr;
      try {
        cidr = Cidr.parseAddressOrCidr(value);
      } catch (IllegalArgumentException e) {
        c.add(f, value, "must be a CIDR such as 10.96.0.0/12 or fd00:10:96::/112, or one address");
        continue;
      }
      if (!cidr.isMasked()) {
        c.add(f, value, "must have all host bits zero (did you mean " + cidr.masked() + "?)");
      }
    }
  }

  private static boolean isCommunity(String v) {
    if (v == null) return false;
    var std = STANDARD_COMMUNITY.matcher(v);
    if (std.matches()) return fits(std.group(1), 65535) && fits(std.group(2), 65535);
    var large = LARGE_COMMUNITY.matcher(v);
    return large.matches()
        && fits(large.group(1), AsNumber.MAX)
        && fits(large.group(2), AsNumber.MAX)
        && fits(large.group(3), AsNumber.MAX);
  }

  private static boolean fits(String digits, long max) {
    return digits.length() <= 10 && Long.parseLong(digits) <= max;
  }

  // -------------------------------------------------------------------- Node

  private static void node(ViolationCollector c, NodeSpec s) {
    NodeBGPSpec bgp = s.bgp();
    if (bgp != null) {
      c.addressOrCidr("spec.bgp.ipv4Address", bgp.ipv4Address(), true);
      c.addressOrCidr("spec.bgp.ipv6Address", bgp.ipv6Address(), false);
      if (bgp.asNumber() != null) c.asNumber("spec.bgp.asNumber", bgp.asNumber());
      if (bgp.routeReflectorClusterID() != null) {
        try {
          if (!(Cidr.parseAddress(bgp.routeReflectorClusterID()) instanceof Inet4Address)) {
            throw new IllegalArgumentException();
          }
        } catch (IllegalArgumentException e) {
          c.add(
              "spec.bgp.routeReflectorClusterID",
              bgp.routeReflectorClusterID(),
              "must be a dotted-quad cluster ID such as 224.0.0.1");
        }
      }
    }
    c.address("spec.ipv4VXLANTunnelAddr", s.ipv4VXLANTunnelAddr(), true);
    c.address("spec.ipv6VXLANTunnelAddr", s.ipv6VXLANTunnelAddr(), false);
    c.mac("spec.vxlanTunnelMACAddr", s.vxlanTunnelMACAddr());
    c.mac("spec.vxlanTunnelMACAddrV6", s.vxlanTunnelMACAddrV6());
  }

  // ------------------------------------------------------ FelixConfiguration

  /**
   * Felix's own bounds where netctl's agent has the same setting: a 24-bit VNI, a UDP port, an MTU
   * a Linux link takes for the family it carries (IPv6 needs 1280, RFC 8200 §5), a duration of at
   * least a second (the agent's resync loop counts in seconds).
   */
  private static void felixConfiguration(ViolationCollector c, FelixConfiguration f) {
    FelixConfigurationSpec s = f.spec();
    String name = f.name();
    if (name != null
        && !name.equals(FelixConfiguration.DEFAULT_NAME)
        && !(name.startsWith(FelixConfiguration.NODE_PREFIX)
            && isDnsSubdomain(name.substring(FelixConfiguration.NODE_PREFIX.length())))) {
      c.add("metadata.name", name, "must be 'default' or 'node.<nodename>'");
    }
    range(c, "spec.vxlanVNI", s.vxlanVNI(), 0, 16_777_215, "0-16777215 (24 bits)");
    range(c, "spec.vxlanPort", s.vxlanPort(), 1, 65_535, "1-65535");
    // 0, as in Felix, derives the MTU from the parent interface's.
    mtu(c, "spec.vxlanMTU", s.vxlanMTU(), 68, "0 (derived) or 68-65535");
    mtu(c, "spec.vxlanMTUV6", s.vxlanMTUV6(), 1280, "0 (derived) or 1280-65535 (IPv6's minimum)");
    mtu(c, "spec.ipipMTU", s.ipipMTU(), 68, "0 (derived) or 68-65535");
    range(c, "spec.healthPort", s.healthPort(), 0, 65_535, "0-65535 (0 = off)");
    if (s.healthHost() != null && s.healthHost().isBlank()) {
      c.add("spec.healthHost", s.healthHost(), "must be an address or host name, not empty");
    }
    if (s.routeRefreshInterval() != null) {
      try {
        if (GoDuration.parse(s.routeRefreshInterval()).compareTo(java.time.Duration.ofSeconds(1))
            < 0) {
          c.add(
              "spec.routeRefreshInterval",
              s.routeRefreshInterval(),
              "must be at least 1s (netctl's agent always re-reads the kernel; 0 does not turn that"
                  + " off)");
        }
      } catch (IllegalArgumentException e) {
        c.add(
            "spec.routeRefreshInterval",
            s.routeRefreshInterval(),
            "must be a Go duration such as 90s, 2m or 1m30s");
      }
    }
  }

  private static void range(
      ViolationCollector c, String field, Integer value, int min, int max, String rule) {
    if (value != null && (value < min || value > max)) c.add(field, value, "must be " + rule);
  }

  private static void mtu(ViolationCollector c, String field, Integer value, int min, String rule) {
    if (value != null && value != 0) range(c, field, value, min, 65_535, rule);
  }

  // -------------------------------------------------------------- IPAMConfig

  private static void ipamConfig(ViolationCollector c, IPAMConfig i) {
    if (i.name() != null && !i.name().equals(IPAMConfig.DEFAULT_NAME)) {
      c.add("metadata.name", i.name(), "must be 'default' (there is only one IPAMConfig)");
    }
    if (i.spec().maxBlocksPerHost() < 0) {
      c.add("spec.maxBlocksPerHost", i.spec().maxBlocksPerHost(), "must be 0 (unlimited) or more");
    }
  }

  // ----------------------------------------------------------- IPReservation

  private static void ipReservation(ViolationCollector c, IPReservationSpec s) {
    for (int i = 0; i < s.reservedCIDRs().size(); i++) {
      String f = "spec.reservedCIDRs[" + i + "]";
      String v = s.reservedCIDRs().get(i);
      Cidr cidr;
      try {
        cidr = Cidr.parseAddressOrCidr(v);
      } catch (IllegalArgumentException e) {
        c.add(f, v, "must be an IPv4 or IPv6 address or CIDR, such as 10.0.2.3 or fd00::/123");
        continue;
      }
      // 10.0.0.5/24 could mean the one address or the whole /24: say which rather than guess.
      if (!cidr.isMasked()) {
        c.add(
            f,
            v,
            "must have all host bits zero (did you mean "
                + cidr.masked()
                + " or the single address "
                + Cidr.format(cidr.address())
                + "?)");
      }
    }
  }

  // -------------------------------------------------------- WorkloadEndpoint

  private static void workloadEndpoint(ViolationCollector c, WorkloadEndpointSpec s) {
    if (s.node() == null || s.node().isEmpty()) {
      c.add("spec.node", s.node(), "is required: the node the endpoint lives on");
    } else {
      c.dnsSubdomain("spec.node", s.node());
    }
    for (int i = 0; i < s.ipNetworks().size(); i++) {
      String f = "spec.ipNetworks[" + i + "]";
      Cidr net = c.cidr(f, s.ipNetworks().get(i), true);
      if (net != null && net.prefixLength() != (net.isIPv4() ? 32 : 128)) {
        c.add(f, s.ipNetworks().get(i), "must be a single address (/32 or /128)");
      }
    }
    c.address("spec.ipv4Gateway", s.ipv4Gateway(), true);
    c.address("spec.ipv6Gateway", s.ipv6Gateway(), false);
    c.mac("spec.mac", s.mac());
    String ifname = s.interfaceName();
    if (ifname != null && (ifname.isEmpty() || ifname.length() > 15 || ifname.contains("/"))) {
      c.add("spec.interfaceName", ifname, "must be a Linux interface name of 1-15 characters");
    }
    for (int i = 0; i < s.ports().size(); i++) {
      var p = s.ports().get(i);
      String f = "spec.ports[" + i + "]";
      if (p.port() < 1 || p.port() > 65535) c.add(f + ".port", p.port(), "must be 1-65535");
      if (p.protocol() != null && !PORT_PROTOCOLS.contains(p.protocol().toUpperCase(Locale.ROOT))) {
        c.add(f + ".protocol", p.protocol(), "must be TCP, UDP or SCTP");
      }
    }
  }

  private static final Set<String> PORT_PROTOCOLS = Set.of("TCP", "UDP", "SCTP");

  // ------------------------------------------------------------------ shared

  private static Cidr parseOrNull(String text) {
    try {
      return text == null ? null : Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** True for a DNS-1123 subdomain (Kubernetes object names). */
  public static boolean isDnsSubdomain(String s) {
    if (s == null || s.isEmpty() || s.length() > 253) return false;
    for (String label : s.split("\\.", -1)) {
      if (!DNS_LABEL.matcher(label).matches()) return false;
    }
    return true;
  }

  /** True for a Kubernetes qualified name such as {@code app} or {@code example.com/role}. */
  public static boolean isQualifiedName(String s) {
    if (s == null) return false;
    int slash = s.indexOf('/');
    String name = s;
    if (slash >= 0) {
      if (!isDnsSubdomain(s.substring(0, slash))) return false;
      name = s.substring(slash + 1);
    }
    return !name.isEmpty() && name.length() <= 63 && LABEL_NAME.matcher(name).matches();
  }
}
