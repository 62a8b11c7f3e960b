package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressText;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An established BGP neighbour as the table layer sees it: who it is and how its routes are
 * treated. The session layer builds one after the OPEN exchange (the router id is the peer's BGP
 * Identifier, RFC 4271 §4.2) and uses the same value for every call about that session.
 *
 * @param address the neighbour's transport address (last best-path tie-breaker)
 * @param routerId the neighbour's BGP identifier
 * @param asn the neighbour's AS number
 * @param kind EBGP or IBGP ({@link #LOCAL} for our own routes)
 * @param routeReflectorClient whether we reflect for this iBGP peer (RFC 4456 §2)
 * @param allowLocalAs how many times our AS may appear in the AS_PATH of a route from this peer
 *     (external or internal) before the route counts as a loop (0: not at all, RFC 4271 §9.1.2)
 */
public record Peer(
    InetAddress address,
    Inet4Address routerId,
    long asn,
    PeerKind kind,
    boolean routeReflectorClient,
    int allowLocalAs) {
  /** The pseudo-peer that owns locally originated routes. */
  public static final Peer LOCAL =
      new Peer(RibAddresses.v4(0), RibAddresses.v4(0), 0, PeerKind.LOCAL, false);

  /** Validates. */
  public Peer {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(routerId, "routerId");
    Objects.requireNonNull(kind, "kind");
    if (allowLocalAs < 0 || allowLocalAs > 255) {
      throw new IllegalArgumentException(
          "peer " + AddressText.of(address) + ": allowLocalAs " + allowLocalAs + " must be 0..255");
    }
    if (routeReflectorClient && kind != PeerKind.IBGP) {
      throw new IllegalArgumentException(
          "peer "
              + AddressText.of(address)
              + ": routeReflectorClient requires an iBGP peer, got "
              + kind);
    }
  }

  /** A neighbour whose routes with our AS in their path are loops. */
  public Peer(
      InetAddress address,
      Inet4Address routerId,
      long asn,
      PeerKind kind,
      boolean routeReflectorClient) {
    this(address, routerId, asn, kind, routeReflectorClient, 0);
  }

  /**
   * Whether a route from this neighbour whose AS_PATH holds our AS {@code times} times looped. An
   * internal neighbour's routes too: iBGP does not prepend, so our AS in such a path came from
   * outside (a route that left the AS and came back, or a peer that re-advertised it), and BIRD and
   * FRR drop it on every session alike (RFC 4271 §9.1.2 names no session type).
   */
  public boolean loops(int times) {
    return kind != PeerKind.LOCAL && times > allowLocalAs;
  }

  /** Whether the neighbour is in our AS. */
  public boolean ibgp() {
    return kind == PeerKind.IBGP;
  }

  // Written out: a record's generated hashCode goes through a method-handle chain that the C1-only
  // DUT JVM cannot inline; this key is hashed several times per route on the RIB's hot path.
  @Override
  public int hashCode() {
    int h = address.hashCode();
    h = 31 * h + routerId.hashCode();
    h = 31 * h + Long.hashCode(asn);
    h = 31 * h + kind.hashCode();
    h = 31 * h + Boolean.hashCode(routeReflectorClient);
    return 31 * h + allowLocalAs;
  }

  // Written out for the same reason: compared per route in split horizon and path replacement.
  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof Peer p
            && asn == p.asn
            && kind == p.kind
            && routeReflectorClient == p.routeReflectorClient
            && allowLocalAs == p.allowLocalAs
            && address.equals(p.address)
            && routerId.equals(p.routerId));
  }

  @Override
  public String toString() {
    return kind + "(" + AddressText.of(address) + ", AS" + asn + ")";
  }
}
