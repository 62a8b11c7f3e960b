/**
 * The RFC 4271 section 8 state machine as a pure function of events to actions, plus OPEN
 * negotiation. No sockets, no clocks: timers are actions for the host.
 */
package dev.netctl.bgp.fsm;
