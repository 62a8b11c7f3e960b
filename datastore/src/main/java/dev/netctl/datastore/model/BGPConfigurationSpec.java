package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Cluster-wide (object {@code default}) or per-node (object {@code node.<name>}) BGP settings,
 * Calico's {@code BGPConfigurationSpec}.
 *
 * <p>Like Calico, absent fields stay absent in the stored object and mean "the default"; {@link
 * #withDefaults()} fills them in so callers never hard-code 64512, true or 179.
 *
 * @param logSeverityScreen Debug, Info, Warning, Error or Fatal
 * @param nodeToNodeMeshEnabled whether every node peers with every other (default true)
 * @param asNumber the cluster's default AS number (default 64512)
 * @param listenPort the TCP port BGP listens on (default 179)
 * @param serviceClusterIPs service cluster IP ranges to advertise
 * @param serviceExternalIPs service external IP ranges to advertise
 * @param serviceLoadBalancerIPs service load-balancer IP ranges to advertise
 * @param communities named communities
 * @param prefixAdvertisements communities attached to given prefixes
 * @param routeReflectorClientRanges netctl's addition: on a route-reflector node (one with {@code
 *     routeReflectorClusterID}), address ranges whose iBGP speakers it accepts as reflector clients
 *     without a neighbour per client (BIRD's {@code neighbor range}); clients dial the reflector
 * @param nodeMeshPassword TCP-MD5 password of every node-to-node mesh session
 * @param nodeMeshMaxRestartTime graceful-restart time of the mesh sessions as a Go duration, e.g.
 *     {@code 120s} (default 120 s)
 * @param bindMode {@code NodeIP}: BGP listens on the node's addresses only, which is what netctl's
 *     agent always does (Calico's default, {@code None}, listens on every address)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "logSeverityScreen",
  "nodeToNodeMeshEnabled",
  "asNumber",
  "listenPort",
  "serviceClusterIPs",
  "serviceExternalIPs",
  "serviceLoadBalancerIPs",
  "communities",
  "prefixAdvertisements",
  "routeReflectorClientRanges",
  "nodeMeshPassword",
  "nodeMeshMaxRestartTime",
  "bindMode"
})
public record BGPConfigurationSpec(
    String logSeverityScreen,
    Boolean nodeToNodeMeshEnabled,
    @JsonDeserialize(using = AsNumber.Deserializer.class) Long asNumber,
    Integer listenPort,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ServiceIPBlock> serviceClusterIPs,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ServiceIPBlock> serviceExternalIPs,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ServiceIPBlock> serviceLoadBalancerIPs,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Community> communities,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PrefixAdvertisement> prefixAdvertisements,
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<ReflectorClientRange> routeReflectorClientRanges,
    BGPPassword nodeMeshPassword,
    String nodeMeshMaxRestartTime,
    String bindMode) {

  /** Calico's default cluster AS number (a private 2-byte ASN, RFC 6996). */
  public static final long DEFAULT_AS_NUMBER = 64512;

  /** The node-to-node mesh is on unless turned off. */
  public static final boolean DEFAULT_NODE_TO_NODE_MESH = true;

  /** The well-known BGP port (RFC 4271 §8.2.1). */
  public static final int DEFAULT_LISTEN_PORT = 179;

  /** The one bind mode netctl has: sessions on the node's addresses. */
  public static final String BIND_MODE_NODE_IP = "NodeIP";

  /** Default log severity. */
  public static final String DEFAULT_LOG_SEVERITY = "Info";

  public BGPConfigurationSpec {
    serviceClusterIPs = copy(serviceClusterIPs);
    serviceExternalIPs = copy(serviceExternalIPs);
    serviceLoadBalancerIPs = copy(serviceLoadBalancerIPs);
    communities = copy(communities);
    prefixAdvertisements = copy(prefixAdvertisements);
    routeReflectorClientRanges = copy(routeReflectorClientRanges);
  }

  /** A spec without reflector client ranges (Calico's fields only). */
  public BGPConfigurationSpec(
      String logSeverityScreen,
      Boolean nodeToNodeMeshEnabled,
      Long asNumber,
      Integer listenPort,
      List<ServiceIPBlock> serviceClusterIPs,
      List<ServiceIPBlock> serviceExternalIPs,
      List<ServiceIPBlock> serviceLoadBalancerIPs,
      List<Community> communities,
      List<PrefixAdvertisement> prefixAdvertisements) {
    this(
        logSeverityScreen,
        nodeToNodeMeshEnabled,
        asNumber,
        listenPort,
        serviceClusterIPs,
        serviceExternalIPs,
        serviceLoadBalancerIPs,
        communities,
        prefixAdvertisements,
        null,
        null,
        null,
        null);
  }

  /**
   * Addresses a route reflector accepts clients from.
   *
   * @param cidr the range, e.g. the node subnet {@code 10.0.0.0/16}
   * @param limit the most clients from it at once (default {@value #DEFAULT_CLIENT_LIMIT})
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"cidr", "limit"})
  public record ReflectorClientRange(String cidr, Integer limit) {
    public ReflectorClientRange {
      cidr = Cidr.canonical(cidr);
    }

    /** The limit used when none is given. */
    public static final int DEFAULT_CLIENT_LIMIT = 1000;

    /** The limit, or the default. */
    public int effectiveLimit() {
      return limit == null ? DEFAULT_CLIENT_LIMIT : limit;
    }
  }

  /** A copy with these reflector client ranges. */
  public BGPConfigurationSpec withRouteReflectorClientRanges(List<ReflectorClientRange> ranges) {
    return new BGPConfigurationSpec(
        logSeverityScreen,
        nodeToNodeMeshEnabled,
        asNumber,
        listenPort,
        serviceClusterIPs,
        serviceExternalIPs,
        serviceLoadBalancerIPs,
        communities,
        prefixAdvertisements,
        ranges,
        nodeMeshPassword,
        nodeMeshMaxRestartTime,
        bindMode);
  }

  /** A spec with every field absent: all defaults. */
  public static BGPConfigurationSpec empty() {
    return new BGPConfigurationSpec(null, null, null, null, null, null, null, null, null);
  }

  /** A copy whose absent scalar fields hold their defaults. */
  public BGPConfigurationSpec withDefaults() {
    return new BGPConfigurationSpec(
        logSeverityScreen == null ? DEFAULT_LOG_SEVERITY : logSeverityScreen,
        nodeToNodeMeshEnabled == null ? DEFAULT_NODE_TO_NODE_MESH : nodeToNodeMeshEnabled,
        asNumber == null ? DEFAULT_AS_NUMBER : asNumber,
        listenPort == null ? DEFAULT_LISTEN_PORT : listenPort,
        serviceClusterIPs,
        serviceExternalIPs,
        serviceLoadBalancerIPs,
        communities,
        prefixAdvertisements,
        routeReflectorClientRanges,
        nodeMeshPassword,
        nodeMeshMaxRestartTime,
        bindMode);
  }

  /** A copy with another AS number (null = default). */
  public BGPConfigurationSpec withAsNumber(Long newAsNumber) {
    return new BGPConfigurationSpec(
        logSeverityScreen,
        nodeToNodeMeshEnabled,
        newAsNumber,
        listenPort,
        serviceClusterIPs,
        serviceExternalIPs,
        serviceLoadBalancerIPs,
        communities,
        prefixAdvertisements,
        routeReflectorClientRanges,
        nodeMeshPassword,
        nodeMeshMaxRestartTime,
        bindMode);
  }

  /** A copy with the node-to-node mesh switched (null = default). */
  public BGPConfigurationSpec withNodeToNodeMeshEnabled(Boolean enabled) {
    return new BGPConfigurationSpec(
        logSeverityScreen,
        enabled,
        asNumber,
        listenPort,
        serviceClusterIPs,
        serviceExternalIPs,
        serviceLoadBalancerIPs,
        communities,
        prefixAdvertisements,
        routeReflectorClientRanges,
        nodeMeshPassword,
        nodeMeshMaxRestartTime,
        bindMode);
  }

  /** A copy with another listen port (null = default). */
  public BGPConfigurationSpec withListenPort(Integer port) {
    return new BGPConfigurationSpec(
        logSeverityScreen,
        nodeToNodeMeshEnabled,
        asNumber,
        port,
        serviceClusterIPs,
        serviceExternalIPs,
        serviceLoadBalancerIPs,
        communities,
        prefixAdvertisements,
        routeReflectorClientRanges,
        nodeMeshPassword,
        nodeMeshMaxRestartTime,
        bindMode);
  }

  private static <T> List<T> copy(List<T> l) {
    return l == null || l.isEmpty() ? List.of() : Collections.unmodifiableList(new ArrayList<>(l));
  }
}
