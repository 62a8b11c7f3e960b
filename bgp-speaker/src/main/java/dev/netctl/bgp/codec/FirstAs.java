package dev.netctl.bgp.codec;

import dev.netctl.bgp.codec.BgpMessage.Update;
import java.util.List;
import java.util.Optional;

/**
 * RFC 4271 §6.3 lets a speaker check that the leftmost AS of the AS_PATH an external peer sends is
 * the peer's own AS; when it is not, the AS_PATH is malformed, which RFC 7606 §7.2 handles as
 * treat-as-withdraw: the UPDATE's routes are withdrawn and the session stays up. A route server (an
 * IXP's) passes routes on without its AS, so the check is the neighbour's choice ({@code
 * enforceFirstAs}, off by default, like BIRD's {@code enforce first as}; FRR's neighbour option is
 * {@code enforce-first-as}); only the session knows whether the peer is external and its AS, so it
 * asks here after decoding.
 *
 * <p>Not checked: an UPDATE that announces nothing (withdrawals carry no AS_PATH), one without
 * AS_PATH (its absence is the decoder's error), and an AS_PATH whose first segment is an AS_SET or
 * a confederation segment: an AS_SET has no leftmost AS (aggregation, RFC 4271 §9.2.2.2, and RFC
 * 6472 deprecates it), and confederation segments come from confederation peers only (RFC 5065 §5
 * governs them). An AS_PATH starting with AS_TRANS (23456) on a 2-octet session counts as the AS of
 * a peer whose AS does not fit two octets: that is what such a path carries (RFC 6793 §4.2.2).
 */
public final class FirstAs {
  private FirstAs() {}

  /**
   * The UPDATE as a withdrawal of everything it carried when it announces routes with an AS_PATH
   * whose leftmost AS is not {@code peerAs}, else empty.
   *
   * @param fourOctetSession whether the session negotiated 4-octet AS numbers: only a 2-octet
   *     session carries AS_TRANS for a peer whose AS does not fit
   */
  public static Optional<DecodeResult.TreatAsWithdraw> check(
      Update update, long peerAs, boolean fourOctetSession) {
    PathAttribute.AsPath path = null;
    boolean announces = !update.nlri().isEmpty();
    // One pass, no Optional per attribute looked for: this runs for every UPDATE received.
    List<PathAttribute> attributes = update.attributes();
    for (int i = 0, n = attributes.size(); i < n; i++) {
      PathAttribute a = attributes.get(i);
      if (a instanceof PathAttribute.AsPath p && path == null) {
        path = p;
      } else if (a instanceof PathAttribute.MpReach m && !m.nlri().isEmpty()) {
        announces = true;
      }
    }
    if (!announces || path == null) {
      return Optional.empty();
    }
    String problem = null;
    if (path.segments().isEmpty()) {
      problem = "is empty";
    } else {
      PathAttribute.Segment first = path.segments().getFirst();
      if (first.type() != PathAttribute.SegmentType.AS_SEQUENCE || first.asns().isEmpty()) {
        return Optional.empty();
      }
      long leftmost = first.asn(0);
      boolean trans = !fourOctetSession && leftmost == BgpMessage.AS_TRANS && peerAs > 0xffffL;
      if (leftmost != peerAs && !trans) {
        problem = "starts with AS " + leftmost;
      }
    }
    if (problem == null) {
      return Optional.empty();
    }
    BgpError error =
        new BgpError(
            NotificationSubcode.MALFORMED_AS_PATH,
            new byte[0],
            "AS_PATH "
                + problem
                + ", not the external peer's AS "
                + peerAs
                + " (RFC 4271 §6.3, enforceFirstAs: the routes are withdrawn, RFC 7606 §7.2)");
    return Optional.of(
        new DecodeResult.TreatAsWithdraw(
            UpdateDecoder.withdrawal(update.withdrawn(), update.nlri(), update.attributes()),
            error));
  }
}
