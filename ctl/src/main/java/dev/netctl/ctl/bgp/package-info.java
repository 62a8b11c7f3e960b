/**
 * Standalone BGP mode for {@code netctl bgp}: the speaker config file ({@link
 * dev.netctl.ctl.bgp.SpeakerConfig}, checked by {@link dev.netctl.ctl.bgp.SpeakerConfigReader}),
 * the running speaker ({@link dev.netctl.ctl.bgp.StandaloneSpeaker}) and its loopback HTTP/JSON
 * admin endpoint with the client the query verbs use.
 */
package dev.netctl.ctl.bgp;
