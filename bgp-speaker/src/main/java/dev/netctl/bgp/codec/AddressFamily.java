package dev.netctl.bgp.codec;

import java.util.Objects;

/**
 * An AFI/SAFI pair naming a routing table family (RFC 4760 §3).
 *
 * @param afi address family
 * @param safi subsequent address family
 */
public record AddressFamily(Afi afi, Safi safi) {
  // Written out: a record's generated equals/hashCode is a method-handle chain the C1-only
  // speaker JVM does not inline, and families are compared per prefix when packing UPDATEs.
  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof AddressFamily f && afi.equals(f.afi) && safi.equals(f.safi));
  }

  @Override
  public int hashCode() {
    return afi.hashCode() * 31 + safi.hashCode();
  }

  /** IPv4 unicast, the family of the classic UPDATE NLRI field. */
  public static final AddressFamily IPV4_UNICAST = new AddressFamily(Afi.IPV4, Safi.UNICAST);

  /** IPv6 unicast. */
  public static final AddressFamily IPV6_UNICAST = new AddressFamily(Afi.IPV6, Safi.UNICAST);

  /** Validates that both parts are present. */
  public AddressFamily {
    Objects.requireNonNull(afi, "afi");
    Objects.requireNonNull(safi, "safi");
  }

  /** Builds a family from wire codes; unknown codes are carried. */
  public static AddressFamily of(int afi, int safi) {
    return new AddressFamily(Afi.valueOf(afi), Safi.valueOf(safi));
  }

  /**
   * Whether this codec can parse the family's NLRI: IPv4 or IPv6 with unicast or multicast SAFI,
   * whose NLRI are plain prefixes (RFC 4760 §5).
   */
  public boolean hasPrefixNlri() {
    return (afi.equals(Afi.IPV4) || afi.equals(Afi.IPV6))
        && (safi.equals(Safi.UNICAST) || safi.equals(Safi.MULTICAST));
  }

  /** The family as notices and messages for people name it: "ipv6 unicast". */
  public String text() {
    return afi.name().toLowerCase(java.util.Locale.ROOT)
        + " "
        + safi.name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public String toString() {
    return afi.name() + "/" + safi.name();
  }
}
