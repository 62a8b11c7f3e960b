package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Ipv4NlriList;
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

  // The announcements sharing one interned attribute set, family and audience; further
  // combinations with the same attribute set hang off next. IPv4 without ADD-PATH is packed.
  private static final class Bucket {
    final AddressFamily family;
    final AttributeSet attributes;
    final Audience audience;
    final List<Nlri> nlri;
    final Ipv4NlriList.Builder packed;
    Bucket next;

    Bucket(AddressFamily family, AttributeSet attributes, Audience audience, boolean pack) {
      this.family = family;
      this.attributes = attributes;
      this.audience = audience;
      this.nlri = pack ? null : new ArrayList<>();
      this.packed = pack ? new Ipv4NlriList.Builder() : null;
    }

    boolean matches(AddressFamily f, Audience a) {
      // Identity first: a drain asks once per prefix, nearly always with the same constants.
      return (family == f || family.equals(f)) && (audience == a || audience.equals(a));
    }
  }

  /**
   * Changes collected for packing, added one at a time: a drain feeds a million of them straight
   * from its tables, without a list of entries or a key object per change. Attribute sets are
   * interned, so they are looked up by identity; consecutive changes mostly share one bucket. IPv4
   * prefixes without ADD-PATH stay packed ({@link Ipv4NlriList}) all the way to the encoder.
   */
  final class Batch {
    private final Map<Audience, List<Nlri>> withdrawals = new LinkedHashMap<>();
    private final Map<Audience, Ipv4NlriList.Builder> packedWithdrawals = new LinkedHashMap<>();
    // Buckets by attribute set: open addressing on the set's hash (computed once, when it was
    // interned), compared by identity. An IdentityHashMap asked System.identityHashCode, a native
    // call under C1, once per prefix drained: a drain reads its table in hash order, so
    // consecutive changes seldom share a bucket (issue 14 session 16).
    private AttributeSet[] keys = new AttributeSet[16];
    private Bucket[] firsts = new Bucket[16];
    private int keyCount;
    // Buckets in first-seen order, so output order does not depend on identity hashes.
    private final List<Bucket> buckets = new ArrayList<>();
    private final boolean v4AddPath = codec.addPath(AddressFamily.IPV4_UNICAST);
    private final boolean v6AddPath = codec.addPath(AddressFamily.IPV6_UNICAST);
    private Bucket last;
    private Audience lastWithdrawn;
    private Ipv4NlriList.Builder lastWithdrawals;

    private Batch() {}

    /** Adds a change: announce {@code attributes}, or withdraw when null. */
    void add(Prefix prefix, int pathId, AttributeSet attributes, Audience audience) {
      if (!prefix.ipv6() && !v4AddPath) {
        addIpv4(Ipv4NlriList.pack(prefix), attributes, audience);
        return;
      }
      Nlri nlri = new Nlri((prefix.ipv6() ? v6AddPath : v4AddPath) ? pathId : 0, prefix);
      if (attributes == null) {
        withdrawals.computeIfAbsent(audience, k -> new ArrayList<>()).add(nlri);
      } else {
        bucket(prefix.family(), attributes, audience).nlri.add(nlri);
      }
    }

    /**
     * Adds a change of an IPv4 prefix without path id, given packed ({@link Ipv4NlriList#pack}):
     * how a drain reads it from its table.
     */
    void addIpv4(long prefix, AttributeSet attributes, Audience audience) {
      if (v4AddPath) {
        add(Ipv4NlriList.unpack(prefix), 0, attributes, audience);
      } else if (attributes == null) {
        // Consecutive withdrawals mostly share an audience, as announcements share a bucket.
        if (audience != lastWithdrawn) {
          lastWithdrawals =
              packedWithdrawals.computeIfAbsent(audience, k -> new Ipv4NlriList.Builder());
          lastWithdrawn = audience;
        }
        lastWithdrawals.add(prefix);
      } else {
        bucket(AddressFamily.IPV4_UNICAST, attributes, audience).packed.add(prefix);
      }
    }

    private Bucket bucket(AddressFamily family, AttributeSet attributes, Audience audience) {
      Bucket b = last;
      if (b == null || b.attributes != attributes || !b.matches(family, audience)) {
        int mask = keys.length - 1;
        int slot = spread(attributes.hashCode()) & mask;
        AttributeSet k;
        while ((k = keys[slot]) != null && k != attributes) {
          slot = (slot + 1) & mask;
        }
        Bucket first = k == null ? null : firsts[slot];
        b = first;
        while (b != null && !b.matches(family, audience)) {
          b = b.next;
        }
        if (b == null) {
          boolean pack = family.equals(AddressFamily.IPV4_UNICAST) && !v4AddPath;
          b = new Bucket(family, attributes, audience, pack);
          if (first == null) {
            keys[slot] = attributes;
            firsts[slot] = b;
            if (++keyCount * 2 > keys.length) {
              grow();
            }
          } else {
            b.next = first.next;
            first.next = b;
          }
          buckets.add(b);
        }
        last = b;
      }
      return b;
    }

    private void grow() {
      AttributeSet[] oldKeys = keys;
      Bucket[] oldFirsts = firsts;
      keys = new AttributeSet[oldKeys.length * 2];
      firsts = new Bucket[keys.length];
      int mask = keys.length - 1;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != null) {
          int slot = spread(oldKeys[i].hashCode()) & mask;
          while (keys[slot] != null) {
            slot = (slot + 1) & mask;
          }
          keys[slot] = oldKeys[i];
          firsts[slot] = oldFirsts[i];
        }
      }
    }

    /** The packed UPDATEs: every withdrawal first, so a batch never withdraws what it announced. */
    List<OutboundUpdate> finish() {
      // Indexed loops, lists sized ahead: no iterator and no regrowth per bucket or message.
      List<OutboundUpdate> announced = new ArrayList<>(buckets.size());
      for (int i = 0, n = buckets.size(); i < n; i++) {
        Bucket b = buckets.get(i);
        List<Nlri> nlri = b.packed != null ? b.packed.build() : b.nlri;
        List<Update> updates = announce(b.family, b.attributes, nlri);
        if (updates == null) {
          // The attributes alone exceed the message size (or there is no usable next hop): the
          // peers must not keep an older version of these routes, so withdraw them instead.
          if (nlri instanceof Ipv4NlriList packed) {
            Ipv4NlriList.Builder w =
                packedWithdrawals.computeIfAbsent(b.audience, k -> new Ipv4NlriList.Builder());
            for (int j = 0; j < packed.size(); j++) {
              w.add(packed.packed(j));
            }
          } else {
            withdrawals.computeIfAbsent(b.audience, k -> new ArrayList<>()).addAll(nlri);
          }
        } else {
          for (int j = 0, m = updates.size(); j < m; j++) {
            announced.add(new OutboundUpdate(updates.get(j), b.audience));
          }
        }
      }
      List<OutboundUpdate> out =
          new ArrayList<>(announced.size() + packedWithdrawals.size() + withdrawals.size() * 2 + 8);
      packedWithdrawals.forEach((audience, w) -> withdraw(out, w.build(), audience));
      withdrawals.forEach((audience, w) -> withdraw(out, w, audience));
      out.addAll(announced);
      return out;
    }

    private void withdraw(List<OutboundUpdate> out, List<Nlri> nlri, Audience audience) {
      List<Update> updates = dev.netctl.bgp.codec.UpdatePacker.withdraw(nlri, codec);
      for (int i = 0, n = updates.size(); i < n; i++) {
        out.add(new OutboundUpdate(updates.get(i), audience));
      }
    }
  }

  // The hash's high bits folded in: linear probing uses the low ones.
  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  private final CodecContext codec;

  UpdatePacker(CodecContext codec) {
    this.codec = codec;
  }

  /** An empty batch. */
  Batch batch() {
    return new Batch();
  }

  List<OutboundUpdate> pack(List<Entry> entries) {
    Batch batch = batch();
    for (Entry e : entries) {
      batch.add(e.prefix(), e.pathId(), e.attributes(), e.audience());
    }
    return batch.finish();
  }

  /**
   * Encodes {@code set} for IPv4 UPDATEs in {@code ctx} ahead of the drain, unless it is kept so
   * already: a RIB shard calls it for the sets it exports, so the event loop, which drains every
   * group, finds them encoded (see {@link #encodedIpv4}). A set that cannot be sent is left for the
   * drain to withdraw.
   */
  static void prepare(AttributeSet set, CodecContext ctx) {
    if (set.nextHop() instanceof Inet4Address v4) {
      try {
        encodedIpv4(set, v4, ctx);
      } catch (IllegalArgumentException tooLarge) {
        // The drain finds it so again and withdraws its prefixes.
      }
    }
  }

  /**
   * The set's IPv4 attributes encoded for {@code ctx}, kept with the interned set: encoding was the
   * largest part of packing a churn of new attribute sets (docs/benchmarks.md, issue 14 session
   * 10), and a set sent again (re-announced, or by another group alike) is not encoded again.
   * NEXT_HOP goes in its place by type code, so the encoder need not sort.
   */
  private static List<PathAttribute> encodedIpv4(
      AttributeSet attrs, Inet4Address nextHop, CodecContext ctx) {
    List<PathAttribute> kept = attrs.encoded();
    if (kept != null && dev.netctl.bgp.codec.UpdatePacker.encodedFor(kept, ctx)) {
      return kept;
    }
    // The set's own array, which nothing changes: kept by the encoding, not copied into a list.
    List<PathAttribute> encoded =
        dev.netctl.bgp.codec.UpdatePacker.encodeIpv4(attrs.array(), nextHop, ctx);
    attrs.encoded(encoded);
    return encoded;
  }

  /**
   * Octets left for NLRI in one UPDATE of {@code ctx} under {@code attrs} for IPv4 (or IPv6)
   * unicast: negative when the attributes alone do not fit (a peer without extended messages, RFC
   * 8654), or cannot be encoded at all. {@link Integer#MAX_VALUE} without a usable next hop: not a
   * matter of size (the drain withdraws such routes).
   */
  static int nlriRoom(AttributeSet attrs, boolean ipv6, CodecContext ctx) {
    try {
      if (!ipv6) {
        return attrs.nextHop() instanceof Inet4Address v4
            ? dev.netctl.bgp.codec.UpdatePacker.nlriRoom(encodedIpv4(attrs, v4, ctx), ctx)
            : Integer.MAX_VALUE;
      }
      List<PathAttribute> list = ipv6Attributes(attrs, AddressFamily.IPV6_UNICAST);
      return list == null
          ? Integer.MAX_VALUE
          : dev.netctl.bgp.codec.UpdatePacker.nlriRoom(list, ctx);
    } catch (IllegalArgumentException cannotEncode) {
      return -1;
    }
  }

  /** Octets one NLRI entry of {@code prefix} takes (RFC 4271 §4.3; RFC 7911 §3 with a path id). */
  static int nlriSize(Prefix prefix, boolean addPath) {
    return (addPath ? 4 : 0) + 1 + (prefix.length() + 7) / 8;
  }

  /** The most octets one NLRI entry takes: a path id, the length octet, an IPv6 address. */
  static final int MAX_NLRI_SIZE = 4 + 1 + 16;

  /** Attributes with the MP_REACH template for {@code family}, or null without a next hop. */
  private static List<PathAttribute> ipv6Attributes(AttributeSet attrs, AddressFamily family) {
    if (attrs.nextHop() == null) {
      return null;
    }
    List<InetAddress> hops = new ArrayList<>();
    hops.add(attrs.nextHop());
    if (attrs.linkLocalNextHop() != null) {
      hops.add(attrs.linkLocalNextHop());
    }
    List<PathAttribute> list = new ArrayList<>(attrs.attributes());
    list.add(new PathAttribute.MpReach(family, hops, List.of()));
    return list;
  }

  /** Packed announcements, or null when these attributes cannot be sent. */
  private List<Update> announce(AddressFamily family, AttributeSet attrs, List<Nlri> nlri) {
    if (family.equals(AddressFamily.IPV4_UNICAST)) {
      if (!(attrs.nextHop() instanceof Inet4Address v4)) {
        return null;
      }
      try {
        return dev.netctl.bgp.codec.UpdatePacker.announce(
            encodedIpv4(attrs, v4, codec), nlri, codec);
      } catch (IllegalArgumentException tooLarge) {
        return null;
      }
    }
    List<PathAttribute> list = ipv6Attributes(attrs, family);
    if (list == null) {
      return null;
    }
    try {
      return dev.netctl.bgp.codec.UpdatePacker.announce(list, nlri, codec);
    } catch (IllegalArgumentException tooLarge) {
      return null;
    }
  }
}
