/**
 * The BGP table layer: interned attribute sets, per-peer Adj-RIB-In, the sharded Loc-RIB with
 * best-path selection (each decision with its {@link dev.netctl.bgp.rib.BestPathReason}), route
 * reflection (RFC 4456), route sinks, and update groups forming the Adj-RIB-Out.
 *
 * <p>Knows nothing of sockets or Netty: the session layer feeds {@link dev.netctl.bgp.rib.Rib} with
 * decoded UPDATEs and drains {@link dev.netctl.bgp.rib.UpdateGroup}s for packed UPDATEs to encode.
 */
package dev.netctl.bgp.rib;
