package dev.netctl.ctl.bgp;

import java.util.List;

/**
 * One route as the admin endpoint reports it and {@code netctl bgp routes} prints it.
 *
 * @param prefix the prefix, with {@code #pathId} when ADD-PATH gave one
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
    List<String> clusterList) {
  /** Copies lists. */
  public RouteView {
    communities = List.copyOf(communities);
    largeCommunities = List.copyOf(largeCommunities);
    clusterList = clusterList == null ? List.of() : List.copyOf(clusterList);
  }
}
