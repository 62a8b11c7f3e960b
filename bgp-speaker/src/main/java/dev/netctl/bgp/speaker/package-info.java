/**
 * A minimal speaker facade: peers at runtime, local origination, Adj-RIB-In per peer and route
 * subscriptions, on one event loop thread.
 */
package dev.netctl.bgp.speaker;
