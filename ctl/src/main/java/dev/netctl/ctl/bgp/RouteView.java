package dev.netctl.ctl.bgp;

import java.util.List;

/**
 * One route as the admin endpoint reports it and {@code netctl bgp routes} prints it.
 *
 * @param prefix the prefix
 * @param family {@code ipv4} or {@code ipv6}
 * @param nextHop next hop address
 * @param asPath AS_PATH, sequences space separated, sets in braces
 * @param peer the peer it was received from or is advertised to
 * @param direction {@code received} or {@code advertised}
 * @param communities standard communities {@code asn:value}
 * @param largeCommunities large communities {@code g:l1:l2}
 * @param med MULTI_EXIT_DISC, or null when absent
 * @param localPref LOCAL_PREF, or null when absent
 * @param originatorId ORIGINATOR_ID (RFC 4456), or null when absent
 * @param clusterList CLUSTER_LIST ids (RFC 4456), nearest first
 * @param stale a received route kept from before the peer's graceful restart (RFC 4724 §4.2) or
 *     enhanced route refresh (RFC 7313) and not sent again yet; always false when advertised
 * @param pathId the path identifier the route was received or is advertised with (ADD-PATH, RFC
 *     7911), or null without one; a field of its own so that {@code prefix} stays a prefix
 */
public record RouteView(
    String prefix,
    String family,
    String nextHop,
    String asPath,
    String peer,
    String direction,
    List<String> communities,
    List<String> largeCommunities,
    Long med,
    Long localPref,
    String originatorId,
    List<String> clusterList,
    boolean stale,
    Long pathId) {
  /** Copies lists. */
  public RouteView {
    communities = List.copyOf(communities);
    largeCommunities = List.copyOf(largeCommunities);
    clusterList = clusterList == null ? List.of() : List.copyOf(clusterList);
  }
}
