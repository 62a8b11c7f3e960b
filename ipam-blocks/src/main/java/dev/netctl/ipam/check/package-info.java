/** Consistency check of the IPAM records and the repair that fixes what a check reported. */
package dev.netctl.ipam.check;
