package dev.netctl.bgp.fsm;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Open;
import dev.netctl.bgp.codec.CodecContext;
import java.util.Objects;
import java.util.Set;

/**
 * What both sides agreed on in the OPEN exchange (RFC 4271 §4.2, RFC 5492).
 *
 * @param peerOpen the peer's OPEN
 * @param holdTime the smaller of both hold times; 0 disables keepalives
 * @param families families both advertised
 * @param fourOctetAs both support 4-octet AS numbers (RFC 6793)
 * @param routeRefresh the peer accepts ROUTE-REFRESH (RFC 2918)
 * @param enhancedRouteRefresh both support enhanced route refresh (RFC 7313)
 * @param gracefulRestart the peer advertised graceful restart (RFC 4724)
 * @param receive how we decode the peer's messages
 * @param send how we encode ours
 */
public record Negotiated(
    Open peerOpen,
    int holdTime,
    Set<AddressFamily> families,
    boolean fourOctetAs,
    boolean routeRefresh,
    boolean enhancedRouteRefresh,
    boolean gracefulRestart,
    CodecContext receive,
    CodecContext send) {
  /** Validates and copies. */
  public Negotiated {
    Objects.requireNonNull(peerOpen, "peerOpen");
    families = Set.copyOf(families);
    Objects.requireNonNull(receive, "receive");
    Objects.requireNonNull(send, "send");
  }

  /**
   * The AS the peer presented (its 4-octet capability, else its OPEN's field), or {@code
   * configured} when it presented AS_TRANS, the stand-in for an AS it could not put in two octets
   * (RFC 6793 §9), or nothing usable (0).
   */
  public long peerAs(long configured) {
    long presented = peerOpen.myAs();
    return presented == 0 || presented == BgpMessage.AS_TRANS ? configured : presented;
  }
}
