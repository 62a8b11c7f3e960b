package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Packs outbound changes into as few UPDATEs as fit: announcements sharing an attribute set (and
 * audience) travel together, each message filled up to the negotiated maximum size (RFC 4271 §4.3,
 * RFC 8654). IPv4 unicast uses the body fields, other families MP_REACH/MP_UNREACH (RFC 4760).
 * Withdrawals come first so a message never withdraws what an earlier one in the batch announced.
 */
final class UpdatePacker {
  /**
   * One outbound change.
   *
   * @param prefix the prefix
   * @param pathId our ADD-PATH id (0 without ADD-PATH)
   * @param attributes what to announce, or null to withdraw
   * @param audience who gets it
   */
  record Entry(Prefix prefix, int pathId, AttributeSet attributes, Audience audience) {}

  private record AnnounceKey(AddressFamily family, AttributeSet attributes, Audience audience) {}

  private record WithdrawKey(AddressFamily family, Audience audience) {}

  private final CodecContext codec;

  UpdatePacker(CodecContext codec) {
    this.codec = codec;
  }

  List<OutboundUpdate> pack(List<Entry> entries) {
    Map<WithdrawKey, List<Nlri>> withdrawals = new LinkedHashMap<>();
    Map<AnnounceKey, List<Nlri>> announcements = new LinkedHashMap<>();
    for (Entry e : entries) {
      AddressFamily family = e.prefix().family();
      Nlri nlri = new Nlri(codec.addPath(family) ? e.pathId() : 0, e.prefix());
      if (e.attributes() == null) {
        withdrawals
            .computeIfAbsent(new WithdrawKey(family, e.audience()), k -> new ArrayList<>())
            .add(nlri);
      } else {
        announcements
            .computeIfAbsent(
                new AnnounceKey(family, e.attributes(), e.audience()), k -> new ArrayList<>())
            .add(nlri);
      }
    }
    List<OutboundUpdate> out = new ArrayList<>();
    for (Map.Entry<AnnounceKey, List<Nlri>> a : announcements.entrySet()) {
      if (!announce(a.getKey(), a.getValue(), out)) {
        // The attributes alone exceed the message size (or lack a usable next hop): the peers
        // must not keep an older version of these routes, so withdraw them instead.
        for (Nlri n : a.getValue()) {
          withdrawals
              .computeIfAbsent(
                  new WithdrawKey(a.getKey().family(), a.getKey().audience()),
                  k -> new ArrayList<>())
              .add(n);
        }
      }
    }
    List<OutboundUpdate> result = new ArrayList<>();
    for (Map.Entry<WithdrawKey, List<Nlri>> w : withdrawals.entrySet()) {
      withdraw(w.getKey(), w.getValue(), result);
    }
    result.addAll(out);
    return result;
  }

  private void withdraw(WithdrawKey key, List<Nlri> nlri, List<OutboundUpdate> out) {
    boolean ipv4 = key.family().equals(AddressFamily.IPV4_UNICAST);
    boolean addPath = codec.addPath(key.family());
    int max = codec.maxMessageSize();
    List<Nlri> batch = new ArrayList<>();
    int bytes = 0;
    for (Nlri n : nlri) {
      int size = EncodedSize.nlri(n.prefix(), addPath);
      if (!batch.isEmpty() && withdrawSize(ipv4, bytes + size) > max) {
        out.add(new OutboundUpdate(withdrawMessage(ipv4, key.family(), batch), key.audience()));
        batch = new ArrayList<>();
        bytes = 0;
      }
      batch.add(n);
      bytes += size;
    }
    if (!batch.isEmpty()) {
      out.add(new OutboundUpdate(withdrawMessage(ipv4, key.family(), batch), key.audience()));
    }
  }

  private static int withdrawSize(boolean ipv4, int nlriBytes) {
    return EncodedSize.EMPTY_UPDATE
        + (ipv4 ? nlriBytes : EncodedSize.attribute(EncodedSize.MP_UNREACH_FIXED + nlriBytes));
  }

  private static Update withdrawMessage(boolean ipv4, AddressFamily family, List<Nlri> batch) {
    return ipv4
        ? new Update(batch, List.of(), List.of())
        : new Update(List.of(), List.of(new PathAttribute.MpUnreach(family, batch)), List.of());
  }

  private boolean announce(AnnounceKey key, List<Nlri> nlri, List<OutboundUpdate> out) {
    AttributeSet attrs = key.attributes();
    boolean ipv4 = key.family().equals(AddressFamily.IPV4_UNICAST);
    boolean addPath = codec.addPath(key.family());
    int max = codec.maxMessageSize();
    List<InetAddress> nextHops = new ArrayList<>();
    if (ipv4) {
      if (!(attrs.nextHop() instanceof Inet4Address)) {
        return false;
      }
    } else {
      if (attrs.nextHop() == null) {
        return false;
      }
      nextHops.add(attrs.nextHop());
      if (attrs.linkLocalNextHop() != null) {
        nextHops.add(attrs.linkLocalNextHop());
      }
    }
    int nextHopBytes = nextHops.stream().mapToInt(a -> a.getAddress().length).sum();
    int fixed =
        EncodedSize.EMPTY_UPDATE
            + EncodedSize.attributes(attrs.attributes(), codec)
            + (ipv4 ? EncodedSize.attribute(4) : 0);
    int firstSize = EncodedSize.nlri(nlri.get(0).prefix(), addPath);
    if (size(ipv4, fixed, nextHopBytes, firstSize) > max) {
      return false;
    }
    List<Nlri> batch = new ArrayList<>();
    int bytes = 0;
    for (Nlri n : nlri) {
      int size = EncodedSize.nlri(n.prefix(), addPath);
      if (!batch.isEmpty() && size(ipv4, fixed, nextHopBytes, bytes + size) > max) {
        out.add(message(key, ipv4, nextHops, batch));
        batch = new ArrayList<>();
        bytes = 0;
      }
      batch.add(n);
      bytes += size;
    }
    out.add(message(key, ipv4, nextHops, batch));
    return true;
  }

  private static int size(boolean ipv4, int fixed, int nextHopBytes, int nlriBytes) {
    if (ipv4) {
      return fixed + nlriBytes;
    }
    // MP_REACH value: AFI, SAFI, next-hop length, next hops, reserved octet, NLRI.
    return fixed + EncodedSize.attribute(EncodedSize.MP_REACH_FIXED + nextHopBytes + 1 + nlriBytes);
  }

  private static OutboundUpdate message(
      AnnounceKey key, boolean ipv4, List<InetAddress> nextHops, List<Nlri> batch) {
    AttributeSet attrs = key.attributes();
    List<PathAttribute> list = new ArrayList<>(attrs.attributes().size() + 1);
    PathAttribute extra =
        ipv4
            ? new PathAttribute.NextHop((Inet4Address) attrs.nextHop())
            : new PathAttribute.MpReach(key.family(), nextHops, batch);
    boolean placed = false;
    // Attributes go out in ascending type order.
    for (PathAttribute a : attrs.attributes()) {
      if (!placed && a.type().code() > extra.type().code()) {
        list.add(extra);
        placed = true;
      }
      list.add(a);
    }
    if (!placed) {
      list.add(extra);
    }
    Update update =
        ipv4 ? new Update(List.of(), list, batch) : new Update(List.of(), list, List.of());
    return new OutboundUpdate(update, key.audience());
  }
}
