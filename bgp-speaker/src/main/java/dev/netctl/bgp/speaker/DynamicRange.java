package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.session.PeerSpec;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Peers accepted by address range (BIRD's {@code neighbor range}, FRR's {@code bgp listen range},
 * GoBGP's dynamic neighbours): a connection from an address inside {@code range} that matches no
 * configured peer becomes a passive session configured from {@code template}; when that session
 * ends the peer is forgotten. A route reflector of a large cluster needs no per-client entry.
 *
 * @param name names the range in errors and in the peers' notices
 * @param range the addresses accepted
 * @param template the neighbour each accepted peer gets: AS, hold time, families, policies,
 *     reflector-client role, graceful restart, IPv6 next hop; its remote address and port, and its
 *     passive flag, are replaced per peer. No TCP MD5 password: the kernel keys MD5 per address,
 *     not per range.
 * @param limit the most dynamic sessions at once, not counting those kept down for too many
 *     prefixes (trimmed to {@code limit} more when a peer connects); further connections get
 *     Cease/Connection Rejected (RFC 4486) and are closed
 */
public record DynamicRange(String name, Prefix range, Neighbor template, int limit) {
  /** Validates. */
  public DynamicRange {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(template, "template");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("dynamic range " + range + " needs a name");
    }
    if (limit < 1) {
      throw new IllegalArgumentException(
          "dynamic range " + name + " limit " + limit + " must be at least 1");
    }
    if (template.spec().md5Password() != null) {
      throw new IllegalArgumentException(
          "dynamic range "
              + name
              + " template must not set a TCP MD5 password: keys are per address (RFC 2385), not"
              + " per range");
    }
    boolean localV6 = template.spec().localAddress() instanceof Inet6Address;
    if (localV6 != range.ipv6()) {
      throw new IllegalArgumentException(
          "dynamic range "
              + name
              + " "
              + range
              + " and its template's local address "
              + AddressText.of(template.spec().localAddress())
              + " must be of one IP version");
    }
  }

  /** Whether {@code address} lies inside the range. */
  public boolean contains(InetAddress address) {
    byte[] b = address.getAddress();
    if ((b.length == 16) != range.ipv6()) {
      return false;
    }
    return Prefix.of(range.ipv6(), b, range.length()).equals(range);
  }

  /** The neighbour an accepted connection from {@code address} gets: passive, from the template. */
  Neighbor neighborFor(InetAddress address) {
    PeerSpec t = template.spec();
    PeerSpec spec =
        new PeerSpec(
            new InetSocketAddress(address, t.remote().getPort()),
            t.localAddress(),
            t.config(),
            true,
            null,
            t.ttlSecurityHops());
    return template.withSpec(spec);
  }

  @Override
  public String toString() {
    return "DynamicRange[" + name + " " + range + ", limit " + limit + "]";
  }
}
