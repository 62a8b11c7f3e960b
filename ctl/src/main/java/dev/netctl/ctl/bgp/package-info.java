/**
 * Standalone BGP mode for {@code netctl bgp}: the speaker config file ({@link
 * dev.netctl.ctl.bgp.SpeakerConfig}, checked by {@link dev.netctl.ctl.bgp.SpeakerConfigReader},
 * whose policies become {@code dev.netctl.bgp.policy} values), the running speaker ({@link
 * dev.netctl.ctl.bgp.StandaloneSpeaker}) and its HTTP/JSON admin endpoint on loopback TCP or a
 * Unix-domain socket, with the client the query verbs use.
 */
package dev.netctl.ctl.bgp;
