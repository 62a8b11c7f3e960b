package dev.netctl.ctl.bgp;

/**
 * One peer as the admin endpoint reports it and {@code netctl bgp peers} prints it.
 *
 * @param address peer IP address
 * @param port peer TCP port
 * @param asNumber peer AS
 * @param type {@code ibgp}, {@code ebgp} or {@code rr-client}
 * @param state session state, lower case ({@code established}, {@code active}, ...)
 * @param since when the state last changed (ISO-8601), or empty
 * @param info last error or NOTIFICATION, or empty
 * @param receivedPrefixes routes in its Adj-RIB-In
 * @param loopedPrefixes of those, the routes not used because our AS is in their AS_PATH (RFC 4271
 *     §9.1.2), from external and internal peers alike
 * @param lastError the last malformed UPDATE of the current session handled without a reset (RFC
 *     7606 treat-as-withdraw or attribute discard), or empty
 * @param staleRoutes its routes are kept as stale: it restarted gracefully and is not back, or is
 *     back and has not sent End-of-RIB yet (RFC 4724 §4.2)
 * @param notices why the session is kept down, if it is, then what it does differently from its
 *     configuration and why (e.g. IPv6 unicast not offered without an IPv6 next hop), or empty
 * @param withheldRoutes our routes not advertised to it because their attributes leave no room for
 *     the prefix in one UPDATE (4096 octets without extended messages, RFC 8654)
 */
public record PeerView(
    String address,
    int port,
    long asNumber,
    String type,
    String state,
    String since,
    String info,
    int receivedPrefixes,
    int loopedPrefixes,
    String lastError,
    boolean staleRoutes,
    String notices,
    int withheldRoutes) {}
