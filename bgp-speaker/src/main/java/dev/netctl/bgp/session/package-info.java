/**
 * BGP sessions on Netty: framing, codec handler, one FSM per connection, collision resolution,
 * prefix limits, back-pressure, and the epoll-only socket options (TCP MD5, GTSM).
 */
package dev.netctl.bgp.session;
