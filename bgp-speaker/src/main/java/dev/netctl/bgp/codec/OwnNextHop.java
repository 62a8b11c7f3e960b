package dev.netctl.bgp.codec;

import dev.netctl.bgp.codec.BgpMessage.Update;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * RFC 4271 §6.3: a NEXT_HOP that is "the IP address of the receiving speaker" is semantically
 * incorrect and the route is ignored. Accepted, such a route would be chosen, installed toward
 * ourselves and passed on to iBGP peers with our address as their next hop. Only the session knows
 * its local address, so it asks here after decoding.
 */
public final class OwnNextHop {
  private OwnNextHop() {}

  /**
   * The UPDATE as a withdrawal of everything it carried when a next hop it gives its routes is
   * {@code self}, else empty. A next hop that is also {@code sender}'s address is the sender's (two
   * speakers on {@code ::1} with different ports).
   *
   * @param self the local address of the session the UPDATE arrived on
   * @param sender the peer's address on that session
   */
  public static Optional<DecodeResult.TreatAsWithdraw> check(
      Update update, InetAddress self, InetAddress sender) {
    if (self.equals(sender)) {
      return Optional.empty();
    }
    String field = null;
    // One pass, no Optional per attribute looked for: this runs for every UPDATE received. Only
    // the first of a type counts, as the RIB takes it.
    boolean hopSeen = false;
    boolean reachSeen = false;
    List<PathAttribute> attributes = update.attributes();
    for (int i = 0, n = attributes.size(); i < n && !"NEXT_HOP".equals(field); i++) {
      PathAttribute a = attributes.get(i);
      if (a instanceof PathAttribute.NextHop h && !hopSeen) {
        hopSeen = true;
        // NEXT_HOP belongs to the IPv4 NLRI in the body only (RFC 4760 §3).
        if (!update.nlri().isEmpty() && h.address().equals(self)) {
          field = "NEXT_HOP";
        }
      } else if (a instanceof PathAttribute.MpReach m && !reachSeen) {
        reachSeen = true;
        if (!m.nlri().isEmpty()
            && !m.nextHops().isEmpty()
            && m.nextHops().getFirst().equals(self)) {
          field = "MP_REACH_NLRI next hop"; // unless NEXT_HOP, found later, is ours too
        }
      }
    }
    if (field == null) {
      return Optional.empty();
    }
    BgpError error =
        new BgpError(
            NotificationSubcode.INVALID_NEXT_HOP_ATTRIBUTE,
            new byte[0],
            field
                + " "
                + AddressText.of(self)
                + " is this speaker's own address (RFC 4271 §6.3: the routes are ignored)");
    return Optional.of(
        new DecodeResult.TreatAsWithdraw(
            UpdateDecoder.withdrawal(update.withdrawn(), update.nlri(), update.attributes()),
            error));
  }
}
