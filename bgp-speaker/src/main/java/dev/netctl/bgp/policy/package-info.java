/**
 * Route policy: immutable import/export policies (prefix lists with ge/le, community and large
 * community matches and rewrites, next hop, LOCAL_PREF, MED, AS-path prepend) applied as pure
 * functions by the RIB through {@link dev.netctl.bgp.rib.RoutePolicy}.
 */
package dev.netctl.bgp.policy;
