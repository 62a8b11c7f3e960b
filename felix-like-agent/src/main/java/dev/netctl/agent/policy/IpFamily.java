package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Cidr;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An IP family as nftables spells it. One {@code inet} table serves both: a rule that matches
 * addresses is rendered once per family it can match, with that family's expressions and sets.
 */
public enum IpFamily {
  /** IPv4. */
  V4("ip", "ipv4", "ipv4_addr", ""),
  /** IPv6. */
  V6("ip6", "ipv6", "ipv6_addr", "6");

  /** The payload protocol keyword: {@code ip saddr}, {@code ip6 saddr}. */
  public final String keyword;

  /** The {@code meta nfproto} value. */
  public final String nfproto;

  /** The address type of a set. */
  public final String addrType;

  /** What set names of this family carry after their kind letter ({@code s-}, {@code s6-}). */
  public final String setTag;

  IpFamily(String keyword, String nfproto, String addrType, String setTag) {
    this.keyword = keyword;
    this.nfproto = nfproto;
    this.addrType = addrType;
    this.setTag = setTag;
  }

  /** The family of an address. */
  public static IpFamily of(InetAddress a) {
    return a instanceof Inet4Address ? V4 : V6;
  }

  /** The family of a CIDR. */
  public static IpFamily of(Cidr c) {
    return c.isIPv4() ? V4 : V6;
  }
}
