/** netctl ipam-blocks. */
package dev.netctl.ipam;
