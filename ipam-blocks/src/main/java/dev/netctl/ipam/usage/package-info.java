/** Usage per pool and block, and single-address lookups, for {@code netctl ipam show}. */
package dev.netctl.ipam.usage;
