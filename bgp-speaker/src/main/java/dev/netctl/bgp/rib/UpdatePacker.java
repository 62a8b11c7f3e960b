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
 * Turns an update group's outbound changes into UPDATEs: announcements sharing an attribute set and
 * audience travel together, and the codec's packer fills each message up to the negotiated size
 * (RFC 4271 §9.2, RFC 8654). Withdrawals come first so a batch never withdraws what it announced.
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

  private record AnnounceKey(AddressFamily family, AttributeSet attributes, Audience audience) {
    // Written out: the generated one is a method-handle chain C1 cannot inline (once per route).
    @Override
    public int hashCode() {
      return 31 * (31 * family.hashCode() + attributes.hashCode()) + audience.hashCode();
    }

    // Attribute sets are interned: identity is their equality.
    @Override
    public boolean equals(Object o) {
      return o instanceof AnnounceKey k
          && k.attributes == attributes
          && k.family.equals(family)
          && (k.audience == audience || k.audience.equals(audience));
    }
  }

  private final CodecContext codec;

  UpdatePacker(CodecContext codec) {
    this.codec = codec;
  }

  List<OutboundUpdate> pack(List<Entry> entries) {
    Map<Audience, List<Nlri>> withdrawals = new LinkedHashMap<>();
    Map<AnnounceKey, List<Nlri>> announcements = new LinkedHashMap<>();
    boolean v4AddPath = codec.addPath(AddressFamily.IPV4_UNICAST);
    boolean v6AddPath = codec.addPath(AddressFamily.IPV6_UNICAST);
    for (Entry e : entries) {
      AddressFamily family = e.prefix().family();
      boolean addPath = e.prefix().ipv6() ? v6AddPath : v4AddPath;
      Nlri nlri = new Nlri(addPath ? e.pathId() : 0, e.prefix());
      if (e.attributes() == null) {
        withdrawals.computeIfAbsent(e.audience(), k -> new ArrayList<>()).add(nlri);
      } else {
        announcements
            .computeIfAbsent(
                new AnnounceKey(family, e.attributes(), e.audience()), k -> new ArrayList<>())
            .add(nlri);
      }
    }
    List<OutboundUpdate> announced = new ArrayList<>();
    for (Map.Entry<AnnounceKey, List<Nlri>> a : announcements.entrySet()) {
      List<Update> updates = announce(a.getKey(), a.getValue());
      if (updates == null) {
        // The attributes alone exceed the message size (or there is no usable next hop): the
        // peers must not keep an older version of these routes, so withdraw them instead.
        withdrawals
            .computeIfAbsent(a.getKey().audience(), k -> new ArrayList<>())
            .addAll(a.getValue());
      } else {
        for (Update u : updates) {
          announced.add(new OutboundUpdate(u, a.getKey().audience()));
        }
      }
    }
    List<OutboundUpdate> out = new ArrayList<>();
    for (Map.Entry<Audience, List<Nlri>> w : withdrawals.entrySet()) {
      for (Update u : dev.netctl.bgp.codec.UpdatePacker.withdraw(w.getValue(), codec)) {
        out.add(new OutboundUpdate(u, w.getKey()));
      }
    }
    out.addAll(announced);
    return out;
  }

  /** Packed announcements, or null when these attributes cannot be sent. */
  private List<Update> announce(AnnounceKey key, List<Nlri> nlri) {
    AttributeSet attrs = key.attributes();
    List<PathAttribute> list = new ArrayList<>(attrs.attributes());
    if (key.family().equals(AddressFamily.IPV4_UNICAST)) {
      if (!(attrs.nextHop() instanceof Inet4Address v4)) {
        return null;
      }
      list.add(new PathAttribute.NextHop(v4));
    } else {
      if (attrs.nextHop() == null) {
        return null;
      }
      List<InetAddress> hops = new ArrayList<>();
      hops.add(attrs.nextHop());
      if (attrs.linkLocalNextHop() != null) {
        hops.add(attrs.linkLocalNextHop());
      }
      list.add(new PathAttribute.MpReach(key.family(), hops, List.of()));
    }
    try {
      return dev.netctl.bgp.codec.UpdatePacker.announce(list, nlri, codec);
    } catch (IllegalArgumentException tooLarge) {
      return null;
    }
  }
}
