package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.PathAttribute;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Keeps the routes of address families a session did not negotiate out of the RIB. RFC 4760 §8 has
 * a speaker exchange a family only once both OPENs advertised it (a peer advertising no
 * multiprotocol capability speaks IPv4 unicast only); a peer that sends another family anyway gets
 * what BIRD, FRR and the RFC 7606 spirit give it: those NLRI are ignored, the rest of the UPDATE
 * (its other families' routes, withdrawals, attributes) is processed as usual, and the session
 * stays up. Ignoring is safe because we never sent the family either, so the peer cannot expect us
 * to use or pass it on. Each family is reported once per session, not once per UPDATE: a peer
 * configured that way sends its whole table like it.
 *
 * <p>The NLRI and withdrawn-routes fields of the UPDATE body carry IPv4 unicast (RFC 4271 §4.3), so
 * they too are ignored on a session that did not negotiate it. One instance per session, used on
 * the speaker's loop.
 */
final class NegotiatedFamilies {
  private final Set<AddressFamily> negotiated;
  private final boolean ipv4;
  // Families already reported this session.
  private final Set<AddressFamily> reported = new HashSet<>();

  NegotiatedFamilies(Set<AddressFamily> negotiated) {
    this.negotiated = Set.copyOf(negotiated);
    this.ipv4 = negotiated.contains(AddressFamily.IPV4_UNICAST);
  }

  /**
   * {@code u} without the NLRI of families not negotiated: {@code u} itself when it has none
   * (nearly always), null when nothing of it is left to process (only such NLRI, or an End-of-RIB
   * of such a family). {@code report} is told, with {@code who}, of each such family the first time
   * it carries routes; who and a non-capturing report spare a lambda per UPDATE received.
   */
  <T> Update admit(Update u, T who, BiConsumer<T, AddressFamily> report) {
    boolean bodyOut =
        !ipv4 && (!u.nlri().isEmpty() || !u.withdrawn().isEmpty() || u.attributes().isEmpty());
    List<PathAttribute> attributes = u.attributes();
    boolean mpOut = false;
    // A loop, no stream: this runs for every UPDATE received.
    for (int i = 0, n = attributes.size(); i < n; i++) {
      if (unnegotiated(attributes.get(i))) {
        mpOut = true;
        break;
      }
    }
    if (!bodyOut && !mpOut) {
      return u;
    }
    if (bodyOut && (!u.nlri().isEmpty() || !u.withdrawn().isEmpty())) {
      reportOnce(AddressFamily.IPV4_UNICAST, who, report);
    }
    List<PathAttribute> kept = new ArrayList<>(attributes.size());
    boolean keptRoutes = false;
    for (PathAttribute a : attributes) {
      if (!unnegotiated(a)) {
        kept.add(a);
        keptRoutes |= a instanceof PathAttribute.MpReach || a instanceof PathAttribute.MpUnreach;
      } else if (carriesRoutes(a)) {
        reportOnce(family(a), who, report);
      }
    }
    if (bodyOut) {
      // With the body's routes gone, the UPDATE must not turn into an IPv4 End-of-RIB (an empty
      // UPDATE) nor carry attributes for routes it no longer has.
      return keptRoutes ? new Update(List.of(), kept, List.of()) : null;
    }
    if (!keptRoutes && u.nlri().isEmpty() && u.withdrawn().isEmpty()) {
      return null; // only routes (or an End-of-RIB) of a family not negotiated
    }
    return new Update(u.withdrawn(), kept, u.nlri());
  }

  // instanceof tests rather than a pattern switch: no type-switch bootstrap per attribute of
  // every UPDATE received.
  private boolean unnegotiated(PathAttribute a) {
    if (a instanceof PathAttribute.MpReach r) {
      return !negotiated.contains(r.family());
    }
    return a instanceof PathAttribute.MpUnreach r && !negotiated.contains(r.family());
  }

  private static boolean carriesRoutes(PathAttribute a) {
    return a instanceof PathAttribute.MpReach r
        ? !r.nlri().isEmpty()
        : !((PathAttribute.MpUnreach) a).withdrawn().isEmpty();
  }

  private static AddressFamily family(PathAttribute a) {
    return a instanceof PathAttribute.MpReach r
        ? r.family()
        : ((PathAttribute.MpUnreach) a).family();
  }

  private <T> void reportOnce(AddressFamily family, T who, BiConsumer<T, AddressFamily> report) {
    if (reported.add(family)) {
      report.accept(who, family);
    }
  }
}
