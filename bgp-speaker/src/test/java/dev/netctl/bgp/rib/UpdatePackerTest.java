package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.ebgp;
import static dev.netctl.bgp.rib.Fixtures.ibgp;
import static dev.netctl.bgp.rib.Fixtures.ip;
import static dev.netctl.bgp.rib.Fixtures.v4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The group packer keeps each attribute set's encoded form with the interned set (per codec
 * context): every UPDATE built from it must be the octets a fresh encoding of the same attributes
 * gives, whatever the profile made of the set and whichever context asked before.
 */
class UpdatePackerTest {
  private static final CodecContext TWO_OCTET = CodecContext.INITIAL;
  private static final CodecContext FOUR_OCTET = CodecContext.FOUR_OCTET;
  private static final CodecContext FOUR_OCTET_EXTENDED = new CodecContext(true, Set.of(), true);

  /** A received set with what the encoder treats specially: 4-octet ASNs, optional attributes. */
  private static AttributeSet received() {
    return AttributeSet.of(
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.EGP),
            PathAttribute.AsPath.sequence(4_200_000_001L, 65010, 4_200_000_002L),
            new PathAttribute.MultiExitDisc(7_777_777),
            new PathAttribute.Aggregator(4_200_000_001L, v4("192.0.2.9")),
            new PathAttribute.Communities(List.of(65000 << 16 | 1, 65000 << 16 | 2)),
            // An unknown optional transitive attribute, passed on with the Partial bit.
            new PathAttribute.Unknown(0xc0, 99, new byte[] {1, 2, 3})),
        v4("10.0.0.1"));
  }

  private static OutboundProfile profile(PeerKind kind, boolean client, CodecContext codec) {
    return new OutboundProfile(
        kind,
        client,
        codec,
        Set.of(AddressFamily.IPV4_UNICAST),
        RoutePolicy.ACCEPT_ALL,
        ip("10.255.0.1"),
        null,
        null);
  }

  private static List<Nlri> nlri(int count) {
    Ipv4NlriList.Builder b = new Ipv4NlriList.Builder();
    for (int i = 0; i < count; i++) {
      b.add(Ipv4NlriList.pack(Prefix.parse("10." + (i >> 8) + "." + (i & 0xff) + ".0/24")));
    }
    return b.build();
  }

  private static List<Update> pack(UpdatePacker packer, AttributeSet set, List<Nlri> nlri) {
    UpdatePacker.Batch batch = packer.batch();
    for (Nlri n : nlri) {
      batch.add(n.prefix(), 0, set, Audience.All.INSTANCE);
    }
    List<Update> out = new ArrayList<>();
    for (OutboundUpdate u : batch.finish()) {
      out.add((Update) u.message());
    }
    return out;
  }

  /** The UPDATE encoded from a plain attribute list, as if nothing had been kept. */
  private static byte[] fresh(AttributeSet set, Update packed, CodecContext ctx) {
    List<PathAttribute> plain = new ArrayList<>(set.attributes());
    plain.add(new PathAttribute.NextHop((java.net.Inet4Address) set.nextHop()));
    return BgpEncoder.encode(new Update(List.of(), plain, packed.nlri()), ctx);
  }

  private static void assertSameAsFresh(AttributeSet set, List<Update> packed, CodecContext ctx) {
    assertThat(packed).isNotEmpty();
    for (Update u : packed) {
      assertThat(BgpEncoder.encode(u, ctx))
          .as("a kept encoding of %s for %s equals a fresh one", set, ctx)
          .isEqualTo(fresh(set, u, ctx));
    }
  }

  @Test
  void keptEncodingEqualsAFreshOneForEveryProfileKind() {
    RibConfig config = Fixtures.config();
    Route fromEbgp = new Route(ebgp("10.0.0.1", 65001), 0, received(), 0);
    Route fromIbgp = new Route(ibgp("10.0.0.2"), 0, received(), 0);
    record Case(String name, OutboundProfile profile, Route route) {}
    List<Case> cases = new ArrayList<>();
    for (CodecContext ctx : List.of(TWO_OCTET, FOUR_OCTET, FOUR_OCTET_EXTENDED)) {
      // eBGP: AS prepended, MED dropped, next hop self.
      cases.add(new Case("eBGP", profile(PeerKind.EBGP, false, ctx), fromEbgp));
      // iBGP from eBGP: LOCAL_PREF added, next hop kept.
      cases.add(new Case("iBGP", profile(PeerKind.IBGP, false, ctx), fromEbgp));
      // Reflection to a client: ORIGINATOR_ID and CLUSTER_LIST added.
      cases.add(new Case("rr-client", profile(PeerKind.IBGP, true, ctx), fromIbgp));
    }
    for (Case c : cases) {
      AttributeSet out = ExportRules.rules(config, c.profile(), false, c.route());
      CodecContext ctx = c.profile().codec();
      UpdatePacker packer = new UpdatePacker(ctx);
      List<Update> first = pack(packer, out, nlri(1500));
      assertSameAsFresh(out, first, ctx);
      List<Update> again = pack(packer, out, nlri(3));
      assertSameAsFresh(out, again, ctx);
      assertThat(again.getFirst().attributes())
          .as("%s: a set sent again is not encoded again", c.name())
          .isSameAs(first.getFirst().attributes());
    }
  }

  @Test
  void aSetSentInAnotherContextIsEncodedForThatContext() {
    // Prepended by an eBGP profile: a 4-octet AS path, which a 2-octet session gets as AS_TRANS
    // plus AS4_PATH (RFC 6793 §4.2.2).
    AttributeSet set = received().prependAs(4_200_000_009L, 2).withNextHop(v4("10.255.0.1"), null);
    for (CodecContext ctx : List.of(FOUR_OCTET, TWO_OCTET, FOUR_OCTET, TWO_OCTET)) {
      assertSameAsFresh(set, pack(new UpdatePacker(ctx), set, nlri(20)), ctx);
    }
  }

  @Test
  void aSetWithoutAnIpv4NextHopIsWithdrawnNotAnnounced() {
    AttributeSet noHop = received().withNextHop(null, null);
    UpdatePacker.Batch batch = new UpdatePacker(FOUR_OCTET).batch();
    batch.add(Prefix.parse("10.1.0.0/24"), 0, noHop, Audience.All.INSTANCE);
    List<OutboundUpdate> out = batch.finish();
    assertThat(out).hasSize(1);
    Update u = (Update) out.getFirst().message();
    assertThat(u.nlri()).isEmpty();
    assertThat(u.withdrawn()).hasSize(1);
  }

  /**
   * The octets of a whole batch, withdrawals and announcements spread over sets and messages, are
   * those of UPDATEs packed by hand: every withdrawal first, then each set's prefixes in the order
   * added, each message filled until the next prefix would pass 4,096 octets (RFC 4271 §4.3). The
   * packer cuts its packed lists without building a prefix; this reference writes every field out.
   */
  @Test
  void aBatchIsTheOctetsOfUpdatesPackedByHand() throws Exception {
    AttributeSet a = received();
    AttributeSet b =
        AttributeSet.of(
            List.of(
                new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                PathAttribute.AsPath.sequence(65001)),
            v4("10.0.0.2"));
    UpdatePacker.Batch batch = new UpdatePacker(FOUR_OCTET).batch();
    List<Prefix> withdrawn = new ArrayList<>();
    List<Prefix> ofA = new ArrayList<>();
    List<Prefix> ofB = new ArrayList<>();
    // 1,500 withdrawals (two messages), 1,200 prefixes of a (two), 5 of b (one); lengths /12../32,
    // all distinct (the top 12 bits count up).
    for (int i = 0; i < 2_705; i++) {
      int length = 12 + i % 21;
      Prefix p = Prefix.ipv4(i << 20 | (i * 0x9e37) & 0xfffff & (-1 << (32 - length)), length);
      if (i < 1_500) {
        withdrawn.add(p);
        batch.addIpv4(Ipv4NlriList.pack(p), null, Audience.All.INSTANCE);
      } else {
        AttributeSet set = i % 241 == 0 && ofB.size() < 5 ? b : a;
        (set == b ? ofB : ofA).add(p);
        batch.addIpv4(Ipv4NlriList.pack(p), set, Audience.All.INSTANCE);
      }
    }
    List<OutboundUpdate> updates = batch.finish();
    assertThat(updates).as("two withdrawals, two UPDATEs of a, one of b").hasSize(5);
    java.io.ByteArrayOutputStream packed = new java.io.ByteArrayOutputStream();
    for (OutboundUpdate u : updates) {
      packed.writeBytes(BgpEncoder.encode(u.message(), FOUR_OCTET));
    }

    java.io.ByteArrayOutputStream byHand = new java.io.ByteArrayOutputStream();
    handPacked(byHand, new byte[0], withdrawn, true);
    handPacked(byHand, attributeOctets(a), ofA, false);
    handPacked(byHand, attributeOctets(b), ofB, false);
    assertThat(packed.toByteArray()).isEqualTo(byHand.toByteArray());
  }

  /** The set's path attributes with NEXT_HOP as one encoding of them: the bytes of the field. */
  private static byte[] attributeOctets(AttributeSet set) {
    byte[] wire = fresh(set, new Update(List.of(), List.of(), List.of()), FOUR_OCTET);
    // Header (19), withdrawn length (2, zero), attribute length (2), then the attributes.
    return java.util.Arrays.copyOfRange(wire, 23, wire.length);
  }

  /** UPDATEs of {@code prefixes} in order, each as full as 4,096 octets allow. */
  private static void handPacked(
      java.io.ByteArrayOutputStream out,
      byte[] attributes,
      List<Prefix> prefixes,
      boolean withdraw) {
    java.io.ByteArrayOutputStream field = new java.io.ByteArrayOutputStream();
    for (int i = 0; i <= prefixes.size(); i++) {
      byte[] entry = i < prefixes.size() ? prefixOctets(prefixes.get(i)) : null;
      if (entry == null || 23 + attributes.length + field.size() + entry.length > 4096) {
        byte[] f = field.toByteArray();
        int length = 23 + attributes.length + f.length;
        for (int m = 0; m < 16; m++) {
          out.write(0xff); // marker
        }
        out.write(length >> 8);
        out.write(length);
        out.write(2); // UPDATE
        int withdrawnLength = withdraw ? f.length : 0;
        out.write(withdrawnLength >> 8);
        out.write(withdrawnLength);
        if (withdraw) {
          out.writeBytes(f);
        }
        out.write(attributes.length >> 8);
        out.write(attributes.length);
        out.writeBytes(attributes);
        if (!withdraw) {
          out.writeBytes(f);
        }
        field.reset();
      }
      if (entry != null) {
        field.writeBytes(entry);
      }
    }
  }

  /** Length octet, then the address octets the length needs (RFC 4271 §4.3). */
  private static byte[] prefixOctets(Prefix p) {
    byte[] out = new byte[1 + (p.length() + 7) / 8];
    out[0] = (byte) p.length();
    for (int i = 1; i < out.length; i++) {
      out[i] = p.byteAt(i - 1);
    }
    return out;
  }
}
