/** netctl ctl. */
package dev.netctl.ctl;
