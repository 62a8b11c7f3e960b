/** Pure block logic: CIDR arithmetic and one block's allocations, with no datastore I/O. */
package dev.netctl.ipam.block;
