package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A BGP peering (Calico {@code BGPPeerSpec}): which nodes peer ({@code node} or {@code
 * nodeSelector}, neither = all nodes) with whom ({@code peerIP} + {@code asNumber}, or the nodes
 * matching {@code peerSelector}).
 *
 * @param node the one node that peers; exclusive with nodeSelector
 * @param nodeSelector selects the nodes that peer
 * @param peerIP the peer's address, optionally with a port: {@code 10.0.0.1}, {@code
 *     10.0.0.1:1790}, {@code fd00::1}, {@code [fd00::1]:1790}
 * @param asNumber the peer's AS number (plain or asdot)
 * @param peerSelector selects nodes to peer with instead of peerIP/asNumber
 * @param password TCP-MD5 password reference
 * @param keepOriginalNextHop do not rewrite the next hop towards this peer (eBGP)
 * @param nextHopMode Auto, Self or Keep; supersedes keepOriginalNextHop
 * @param maxRestartTime graceful-restart time as a Go duration, e.g. {@code 120s}
 * @param sourceAddress UseNodeIP (default when absent) or None
 * @param ttlSecurity GTSM: number of hops the peer may be away (RFC 5082), 0 = off
 * @param filters names of BGP filters applied to this peering
 * @param keepaliveTime time between KEEPALIVEs as a Go duration, e.g. {@code 20s}; default a third
 *     of the hold time, and never more
 * @param numAllowedLocalASNumbers how many times the cluster's AS may appear in the AS_PATH of a
 *     route from this peer (external or internal) before it counts as a loop; default 0
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "node",
  "nodeSelector",
  "peerIP",
  "asNumber",
  "peerSelector",
  "password",
  "keepOriginalNextHop",
  "nextHopMode",
  "maxRestartTime",
  "sourceAddress",
  "ttlSecurity",
  "filters",
  "keepaliveTime",
  "numAllowedLocalASNumbers"
})
public record BGPPeerSpec(
    String node,
    String nodeSelector,
    String peerIP,
    @JsonDeserialize(using = AsNumber.Deserializer.class) Long asNumber,
    String peerSelector,
    BGPPassword password,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean keepOriginalNextHop,
    NextHopMode nextHopMode,
    String maxRestartTime,
    SourceAddress sourceAddress,
    Integer ttlSecurity,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> filters,
    String keepaliveTime,
    Integer numAllowedLocalASNumbers) {

  public BGPPeerSpec {
    peerIP = PeerAddress.canonical(peerIP);
    filters =
        filters == null || filters.isEmpty()
            ? List.of()
            : Collections.unmodifiableList(new ArrayList<>(filters));
  }

  /** A peering without keepaliveTime and numAllowedLocalASNumbers. */
  public BGPPeerSpec(
      String node,
      String nodeSelector,
      String peerIP,
      Long asNumber,
      String peerSelector,
      BGPPassword password,
      boolean keepOriginalNextHop,
      NextHopMode nextHopMode,
      String maxRestartTime,
      SourceAddress sourceAddress,
      Integer ttlSecurity,
      List<String> filters) {
    this(
        node,
        nodeSelector,
        peerIP,
        asNumber,
        peerSelector,
        password,
        keepOriginalNextHop,
        nextHopMode,
        maxRestartTime,
        sourceAddress,
        ttlSecurity,
        filters,
        null,
        null);
  }

  /**
   * The node-to-node mesh's sessions as a peering of their own: the password and restart time
   * BGPConfiguration gives them, nothing else.
   */
  public static BGPPeerSpec mesh(BGPPassword password, String maxRestartTime) {
    return new BGPPeerSpec(
        null, null, null, null, null, password, false, null, maxRestartTime, null, null, null);
  }

  /** A peering of every node with {@code peerIP} in AS {@code asNumber}. */
  public static BGPPeerSpec global(String peerIP, long asNumber) {
    return new BGPPeerSpec(
        null, null, peerIP, asNumber, null, null, false, null, null, null, null, null);
  }

  /** The source address policy, UseNodeIP when absent. */
  public SourceAddress effectiveSourceAddress() {
    return sourceAddress == null ? SourceAddress.USE_NODE_IP : sourceAddress;
  }

  /**
   * The parsed {@link #peerIP()} with its optional port.
   *
   * @throws IllegalArgumentException when peerIP is absent or malformed (validation rejects such
   *     peers before they are stored)
   */
  public PeerAddress peerAddress() {
    return PeerAddress.parse(peerIP);
  }

  /** A copy restricted to one node. */
  public BGPPeerSpec withNode(String newNode) {
    return withScope(newNode, nodeSelector, peerSelector);
  }

  /** A copy with a node selector and peer selector (route-reflector style peering). */
  public BGPPeerSpec withSelectors(String newNodeSelector, String newPeerSelector) {
    return withScope(node, newNodeSelector, newPeerSelector);
  }

  // Who peers with whom changes; how they peer is kept.
  private BGPPeerSpec withScope(String newNode, String newNodeSelector, String newPeerSelector) {
    return new BGPPeerSpec(
        newNode,
        newNodeSelector,
        peerIP,
        asNumber,
        newPeerSelector,
        password,
        keepOriginalNextHop,
        nextHopMode,
        maxRestartTime,
        sourceAddress,
        ttlSecurity,
        filters,
        keepaliveTime,
        numAllowedLocalASNumbers);
  }
}
