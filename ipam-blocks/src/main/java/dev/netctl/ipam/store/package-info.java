/**
 * The IPAM records as stored (kinds IPAMBlock, BlockAffinity, IPAMHandle) and the CAS loops that
 * change them safely under concurrent writers.
 */
package dev.netctl.ipam.store;
