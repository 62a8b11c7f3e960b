package dev.netctl.agent.cni;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.datastore.model.ValidationException;
import dev.netctl.datastore.model.WorkloadEndpoint;
import dev.netctl.datastore.model.WorkloadEndpointSpec;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.allocator.AssignRequest;
import dev.netctl.ipam.allocator.AssignResult;
import dev.netctl.ipam.allocator.AssignedAddress;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.IpamHandle;
import dev.netctl.ipam.store.Versioned;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The agent's side of every CNI command. ADD: IPAM by handle, then the plumbing, then the
 * WorkloadEndpoint; DEL: veth, endpoint, handle. The order is what makes an interrupted command
 * leak nothing that GC does not free: whatever an ADD leaves behind before its endpoint exists is a
 * handle of this node (and a veth that dies with the pod's netns), which GC releases once the
 * runtime no longer lists the attachment; a DEL stopped halfway is repeated by the runtime.
 */
public final class CniService {

  /** Calico's annotations a pod can carry. */
  static final String ANNOTATION_IP_ADDRS = "cni.projectcalico.org/ipAddrs";

  static final String ANNOTATION_V4_POOLS = "cni.projectcalico.org/ipv4pools";
  static final String ANNOTATION_V6_POOLS = "cni.projectcalico.org/ipv6pools";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final ResourceClient client;
  private final IpamAllocator ipam;
  private final String node;
  private final IntSupplier mtu;
  private final BooleanSupplier ready;
  private final PodInfo podInfo;
  private final PodPlumbing plumbing;
  private final EndpointWriter endpoints;

  public CniService(
      ResourceClient client,
      IpamAllocator ipam,
      String node,
      IntSupplier mtu,
      BooleanSupplier ready,
      PodInfo podInfo,
      PodPlumbing plumbing) {
    this.client = client;
    this.ipam = ipam;
    this.node = node;
    this.mtu = mtu;
    this.ready = ready;
    this.podInfo = podInfo;
    this.plumbing = plumbing;
    this.endpoints = new EndpointWriter(client);
  }

  /**
   * Runs one command; returns what the plugin prints (null: nothing) or throws {@link CniError}.
   */
  public Map<String, Object> handle(CniRequest r) {
    if (r.containerId() != null && !r.containerId().matches("[A-Za-z0-9][A-Za-z0-9_.\\-]*")) {
      throw new CniError(
          CniError.INVALID_ENVIRONMENT,
          "invalid CNI_CONTAINERID",
          "\"" + r.containerId() + "\": must be letters, digits, '_', '.', '-' (SPEC.md)");
    }
    try {
      return switch (r.command()) {
        case "STATUS" -> status();
        case "ADD" -> add(r);
        case "DEL" -> {
          del(r);
          yield null;
        }
        case "CHECK" -> {
          check(r);
          yield null;
        }
        case "GC" -> {
          gc(r);
          yield null;
        }
        default ->
            throw new CniError(
                CniError.INVALID_ENVIRONMENT, "unknown CNI_COMMAND \"" + r.command() + "\"");
      };
    } catch (IpamException e) {
      throw new CniError(CniError.IPAM_FAILURE, "IPAM refused the request", e.getMessage());
    } catch (DatastoreException e) {
      throw new CniError(
          CniError.TRY_AGAIN_LATER,
          "the datastore is not available; try again later",
          e.getMessage());
    }
  }

  private Map<String, Object> status() {
    if (!ready.getAsBoolean()) {
      throw new CniError(CniError.NOT_AVAILABLE, "the netctl agent on " + node + " is not ready");
    }
    return null;
  }

  // --------------------------------------------------------------------- ADD

  private Map<String, Object> add(CniRequest r) {
    if (!ready.getAsBoolean()) {
      throw new CniError(
          CniError.TRY_AGAIN_LATER,
          "the netctl agent on " + node + " is not ready; try again later");
    }
    NetConf c = r.config();
    if (c.nodename() != null && !c.nodename().isBlank() && !c.nodename().equals(node)) {
      throw NetConf.invalid(
          "nodename", c.nodename(), "does not match the agent's node \"" + node + "\"");
    }
    boolean ipamOnly = r.plugin().equals(CniPlugin.IPAM_TYPE);
    if (!ipamOnly) checkInterfaceName(r.ifName());
    if (!ipamOnly) checkNetns(r.netns());
    Pod pod = pod(r);
    String wepName = WorkloadNames.endpointName(node, r);
    String wepNs = WorkloadNames.namespace(r);
    List<String> pools = poolNames(c, pod.annotations());
    // What an earlier ADD of this pod left: an older sandbox's endpoint and handle, or our own
    // handle from an ADD that was killed. The new attachment replaces them.
    if (!ipamOnly) {
      client
          .find(Kind.WORKLOAD_ENDPOINT, wepNs + "/" + wepName)
          .ifPresent(
              old -> {
                deleteEndpoint(old);
                releaseQuietly(CniRequest.handle(c.name(), old.spec().containerID(), r.ifName()));
              });
    }
    releaseQuietly(r.handle());

    AssignResult got = assign(r, pod, pools);
    InetAddress v4 = got.ipv4().isEmpty() ? null : got.ipv4().getFirst().address();
    InetAddress v6 = got.ipv6().isEmpty() ? null : got.ipv6().getFirst().address();
    if (ipamOnly) return ipamResult(c, v4, v6);

    String hostIface = WorkloadNames.hostIface(WorkloadNames.workloadId(r));
    String podMac = randomMac();
    int linkMtu = c.mtu() > 0 ? c.mtu() : mtu.getAsInt();
    PodPlumbing.Veth veth =
        new PodPlumbing.Veth(
            hostIface, r.containerId(), r.netns(), r.ifName(), linkMtu, podMac, v4, v6);
    PodPlumbing.DefaultRoutes defaults;
    try {
      defaults = plumbing.add(veth);
    } catch (RuntimeException e) {
      releaseQuietly(r.handle());
      throw e;
    }
    List<String> nets = new ArrayList<>();
    if (v4 != null) nets.add(Cidr.format(v4) + "/32");
    if (v6 != null) nets.add(Cidr.format(v6) + "/128");
    WorkloadEndpoint wep =
        new WorkloadEndpoint(
            ObjectMeta.namespaced(wepNs, wepName, pod.labels()),
            new WorkloadEndpointSpec(
                r.podName() != null ? "k8s" : "cni",
                r.podName() != null ? null : r.containerId(),
                node,
                r.containerId(),
                r.podName(),
                r.ifName(),
                pod.serviceAccount(),
                nets,
                v4 != null ? PodPlumbing.GATEWAY_V4 : null,
                v6 != null ? PodPlumbing.GATEWAY_V6 : null,
                profiles(wepNs, pod.serviceAccount()),
                hostIface,
                podMac,
                List.of()));
    try {
      endpoints.create(wep);
    } catch (RuntimeException e) {
      plumbing.remove(hostIface, r.containerId());
      releaseQuietly(r.handle());
      if (e instanceof ValidationException v) {
        throw new CniError(
            CniError.INVALID_CONFIG, "invalid WorkloadEndpoint " + wepName, v.getMessage());
      }
      throw e;
    }
    return mainResult(c, r, hostIface, podMac, v4, v6, defaults);
  }

  private record Pod(
      Map<String, String> labels, Map<String, String> annotations, String serviceAccount) {}

  /** Labels and annotations from the orchestrator, else from the config's {@code args.cni}. */
  private Pod pod(CniRequest r) {
    Map<String, String> labels = new LinkedHashMap<>();
    Map<String, String> annotations = new LinkedHashMap<>();
    String sa = null;
    Optional<PodInfo.Pod> known =
        r.podName() == null || r.podNamespace() == null
            ? Optional.empty()
            : podInfo.lookup(r.podNamespace(), r.podName());
    if (known.isPresent()) {
      labels.putAll(known.get().labels());
      annotations.putAll(known.get().annotations());
      sa = known.get().serviceAccount();
    } else {
      labels.putAll(r.config().labels());
      annotations.putAll(r.config().annotations());
    }
    labels.put("projectcalico.org/namespace", WorkloadNames.namespace(r));
    labels.put("projectcalico.org/orchestrator", r.podName() != null ? "k8s" : "cni");
    if (sa != null) labels.put("projectcalico.org/serviceaccount", sa);
    return new Pod(labels, annotations, sa);
  }

  private AssignResult assign(CniRequest r, Pod pod, List<String> pools) {
    NetConf c = r.config();
    String fixed = pod.annotations().get(ANNOTATION_IP_ADDRS);
    if (fixed != null) return assignFixed(r, fixed);
    try {
      return ipam.autoAssign(request(r, c.assignIpv4(), c.assignIpv6(), pools));
    } catch (IpamException.NoPoolForNode e) {
      // A dual-stack config on an IPv6-only node (no IPv4 pool selects it): the pod gets its IPv6
      // address only, as the node routes IPv6 only. The allocator checks pools before it assigns
      // anything, so nothing was taken. A config that asks for IPv4 alone still fails.
      if (!c.assignIpv6() || !c.assignIpv4() || !"IPv4".equals(e.family())) throw e;
      return ipam.autoAssign(request(r, false, true, pools));
    }
  }

  private AssignRequest request(CniRequest r, boolean v4, boolean v6, List<String> pools) {
    return new AssignRequest(
        node, r.handle(), v4 ? 1 : 0, v6 ? 1 : 0, r.podName(), r.podNamespace(), null, pools);
  }

  /** {@code cni.projectcalico.org/ipAddrs: ["10.0.0.5", "fd00::5"]}: exactly those, all or none. */
  private AssignResult assignFixed(CniRequest r, String annotation) {
    List<String> wanted = jsonStrings(ANNOTATION_IP_ADDRS, annotation);
    List<InetAddress> addrs = new ArrayList<>();
    for (String s : wanted) {
      try {
        addrs.add(Cidr.parseAddress(s));
      } catch (IllegalArgumentException e) {
        throw new CniError(
            CniError.INVALID_CONFIG,
            "invalid pod annotation",
            ANNOTATION_IP_ADDRS + " = " + annotation + ": " + e.getMessage());
      }
    }
    if (addrs.isEmpty()
        || addrs.size() > 2
        || addrs.stream().filter(a -> a instanceof Inet6Address).count() > 1
        || addrs.stream().filter(a -> !(a instanceof Inet6Address)).count() > 1) {
      throw new CniError(
          CniError.INVALID_CONFIG,
          "invalid pod annotation",
          ANNOTATION_IP_ADDRS
              + " = "
              + annotation
              + ": must list one IPv4 and/or one IPv6 address");
    }
    List<AssignedAddress> v4 = new ArrayList<>();
    List<AssignedAddress> v6 = new ArrayList<>();
    try {
      for (InetAddress a : addrs) {
        AssignedAddress got = ipam.assignIp(a, r.handle(), node, r.podName(), r.podNamespace());
        (a instanceof Inet6Address ? v6 : v4).add(got);
      }
    } catch (RuntimeException e) {
      releaseQuietly(r.handle());
      throw e;
    }
    return new AssignResult(v4, v6);
  }

  /**
   * The pool names IPAM may use: the pod's pool annotations, else the config's lists, each entry a
   * pool name or CIDR. A family with no list may use any pool of that family.
   */
  private List<String> poolNames(NetConf c, Map<String, String> annotations) {
    List<String> v4 = c.ipv4Pools();
    List<String> v6 = c.ipv6Pools();
    String where4 = "ipam.ipv4_pools";
    String where6 = "ipam.ipv6_pools";
    if (annotations.containsKey(ANNOTATION_V4_POOLS)) {
      v4 = jsonStrings(ANNOTATION_V4_POOLS, annotations.get(ANNOTATION_V4_POOLS));
      where4 = "pod annotation " + ANNOTATION_V4_POOLS;
    }
    if (annotations.containsKey(ANNOTATION_V6_POOLS)) {
      v6 = jsonStrings(ANNOTATION_V6_POOLS, annotations.get(ANNOTATION_V6_POOLS));
      where6 = "pod annotation " + ANNOTATION_V6_POOLS;
    }
    if (v4.isEmpty() && v6.isEmpty()) return List.of();
    List<IPPool> all = client.list(Kind.IP_POOL);
    Set<String> names = new LinkedHashSet<>();
    names.addAll(resolve(all, v4, false, where4));
    names.addAll(resolve(all, v6, true, where6));
    return List.copyOf(names);
  }

  private static List<String> resolve(
      List<IPPool> all, List<String> wanted, boolean v6, String where) {
    List<String> out = new ArrayList<>();
    if (wanted.isEmpty()) {
      for (IPPool p : all) if (!p.spec().network().isIPv4() == v6) out.add(p.name());
      return out;
    }
    for (String w : wanted) {
      IPPool match = null;
      for (IPPool p : all) {
        if (p.name().equals(w) || p.spec().cidr().equals(w) || cidrEquals(p.spec().cidr(), w))
          match = p;
      }
      if (match == null) {
        throw new CniError(
            CniError.INVALID_CONFIG,
            "unknown IP pool",
            where + ": \"" + w + "\" names no IPPool (by name or CIDR)");
      }
      if (!match.spec().network().isIPv4() != v6) {
        throw new CniError(
            CniError.INVALID_CONFIG,
            "IP pool of the wrong family",
            where
                + ": IPPool \""
                + match.name()
                + "\" ("
                + match.spec().cidr()
                + ") is not IPv"
                + (v6 ? 6 : 4));
      }
      out.add(match.name());
    }
    return out;
  }

  private static boolean cidrEquals(String a, String b) {
    try {
      return Cidr.parse(a).equals(Cidr.parse(b));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static List<String> jsonStrings(String annotation, String value) {
    Object v;
    try {
      v = Json.parse(value);
    } catch (Json.ParseException e) {
      v = null;
    }
    List<String> out = new ArrayList<>();
    if (v instanceof List<?> l) {
      for (Object o : l) {
        if (!(o instanceof String s)) {
          v = null;
          break;
        }
        out.add(s);
      }
    }
    if (!(v instanceof List<?>)) {
      throw new CniError(
          CniError.INVALID_CONFIG,
          "invalid pod annotation",
          annotation + " = " + value + ": must be a JSON list of strings");
    }
    return out;
  }

  /**
   * CNI_NETNS as ADD and CHECK need it, checked before any work: an absolute path that names a
   * network namespace (statfs finds nsfs, as containernetworking's {@code ns.GetNS}), else code 4
   * naming the variable and its value. nsenter would only fail later, in the plumbing, with a code
   * a runtime does not read as "bad CNI_NETNS" (CHECK's 103, or nothing at all). DEL does not check
   * it (see del).
   */
  private static void checkNetns(String netns) {
    if (netns == null || !netns.matches("/[A-Za-z0-9_./:\\-]*")) {
      throw new CniError(
          CniError.INVALID_ENVIRONMENT,
          "invalid CNI_NETNS",
          "\""
              + netns
              + "\": must be an absolute path of letters, digits, '_', '.', '/', ':', '-'");
    }
    if (!Files.exists(Path.of(netns))) {
      throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_NETNS " + netns + " does not exist");
    }
    if (!NetnsFile.isNamespace(netns)) {
      throw new CniError(
          CniError.INVALID_ENVIRONMENT,
          "CNI_NETNS " + netns + " is not a network namespace",
          "\""
              + netns
              + "\": must be a network namespace file (nsfs: /run/netns/<name> or"
              + " /proc/<pid>/ns/net)");
    }
  }

  private static void checkInterfaceName(String ifName) {
    if (ifName == null
        || ifName.isEmpty()
        || ifName.length() > 15
        || ifName.equals(".")
        || ifName.equals("..")
        || !ifName.matches("[A-Za-z0-9_.\\-]+")) {
      throw new CniError(
          CniError.INVALID_ENVIRONMENT,
          "invalid CNI_IFNAME",
          "\"" + ifName + "\": must be 1-15 of letters, digits, '_', '.', '-', and not . or ..");
    }
  }

  private static List<String> profiles(String ns, String sa) {
    List<String> p = new ArrayList<>();
    p.add("kns." + ns);
    if (sa != null) p.add("ksa." + ns + "." + sa);
    return p;
  }

  private static String randomMac() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    b[0] = (byte) ((b[0] & 0xfe) | 0x02); // unicast, locally administered
    return HexFormat.ofDelimiter(":").formatHex(b);
  }

  // ----------------------------------------------------------------- results

  /** {@code defaults}: the families whose default route the plumbing put on this interface. */
  private Map<String, Object> mainResult(
      NetConf c,
      CniRequest r,
      String hostIface,
      String podMac,
      InetAddress v4,
      InetAddress v6,
      PodPlumbing.DefaultRoutes defaults) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cniVersion", c.cniVersion());
    List<Object> ifaces = new ArrayList<>();
    ifaces.add(map("name", hostIface, "mac", PodPlumbing.HOST_MAC));
    ifaces.add(map("name", r.ifName(), "mac", podMac, "sandbox", r.netns()));
    m.put("interfaces", ifaces);
    List<Object> ips = new ArrayList<>();
    List<Object> routes = new ArrayList<>();
    if (v4 != null) ips.add(ip(c, v4, 1L, PodPlumbing.GATEWAY_V4));
    if (v6 != null) ips.add(ip(c, v6, 1L, PodPlumbing.GATEWAY_V6));
    if (v4 != null && defaults.v4()) {
      routes.add(map("dst", "0.0.0.0/0", "gw", PodPlumbing.GATEWAY_V4));
    }
    if (v6 != null && defaults.v6()) routes.add(map("dst", "::/0", "gw", PodPlumbing.GATEWAY_V6));
    m.put("ips", ips);
    m.put("routes", routes);
    m.put("dns", new LinkedHashMap<>());
    return m;
  }

  private static Map<String, Object> ipamResult(NetConf c, InetAddress v4, InetAddress v6) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cniVersion", c.cniVersion());
    List<Object> ips = new ArrayList<>();
    if (v4 != null) ips.add(ip(c, v4, null, null));
    if (v6 != null) ips.add(ip(c, v6, null, null));
    m.put("ips", ips);
    m.put("routes", List.of());
    m.put("dns", new LinkedHashMap<>());
    return m;
  }

  private static Map<String, Object> ip(NetConf c, InetAddress a, Long iface, String gw) {
    boolean v6 = a instanceof Inet6Address;
    Map<String, Object> m = new LinkedHashMap<>();
    if (c.legacyResult()) m.put("version", v6 ? "6" : "4");
    m.put("address", Cidr.format(a) + (v6 ? "/128" : "/32"));
    if (gw != null) m.put("gateway", gw);
    if (iface != null) m.put("interface", iface);
    return m;
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

  // --------------------------------------------------------------------- DEL

  private void del(CniRequest r) {
    List<String> addresses = new ArrayList<>(); // of this interface's endpoint
    if (!r.plugin().equals(CniPlugin.IPAM_TYPE)) {
      // CNI_NETNS is not checked: DEL never enters the namespace (the veth is removed from the host
      // side), and a DEL refused for a leftover file at that path, or a malformed one, would leave
      // the pod's addresses allocated and its endpoint behind on every retry. The reference
      // plugins release IPAM before they look at the namespace, too.
      String hostIface = WorkloadNames.hostIface(WorkloadNames.workloadId(r));
      plumbing.remove(hostIface, r.containerId());
      String key = WorkloadNames.namespace(r) + "/" + WorkloadNames.endpointName(node, r);
      Optional<WorkloadEndpoint> byName =
          client
              .find(Kind.WORKLOAD_ENDPOINT, key)
              .filter(w -> r.containerId().equals(w.spec().containerID()));
      if (byName.isPresent()) {
        addresses.addAll(byName.get().spec().ipNetworks());
        deleteEndpoint(byName.get());
      } else {
        // A DEL without the CNI_ARGS its ADD had names another endpoint and veth: find the
        // container's endpoints by id instead (rare, so the list is affordable).
        for (WorkloadEndpoint w : client.list(Kind.WORKLOAD_ENDPOINT)) {
          if (node.equals(w.spec().node())
              && r.containerId().equals(w.spec().containerID())
              && r.ifName().equals(w.spec().endpoint())) {
            if (w.spec().interfaceName() != null)
              plumbing.remove(w.spec().interfaceName(), r.containerId());
            addresses.addAll(w.spec().ipNetworks());
            deleteEndpoint(w);
          }
        }
      }
    }
    releaseQuietly(r.handle());
    releaseOldHandle(r, addresses);
  }

  /**
   * A second interface attached before handles were per interface (or by Calico) holds {@code
   * <network>.<containerID>}. Its DEL releases that handle when it holds this interface's
   * addresses: a runtime that never runs GC would leak it otherwise. eth0's handle of the same
   * network (one network attached twice) holds other addresses and stays.
   */
  private void releaseOldHandle(CniRequest r, List<String> addresses) {
    if (addresses.isEmpty() || r.ifName() == null || r.ifName().equals(PodPlumbing.PRIMARY_IFNAME))
      return;
    String old = CniRequest.handle(r.config().name(), r.containerId(), null);
    ipam.store()
        .handle(old)
        .filter(h -> holdsAnyOf(h.value(), addresses))
        .ifPresent(h -> releaseQuietly(old));
  }

  /** Whether {@code handle} holds one of {@code networks}' addresses (per its blocks' records). */
  private boolean holdsAnyOf(IpamHandle handle, List<String> networks) {
    for (String blockCidr : handle.block().keySet()) {
      Cidr cidr = Cidr.parse(blockCidr);
      Optional<Versioned<AllocationBlock>> stored = ipam.store().block(cidr);
      if (stored.isEmpty()) continue;
      Block block = Block.of(stored.get().value());
      for (String n : networks) {
        InetAddress a = Cidr.parseAddress(n.substring(0, n.indexOf('/')));
        if (!cidr.contains(a)) continue;
        AllocationAttribute holder = block.attributeAt(block.ordinalOf(a));
        if (holder != null && handle.handleID().equals(holder.handle())) return true;
      }
    }
    return false;
  }

  private void deleteEndpoint(WorkloadEndpoint w) {
    try {
      client.delete(Kind.WORKLOAD_ENDPOINT, w.storageName(), w.metadata().resourceVersion());
    } catch (DatastoreException.NotFound e) {
      // already gone: DEL is idempotent
    }
  }

  private void releaseQuietly(String handle) {
    try {
      ipam.releaseByHandle(handle);
    } catch (IpamException.UnknownHandle | DatastoreException.NotFound e) {
      // nothing held
    }
  }

  // ------------------------------------------------------------------- CHECK

  private void check(CniRequest r) {
    boolean ipamOnly = r.plugin().equals(CniPlugin.IPAM_TYPE);
    if (ipamOnly) {
      if (ipam.store().handle(r.handle()).isEmpty()) {
        throw new CniError(CniError.CHECK_FAILED, "no addresses are held by handle " + r.handle());
      }
      return;
    }
    checkNetns(r.netns());
    String key = WorkloadNames.namespace(r) + "/" + WorkloadNames.endpointName(node, r);
    WorkloadEndpoint w =
        client
            .find(Kind.WORKLOAD_ENDPOINT, key)
            .filter(x -> r.containerId().equals(x.spec().containerID()))
            .orElseThrow(
                () ->
                    new CniError(
                        CniError.UNKNOWN_CONTAINER,
                        "no WorkloadEndpoint " + key + " for container " + r.containerId()));
    InetAddress v4 = null;
    InetAddress v6 = null;
    for (String n : w.spec().ipNetworks()) {
      InetAddress a = Cidr.parseAddress(n.substring(0, n.indexOf('/')));
      if (a instanceof Inet6Address) v6 = a;
      else v4 = a;
    }
    List<String> problems = new ArrayList<>();
    if (r.config().prevResult() != null
        && r.config().prevResult().get("ips") instanceof List<?> prevIps) {
      for (Object o : prevIps) {
        if (o instanceof Map<?, ?> ip
            && ip.get("address") instanceof String a
            && !w.spec().ipNetworks().contains(a)) {
          problems.add(
              "prevResult address " + a + " is not the endpoint's " + w.spec().ipNetworks());
        }
      }
    }
    problems.addAll(
        plumbing.check(
            new PodPlumbing.Veth(
                w.spec().interfaceName(),
                r.containerId(),
                r.netns(),
                r.ifName(),
                0,
                w.spec().mac(),
                v4,
                v6)));
    if (!problems.isEmpty()) {
      throw new CniError(
          CniError.CHECK_FAILED, "CHECK failed for " + key, String.join("; ", problems));
    }
  }

  // ---------------------------------------------------------------------- GC

  /**
   * Releases this node's endpoints, veths and handles of this network that belong to no attachment
   * the runtime listed in {@code cni.dev/valid-attachments}, each (container, interface) on its
   * own. The list names only this network's attachments, so an interface that another network's
   * handle holds on this node is not this GC's to judge: its endpoint stays, and so does a veth of
   * such a container (the handle names the network; endpoints and veths don't).
   */
  private void gc(CniRequest r) {
    NetConf c = r.config();
    String net = c.name();
    Set<String> validHandles = new LinkedHashSet<>();
    Set<String> wholeContainers = new LinkedHashSet<>(); // listed without an ifname
    for (NetConf.Attachment a : c.validAttachments()) {
      // <network>.<id> stays for any listed interface: before handles were per interface, every
      // interface's was that one (and Calico's still is), so it may hold a live net1's addresses.
      validHandles.add(CniRequest.handle(net, a.containerId(), null));
      if (a.ifName() == null) wholeContainers.add(a.containerId());
      else validHandles.add(CniRequest.handle(net, a.containerId(), a.ifName()));
    }
    List<WorkloadEndpoint> endpoints = client.list(Kind.WORKLOAD_ENDPOINT);
    Set<String> live = new LinkedHashSet<>();
    c.validAttachments().forEach(a -> live.add(a.containerId()));
    for (WorkloadEndpoint w : endpoints) {
      if (node.equals(w.spec().node()) && w.spec().containerID() != null) {
        live.add(w.spec().containerID());
      }
    }
    NetworkHandles ours = new NetworkHandles(net, live);
    Set<String> stale = new LinkedHashSet<>();
    Set<String> foreignHandles = new LinkedHashSet<>();
    for (Versioned<AllocationBlock> b : ipam.store().blocks()) {
      for (AllocationAttribute a : b.value().attributes()) {
        if (a.handle() == null || !node.equals(a.node())) continue;
        String h = a.handle();
        String container = ours.containerOf(h);
        if (container == null) foreignHandles.add(h);
        else if (!validHandles.contains(h) && !wholeContainers.contains(container)) stale.add(h);
      }
    }
    for (WorkloadEndpoint w : endpoints) {
      String id = w.spec().containerID();
      if (!node.equals(w.spec().node()) || id == null || id.isEmpty()) continue;
      String ifName = w.spec().endpoint();
      String mine = CniRequest.handle(net, id, ifName);
      String tail = mine.substring(net.length()); // ".<id>" or ":<ifname>:<id>"
      boolean foreign = foreignHandles.stream().anyMatch(h -> h.endsWith(tail));
      if (!validHandles.contains(mine) && !wholeContainers.contains(id) && !foreign) {
        plumbing.remove(w.spec().interfaceName(), id);
        deleteEndpoint(w);
      }
    }
    Set<String> listed = new LinkedHashSet<>(wholeContainers);
    c.validAttachments().forEach(a -> listed.add(a.containerId()));
    plumbing
        .hostVeths()
        .forEach(
            (iface, id) -> {
              if (id != null
                  && !id.isEmpty()
                  && !listed.contains(id)
                  && foreignHandles.stream().noneMatch(h -> isOf(h, id)))
                plumbing.remove(iface, id);
            });
    stale.forEach(this::releaseQuietly);
  }

  /** Whether handle {@code h} is of container {@code id}, for any network and interface. */
  private static boolean isOf(String h, String id) {
    return h.endsWith("." + id) || h.endsWith(":" + id);
  }
}
