package dev.netctl.datastore.model;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * Everything netctl knows about one resource kind: its name, plural and the short names users type,
 * its record types, the datastore kind it is stored under, and its table columns.
 *
 * <p>A typed constant per kind ({@link #IP_POOL}...) lets callers write {@code
 * client.get(Kind.IP_POOL, "default-pool")} and get an {@link IPPool} back.
 *
 * @param <R> the resource record type
 */
public final class Kind<R extends Resource> {

  /** IP pools: {@code ippool}, {@code ippools}, {@code pool}, {@code pools}. */
  public static final Kind<IPPool> IP_POOL =
      new Kind<>(
          "IPPool",
          "ippools",
          Set.of("ippool", "ippools", "ipp", "ipps", "pool", "pools"),
          Set.of(),
          IPPool.class,
          IPPoolSpec.class,
          (m, s) -> new IPPool(m, (IPPoolSpec) s),
          List.of(
              new Column<>("NAME", IPPool::name),
              new Column<>("CIDR", p -> p.spec().cidr()),
              new Column<>("SELECTOR", p -> p.spec().nodeSelector())),
          List.of(
              new Column<>("NAME", IPPool::name),
              new Column<>("CIDR", p -> p.spec().cidr()),
              new Column<>("NAT", p -> String.valueOf(p.spec().natOutgoing())),
              new Column<>("IPIPMODE", p -> String.valueOf(p.spec().ipipMode())),
              new Column<>("VXLANMODE", p -> String.valueOf(p.spec().vxlanMode())),
              new Column<>("DISABLED", p -> String.valueOf(p.spec().disabled())),
              new Column<>("DISABLEBGPEXPORT", p -> String.valueOf(p.spec().disableBGPExport())),
              new Column<>("SELECTOR", p -> p.spec().nodeSelector())));

  /** BGP peers: {@code bgppeer}, {@code bgppeers}, {@code peer}, {@code peers}. */
  public static final Kind<BGPPeer> BGP_PEER =
      new Kind<>(
          "BGPPeer",
          "bgppeers",
          Set.of("bgppeer", "bgppeers", "bgpp", "bgpps", "bp", "bps", "peer", "peers"),
          Set.of(),
          BGPPeer.class,
          BGPPeerSpec.class,
          (m, s) -> new BGPPeer(m, (BGPPeerSpec) s),
          List.of(
              new Column<>("NAME", BGPPeer::name),
              new Column<>("PEERIP", p -> orEmpty(p.spec().peerIP())),
              new Column<>("NODE", Kind::peerNodes),
              new Column<>("ASN", p -> asn(p.spec().asNumber()))),
          List.of(
              new Column<>("NAME", BGPPeer::name),
              new Column<>("PEERIP", p -> orEmpty(p.spec().peerIP())),
              new Column<>("NODE", Kind::peerNodes),
              new Column<>("ASN", p -> asn(p.spec().asNumber())),
              new Column<>("PEERSELECTOR", p -> orEmpty(p.spec().peerSelector())),
              new Column<>("SOURCEADDRESS", p -> String.valueOf(p.spec().effectiveSourceAddress())),
              new Column<>(
                  "TTLSECURITY",
                  p -> p.spec().ttlSecurity() == null ? "" : p.spec().ttlSecurity().toString())));

  /** BGP route filters: {@code bgpfilter}, {@code bgpfilters}, {@code filter}, {@code filters}. */
  public static final Kind<BGPFilter> BGP_FILTER =
      new Kind<>(
          "BGPFilter",
          "bgpfilters",
          Set.of("bgpfilter", "bgpfilters", "filter", "filters"),
          Set.of(),
          BGPFilter.class,
          BGPFilterSpec.class,
          (m, s) -> new BGPFilter(m, (BGPFilterSpec) s),
          List.of(new Column<>("NAME", BGPFilter::name)),
          List.of(
              new Column<>("NAME", BGPFilter::name),
              new Column<>("EXPORTV4", f -> str(f.spec().exportV4().size())),
              new Column<>("IMPORTV4", f -> str(f.spec().importV4().size())),
              new Column<>("EXPORTV6", f -> str(f.spec().exportV6().size())),
              new Column<>("IMPORTV6", f -> str(f.spec().importV6().size()))));

  /** BGP configuration: {@code bgpconfig(s)}, {@code bgpconfiguration(s)}. */
  public static final Kind<BGPConfiguration> BGP_CONFIGURATION =
      new Kind<>(
          "BGPConfiguration",
          "bgpconfigurations",
          Set.of("bgpconfig", "bgpconfigs", "bgpconfiguration", "bgpconfigurations"),
          Set.of(),
          BGPConfiguration.class,
          BGPConfigurationSpec.class,
          (m, s) -> new BGPConfiguration(m, (BGPConfigurationSpec) s),
          List.of(
              new Column<>("NAME", BGPConfiguration::name),
              new Column<>("LOGSEVERITY", c -> orEmpty(c.spec().logSeverityScreen())),
              new Column<>("MESHENABLED", c -> str(c.spec().nodeToNodeMeshEnabled())),
              new Column<>("ASNUMBER", c -> asn(c.spec().asNumber()))),
          List.of(
              new Column<>("NAME", BGPConfiguration::name),
              new Column<>("LOGSEVERITY", c -> orEmpty(c.spec().logSeverityScreen())),
              new Column<>("MESHENABLED", c -> str(c.spec().nodeToNodeMeshEnabled())),
              new Column<>("ASNUMBER", c -> asn(c.spec().asNumber())),
              new Column<>("LISTENPORT", c -> str(c.spec().listenPort())),
              new Column<>(
                  "SERVICECLUSTERIPS",
                  c ->
                      c.spec().serviceClusterIPs().stream()
                          .map(ServiceIPBlock::cidr)
                          .collect(Collectors.joining(",")))));

  /**
   * The node agent's settings (Calico {@code FelixConfiguration}): {@code felixconfiguration(s)},
   * {@code felixconfig(s)}, calicoctl's names.
   */
  public static final Kind<FelixConfiguration> FELIX_CONFIGURATION =
      new Kind<>(
          "FelixConfiguration",
          "felixconfigurations",
          Set.of("felixconfiguration", "felixconfigurations", "felixconfig", "felixconfigs"),
          Set.of(),
          FelixConfiguration.class,
          FelixConfigurationSpec.class,
          (m, s) -> new FelixConfiguration(m, (FelixConfigurationSpec) s),
          List.of(new Column<>("NAME", FelixConfiguration::name)),
          List.of(
              new Column<>("NAME", FelixConfiguration::name),
              new Column<>("VXLANVNI", c -> str(c.spec().vxlanVNI())),
              new Column<>("VXLANPORT", c -> str(c.spec().vxlanPort())),
              new Column<>("VXLANMTU", c -> str(c.spec().vxlanMTU())),
              new Column<>("IPIPMTU", c -> str(c.spec().ipipMTU())),
              new Column<>("HEALTHPORT", c -> str(c.spec().healthPort())),
              new Column<>("ROUTEREFRESHINTERVAL", c -> orEmpty(c.spec().routeRefreshInterval()))));

  /** Nodes: {@code node}, {@code nodes}, {@code no}. */
  public static final Kind<Node> NODE =
      new Kind<>(
          "Node",
          "nodes",
          Set.of("node", "nodes", "no", "nos"),
          Set.of(),
          Node.class,
          NodeSpec.class,
          (m, s) -> new Node(m, (NodeSpec) s),
          List.of(new Column<>("NAME", Node::name)),
          List.of(
              new Column<>("NAME", Node::name),
              new Column<>(
                  "ASN", n -> n.spec().bgp() == null ? "" : asn(n.spec().bgp().asNumber())),
              new Column<>(
                  "IPV4", n -> n.spec().bgp() == null ? "" : orEmpty(n.spec().bgp().ipv4Address())),
              new Column<>(
                  "IPV6",
                  n -> n.spec().bgp() == null ? "" : orEmpty(n.spec().bgp().ipv6Address()))));

  /**
   * The IPAM configuration: {@code ipamconfig(s)}, {@code ipamconfiguration(s)}. Calico calls the
   * kind {@code IPAMConfiguration}; manifests using that name are accepted.
   */
  public static final Kind<IPAMConfig> IPAM_CONFIG =
      new Kind<>(
          "IPAMConfig",
          "ipamconfigs",
          Set.of("ipamconfig", "ipamconfigs", "ipamconfiguration", "ipamconfigurations"),
          Set.of("IPAMConfiguration"),
          IPAMConfig.class,
          IPAMConfigSpec.class,
          (m, s) -> new IPAMConfig(m, (IPAMConfigSpec) s),
          List.of(
              new Column<>("NAME", IPAMConfig::name),
              new Column<>("STRICTAFFINITY", c -> str(c.spec().strictAffinity())),
              new Column<>("MAXBLOCKSPERHOST", c -> str(c.spec().maxBlocksPerHost()))),
          List.of(
              new Column<>("NAME", IPAMConfig::name),
              new Column<>("STRICTAFFINITY", c -> str(c.spec().strictAffinity())),
              new Column<>("AUTOALLOCATEBLOCKS", c -> str(c.spec().autoAllocateBlocks())),
              new Column<>("MAXBLOCKSPERHOST", c -> str(c.spec().maxBlocksPerHost()))));

  /**
   * IP reservations: {@code ipreservation(s)}, {@code reservation(s)}, as calicoctl names them. The
   * wide view lists the reserved ranges.
   */
  public static final Kind<IPReservation> IP_RESERVATION =
      new Kind<>(
          "IPReservation",
          "ipreservations",
          Set.of("ipreservation", "ipreservations", "reservation", "reservations"),
          Set.of(),
          IPReservation.class,
          IPReservationSpec.class,
          (m, s) -> new IPReservation(m, (IPReservationSpec) s),
          List.of(new Column<>("NAME", IPReservation::name)),
          List.of(
              new Column<>("NAME", IPReservation::name),
              new Column<>("CIDRS", r -> String.join(",", r.spec().reservedCIDRs()))));

  /**
   * Workload endpoints (namespaced): {@code workloadendpoint(s)}, {@code wep(s)}. The wide view
   * shows what the node agent programs for each.
   */
  public static final Kind<WorkloadEndpoint> WORKLOAD_ENDPOINT =
      new Kind<>(
          "WorkloadEndpoint",
          "workloadendpoints",
          Set.of("workloadendpoint", "workloadendpoints", "wep", "weps"),
          Set.of(),
          WorkloadEndpoint.class,
          WorkloadEndpointSpec.class,
          (m, s) -> new WorkloadEndpoint(m, (WorkloadEndpointSpec) s),
          List.of(
              new Column<>("NAMESPACE", w -> orEmpty(w.metadata().namespace())),
              new Column<>("NAME", WorkloadEndpoint::name),
              new Column<>("NODE", w -> orEmpty(w.spec().node())),
              new Column<>("NETWORKS", w -> String.join(",", w.spec().ipNetworks())),
              new Column<>("INTERFACE", w -> orEmpty(w.spec().interfaceName()))),
          List.of(
              new Column<>("NAMESPACE", w -> orEmpty(w.metadata().namespace())),
              new Column<>("NAME", WorkloadEndpoint::name),
              new Column<>("WORKLOAD", w -> orEmpty(w.spec().pod())),
              new Column<>("NODE", w -> orEmpty(w.spec().node())),
              new Column<>("NETWORKS", w -> String.join(",", w.spec().ipNetworks())),
              new Column<>("INTERFACE", w -> orEmpty(w.spec().interfaceName())),
              new Column<>("PROFILES", w -> String.join(",", w.spec().profiles()))),
          true);

  /** Calico network policies (namespaced): {@code networkpolicy}, {@code policy}, {@code np}... */
  public static final Kind<NetworkPolicy> NETWORK_POLICY =
      new Kind<>(
          "NetworkPolicy",
          "networkpolicies",
          Set.of("networkpolicy", "networkpolicies", "policy", "policies", "np", "pol", "pols"),
          Set.of(),
          NetworkPolicy.class,
          NetworkPolicySpec.class,
          (m, s) -> new NetworkPolicy(m, (NetworkPolicySpec) s),
          PolicyColumns.calico(true, false),
          PolicyColumns.calico(true, true),
          true);

  /** Calico global network policies: {@code globalnetworkpolicy}, {@code gnp}... */
  public static final Kind<GlobalNetworkPolicy> GLOBAL_NETWORK_POLICY =
      new Kind<>(
          "GlobalNetworkPolicy",
          "globalnetworkpolicies",
          Set.of("globalnetworkpolicy", "globalnetworkpolicies", "gnp", "gnps", "globalpolicy"),
          Set.of(),
          GlobalNetworkPolicy.class,
          NetworkPolicySpec.class,
          (m, s) -> new GlobalNetworkPolicy(m, (NetworkPolicySpec) s),
          PolicyColumns.calico(false, false),
          PolicyColumns.calico(false, true));

  /**
   * Kubernetes {@code networking.k8s.io/v1} network policies (namespaced), written {@code kind:
   * NetworkPolicy} in manifests: {@code netpol}, {@code networkpolicy.networking.k8s.io}...
   */
  public static final Kind<KubernetesNetworkPolicy> KUBERNETES_NETWORK_POLICY =
      new Kind<>(
          "KubernetesNetworkPolicy",
          "kubernetesnetworkpolicies",
          Set.of(
              "kubernetesnetworkpolicy",
              "kubernetesnetworkpolicies",
              "netpol",
              "netpols",
              "networkpolicy.networking.k8s.io",
              "networkpolicies.networking.k8s.io"),
          Set.of(),
          KubernetesNetworkPolicy.class,
          KubernetesNetworkPolicySpec.class,
          (m, s) -> new KubernetesNetworkPolicy(m, (KubernetesNetworkPolicySpec) s),
          PolicyColumns.kubernetes(),
          PolicyColumns.kubernetes(),
          true);

  /** Calico profiles ({@code kns.<namespace>} carries a namespace's labels): {@code profile}. */
  public static final Kind<Profile> PROFILE =
      new Kind<>(
          "Profile",
          "profiles",
          Set.of("profile", "profiles", "pro", "pros"),
          Set.of(),
          Profile.class,
          ProfileSpec.class,
          (m, s) -> new Profile(m, (ProfileSpec) s),
          List.of(new Column<>("NAME", Profile::name)),
          List.of(
              new Column<>("NAME", Profile::name),
              new Column<>("LABELSTOAPPLY", p -> PolicyColumns.labels(p.spec().labelsToApply()))));

  /** Calico policy tiers: {@code tier}, {@code tiers}. */
  public static final Kind<Tier> TIER =
      new Kind<>(
          "Tier",
          "tiers",
          Set.of("tier", "tiers"),
          Set.of(),
          Tier.class,
          Tier.Spec.class,
          (m, s) -> new Tier(m, (Tier.Spec) s),
          List.of(
              new Column<>("NAME", Tier::name), new Column<>("ORDER", t -> str(t.spec().order()))),
          List.of(
              new Column<>("NAME", Tier::name), new Column<>("ORDER", t -> str(t.spec().order()))));

  private static final List<Kind<?>> ALL =
      List.of(
          IP_POOL,
          BGP_PEER,
          BGP_FILTER,
          BGP_CONFIGURATION,
          FELIX_CONFIGURATION,
          NODE,
          IPAM_CONFIG,
          IP_RESERVATION,
          WORKLOAD_ENDPOINT,
          TIER,
          GLOBAL_NETWORK_POLICY,
          NETWORK_POLICY,
          KUBERNETES_NETWORK_POLICY,
          PROFILE);

  private static final Map<String, Kind<?>> BY_LOWER_NAME = index();

  private final String name;
  private final String plural;
  private final Set<String> shortNames;
  private final Set<String> otherKindNames;
  private final Class<R> type;
  private final Class<? extends Record> specType;
  private final BiFunction<ObjectMeta, Record, R> factory;
  private final List<Column<R>> columns;
  private final List<Column<R>> wideColumns;
  private final boolean namespaced;

  private Kind(
      String name,
      String plural,
      Set<String> shortNames,
      Set<String> otherKindNames,
      Class<R> type,
      Class<? extends Record> specType,
      BiFunction<ObjectMeta, Record, R> factory,
      List<Column<R>> columns,
      List<Column<R>> wideColumns) {
    this(
        name,
        plural,
        shortNames,
        otherKindNames,
        type,
        specType,
        factory,
        columns,
        wideColumns,
        false);
  }

  private Kind(
      String name,
      String plural,
      Set<String> shortNames,
      Set<String> otherKindNames,
      Class<R> type,
      Class<? extends Record> specType,
      BiFunction<ObjectMeta, Record, R> factory,
      List<Column<R>> columns,
      List<Column<R>> wideColumns,
      boolean namespaced) {
    this.name = name;
    this.plural = plural;
    this.shortNames = shortNames;
    this.otherKindNames = otherKindNames;
    this.type = type;
    this.specType = specType;
    this.factory = factory;
    this.columns = columns;
    this.wideColumns = wideColumns;
    this.namespaced = namespaced;
  }

  /** The namespace an object of a namespaced kind gets when its manifest names none. */
  public static final String DEFAULT_NAMESPACE = "default";

  /**
   * Whether objects of this kind live in a Kubernetes namespace; their datastore name is then
   * {@code namespace/name} ({@link Resource#storageName()}).
   */
  public boolean namespaced() {
    return namespaced;
  }

  /** Every kind, in the order {@code netctl get all} would print them. */
  public static List<Kind<?>> all() {
    return ALL;
  }

  /**
   * Looks up a kind by what a user typed on the command line or wrote as {@code kind:}: the kind
   * name ({@code IPPool}), its plural, a short name ({@code pool}) or Calico's kind name; case does
   * not matter.
   */
  public static Optional<Kind<?>> lookup(String nameOrAlias) {
    return Optional.ofNullable(BY_LOWER_NAME.get(nameOrAlias.toLowerCase(Locale.ROOT)));
  }

  /** The kind name as written in {@code kind:}, e.g. {@code IPPool}. */
  public String name() {
    return name;
  }

  /** The lower-case plural, e.g. {@code ippools}. */
  public String plural() {
    return plural;
  }

  /** The lower-case names users may type, including singular and plural. */
  public Set<String> shortNames() {
    return shortNames;
  }

  /** Other {@code kind:} values accepted on input (Calico's name when it differs). */
  public Set<String> otherKindNames() {
    return otherKindNames;
  }

  /** The resource record class. */
  public Class<R> type() {
    return type;
  }

  /** The spec record class, the target when reading {@code spec:}. */
  public Class<? extends Record> specType() {
    return specType;
  }

  /** The datastore kind objects of this kind are stored under ({@code Key.kind()}). */
  public String storageKind() {
    return name;
  }

  /** Builds a resource of this kind. */
  public R create(ObjectMeta metadata, Record spec) {
    if (namespaced && (metadata.namespace() == null || metadata.namespace().isEmpty())) {
      metadata = metadata.withNamespace(DEFAULT_NAMESPACE);
    }
    return factory.apply(metadata, specType.cast(spec));
  }

  /** Casts a resource known to be of this kind. */
  public R cast(Resource resource) {
    return type.cast(resource);
  }

  /** The columns of {@code get} output; {@code wide} for {@code -o wide}. */
  public List<Column<R>> columns(boolean wide) {
    return wide ? wideColumns : columns;
  }

  /** The headers of {@code get} output. */
  public List<String> headers(boolean wide) {
    return columns(wide).stream().map(Column::header).toList();
  }

  /** The cells of one row of {@code get} output for a resource of this kind. */
  public List<String> row(Resource resource, boolean wide) {
    R r = cast(resource);
    return columns(wide).stream().map(c -> c.cell(r)).toList();
  }

  @Override
  public String toString() {
    return name;
  }

  private static Map<String, Kind<?>> index() {
    Map<String, Kind<?>> m = new java.util.HashMap<>();
    for (Kind<?> k : ALL) {
      m.put(k.name.toLowerCase(Locale.ROOT), k);
      for (String s : k.shortNames) m.put(s, k);
      for (String s : k.otherKindNames) m.put(s.toLowerCase(Locale.ROOT), k);
    }
    return Collections.unmodifiableMap(m);
  }

  private static String peerNodes(BGPPeer p) {
    if (p.spec().node() != null) return p.spec().node();
    if (p.spec().nodeSelector() != null) return p.spec().nodeSelector();
    return "(global)";
  }

  private static String asn(Long asn) {
    return asn == null ? "" : Long.toString(asn);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String str(Object o) {
    return o == null ? "" : o.toString();
  }
}
