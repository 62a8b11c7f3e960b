/** netctl bgp-speaker. */
package dev.netctl.bgp;
