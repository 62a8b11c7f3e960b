package dev.netctl.datastore.model;

/**
 * A netctl resource: {@code apiVersion}, {@code kind}, {@code metadata} and a kind-specific {@code
 * spec}, exactly as it appears in YAML.
 *
 * <p>The set of kinds is closed, so callers switch over resources exhaustively.
 */
public sealed interface Resource
    permits IPPool,
        BGPPeer,
        BGPFilter,
        BGPConfiguration,
        FelixConfiguration,
        Node,
        IPAMConfig,
        IPReservation,
        WorkloadEndpoint,
        NetworkPolicy,
        GlobalNetworkPolicy,
        KubernetesNetworkPolicy,
        Profile,
        Tier {

  /** The API group/version of every netctl resource. */
  String API_VERSION = "netctl.dev/v1";

  /** Always {@link #API_VERSION}. */
  default String apiVersion() {
    return API_VERSION;
  }

  /** The kind descriptor: name, aliases, record types and table columns. */
  Kind<?> kind();

  /** The object's metadata. */
  ObjectMeta metadata();

  /** The kind-specific specification. */
  Record spec();

  /** A copy of this resource with other metadata. */
  Resource withMetadata(ObjectMeta metadata);

  /**
   * The name the object is stored under: {@code namespace/name} for a namespaced kind, the plain
   * name otherwise. Cluster-wide listings of a namespaced kind sort by it.
   */
  default String storageName() {
    String ns = metadata().namespace();
    return ns == null || ns.isEmpty() ? metadata().name() : ns + "/" + metadata().name();
  }

  /** Shortcut for {@code metadata().name()}. */
  default String name() {
    return metadata().name();
  }
}
