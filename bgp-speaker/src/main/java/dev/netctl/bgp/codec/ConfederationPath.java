package dev.netctl.bgp.codec;

import dev.netctl.bgp.codec.BgpMessage.Update;
import java.util.List;
import java.util.Optional;

/**
 * RFC 5065 §5.3: an AS_PATH with AS_CONFED_SEQUENCE or AS_CONFED_SET segments from a neighbour
 * outside our confederation is malformed and handled as treat-as-withdraw (RFC 7606 §7.2). This
 * speaker has no confederations, so every external peer is outside; BIRD checks the same ("
 * confederation in eBGP"). Kept, such a path passed a confederation's internal hops on to other
 * ASes. Only the session knows whether the peer is external, so it asks here after decoding.
 */
public final class ConfederationPath {
  private ConfederationPath() {}

  /**
   * The UPDATE as a withdrawal of everything it carried when its AS_PATH has a confederation
   * segment, else empty.
   */
  public static Optional<DecodeResult.TreatAsWithdraw> check(Update update) {
    // One pass over the attributes, no stream: this runs for every UPDATE of an external peer.
    List<PathAttribute> attributes = update.attributes();
    for (int i = 0, n = attributes.size(); i < n; i++) {
      if (attributes.get(i) instanceof PathAttribute.AsPath path) {
        for (PathAttribute.Segment s : path.segments()) {
          if (s.type().confederation()) {
            BgpError error =
                new BgpError(
                    NotificationSubcode.MALFORMED_AS_PATH,
                    new byte[0],
                    "AS_PATH has a "
                        + s.type()
                        + " segment from an external peer, and we are in no confederation"
                        + " (RFC 5065 §5.3: the routes are withdrawn, RFC 7606 §7.2)");
            return Optional.of(
                new DecodeResult.TreatAsWithdraw(
                    UpdateDecoder.withdrawal(update.withdrawn(), update.nlri(), attributes),
                    error));
          }
        }
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
