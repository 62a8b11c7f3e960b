package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.fsm.State;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * What {@code node status} shows for one peer.
 *
 * @param remote peer address and port
 * @param remoteAs peer AS
 * @param internal whether it is iBGP
 * @param state session state
 * @param since when the state last changed
 * @param info last reason (error, NOTIFICATION) or empty
 * @param receivedPrefixes routes in its Adj-RIB-In
 * @param loopedPrefixes of those, the routes not used because our AS is in their AS_PATH more often
 *     than the peer may send it (RFC 4271 §9.1.2; from external and internal peers alike)
 * @param lastError the last malformed UPDATE of the current session handled without a reset (RFC
 *     7606), or empty
 * @param staleRoutes whether routes of the peer are kept as stale: it restarted gracefully and has
 *     not yet come back, or came back and has not yet sent End-of-RIB (RFC 4724 §4.2)
 * @param notices why the session is kept down, if it is (for a while after repeated faults, until
 *     reset after too many prefixes), then what it does differently from its configuration and why
 *     (a family not offered, received routes not used), {@code "; "}-separated, or empty
 * @param withheldRoutes our routes not advertised to the peer because their attributes leave no
 *     room for the prefix in one UPDATE: 4096 octets without extended messages (RFC 8654)
 */
public record PeerStatus(
    InetSocketAddress remote,
    long remoteAs,
    boolean internal,
    State state,
    Instant since,
    String info,
    int receivedPrefixes,
    int loopedPrefixes,
    String lastError,
    boolean staleRoutes,
    String notices,
    int withheldRoutes) {
  @Override
  public String toString() {
    return "PeerStatus[remote="
        + AddressText.of(remote)
        + ", remoteAs="
        + remoteAs
        + ", state="
        + state
        + ", info="
        + info
        + ", notices="
        + notices
        + "]";
  }
}
