package dev.netctl.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpMessage.Update;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpdatePackerTest {
  static List<PathAttribute> attrs(String nextHop, long localPref) throws Exception {
    return List.of(
        new PathAttribute.Origin(PathAttribute.OriginType.IGP),
        PathAttribute.AsPath.EMPTY,
        new PathAttribute.NextHop((Inet4Address) InetAddress.getByName(nextHop)),
        new PathAttribute.LocalPref(localPref));
  }

  static List<Nlri> prefixes(int count) {
    List<Nlri> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(Nlri.of(Prefix.ipv4(0x0a000000 | (i << 8), 24)));
    }
    return out;
  }

  @Test
  void fillsEachUpdateToTheLimitAndLosesNothing() throws Exception {
    List<Nlri> nlri = prefixes(3000);
    List<Update> updates =
        UpdatePacker.announce(attrs("10.0.0.1", 100), nlri, CodecContext.FOUR_OCTET);
    List<Nlri> seen = new ArrayList<>();
    for (Update u : updates) {
      byte[] wire = BgpEncoder.encode(u, CodecContext.FOUR_OCTET);
      assertThat(wire.length).isLessThanOrEqualTo(4096);
      seen.addAll(u.nlri());
    }
    assertThat(seen).isEqualTo(nlri);
    // (4096 - 23 - 21 attribute octets) / 4 octets per /24 = 1013 per message.
    assertThat(updates.getFirst().nlri()).hasSize((4096 - 23 - 21) / 4);
    assertThat(updates).hasSize(3);
  }

  @Test
  void groupsRoutesByIdenticalAttributes() throws Exception {
    List<UpdatePacker.Route> routes = new ArrayList<>();
    List<Nlri> nlri = prefixes(6);
    for (int i = 0; i < nlri.size(); i++) {
      routes.add(new UpdatePacker.Route(nlri.get(i), attrs("10.0.0.1", i % 2 == 0 ? 100 : 200)));
    }
    List<Update> updates = UpdatePacker.announce(routes, CodecContext.FOUR_OCTET);
    assertThat(updates).hasSize(2);
    assertThat(updates.get(0).nlri()).containsExactly(nlri.get(0), nlri.get(2), nlri.get(4));
    assertThat(updates.get(1).nlri()).containsExactly(nlri.get(1), nlri.get(3), nlri.get(5));
  }

  @Test
  void ipv6RoutesGoIntoMpReachAndWithdrawalsIntoMpUnreach() throws Exception {
    PathAttribute.MpReach template =
        new PathAttribute.MpReach(
            AddressFamily.IPV6_UNICAST, List.of(InetAddress.getByName("2001:db8::1")), List.of());
    List<Nlri> v6 = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      v6.add(Nlri.of(Prefix.ipv6(0x20010db800000000L | ((long) i << 16), 0, 48)));
    }
    List<PathAttribute> a =
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            PathAttribute.AsPath.EMPTY,
            template);
    CodecContext ctx = new CodecContext(true, Set.of(AddressFamily.IPV6_UNICAST), false);
    List<Update> updates = UpdatePacker.announce(a, v6, ctx);
    List<Nlri> seen = new ArrayList<>();
    for (Update u : updates) {
      assertThat(BgpEncoder.encode(u, ctx).length).isLessThanOrEqualTo(4096);
      assertThat(u.nlri()).isEmpty();
      seen.addAll(u.allNlri());
    }
    assertThat(seen).isEqualTo(v6);
    assertThat(updates).hasSize(2); // 500 * (4 + 1 + 6) = 5500 octets: two messages

    List<Update> withdrawals = UpdatePacker.withdraw(v6, ctx);
    List<Nlri> gone = new ArrayList<>();
    withdrawals.forEach(u -> gone.addAll(u.allWithdrawn()));
    assertThat(gone).isEqualTo(v6);
    withdrawals.forEach(
        u -> assertThat(BgpEncoder.encode(u, ctx).length).isLessThanOrEqualTo(4096));
  }

  @Test
  void extendedMessagesHoldMoreRoutes() throws Exception {
    List<Update> updates =
        UpdatePacker.announce(
            attrs("10.0.0.1", 100), prefixes(3000), new CodecContext(true, Set.of(), true));
    assertThat(updates).hasSize(1);
  }

  @Test
  void packedUpdatesWriteTheAttributesTheyWereSizedWith() throws Exception {
    // A 4-octet AS in the path: its wire form differs between the two contexts (AS_TRANS and
    // AS4_PATH toward a 2-octet peer, RFC 6793 §4.2.2).
    List<PathAttribute> attributes = new ArrayList<>(attrs("10.0.0.1", 100));
    attributes.set(1, PathAttribute.AsPath.sequence(4200000000L, 65001));
    List<Nlri> nlri = prefixes(1500);
    for (CodecContext packedFor : List.of(CodecContext.FOUR_OCTET, CodecContext.INITIAL)) {
      List<Update> updates = UpdatePacker.announce(attributes, nlri, packedFor);
      assertThat(updates).hasSize(2);
      for (Update u : updates) {
        assertThat(u.attributes()).isEqualTo(attributes).isInstanceOf(EncodedAttributes.class);
        byte[] wire = BgpEncoder.encode(u, packedFor);
        assertThat(wire).isEqualTo(BgpEncoder.encode(plain(attributes, u), packedFor));
        assertThat(wire.length).isLessThanOrEqualTo(4096);
      }
      // Encoded for the other context (the last message has room for the other attribute
      // length): the kept octets must not be used there.
      Update last = updates.getLast();
      CodecContext other =
          packedFor == CodecContext.INITIAL ? CodecContext.FOUR_OCTET : CodecContext.INITIAL;
      assertThat(BgpEncoder.encode(last, other))
          .isEqualTo(BgpEncoder.encode(plain(attributes, last), other))
          .isNotEqualTo(BgpEncoder.encode(last, packedFor));
    }
  }

  private static Update plain(List<PathAttribute> attributes, Update packed) {
    return new Update(List.of(), attributes, packed.nlri());
  }

  /**
   * Attributes without MP_REACH/MP_UNREACH encode alike for any ADD-PATH or message-size setting,
   * so groups differing only there share one encoding; a different AS width does not.
   */
  @Test
  void anEncodingServesEveryContextOfTheSameAsWidth() {
    List<PathAttribute> attrs =
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            PathAttribute.AsPath.sequence(4_200_000_000L, 65001),
            new PathAttribute.NextHop(
                (java.net.Inet4Address) java.net.InetAddress.ofLiteral("10.0.0.1")));
    List<PathAttribute> encoded = UpdatePacker.encode(attrs, CodecContext.FOUR_OCTET);
    CodecContext addPath =
        new CodecContext(true, java.util.Set.of(AddressFamily.IPV4_UNICAST), true);
    assertThat(UpdatePacker.encodedFor(encoded, addPath)).isTrue();
    assertThat(UpdatePacker.encodedFor(encoded, CodecContext.INITIAL)).isFalse();
    List<Nlri> nlri = List.of(Nlri.of(Prefix.ipv4(0x0a000000, 24)));
    for (Update u : UpdatePacker.announce(encoded, nlri, addPath)) {
      assertThat(BgpEncoder.encode(u, addPath))
          .isEqualTo(BgpEncoder.encode(new Update(List.of(), attrs, u.nlri()), addPath));
    }
  }

  /**
   * An attribute set's array and its next hop encode as the list with NEXT_HOP in its place does,
   * for either AS width, and read back as that list; what an IPv4 set cannot hold is refused.
   */
  @Test
  void anIpv4SetsArrayEncodesAsTheListWithItsNextHop() throws Exception {
    Inet4Address hop = (Inet4Address) InetAddress.getByName("10.0.0.1");
    PathAttribute[] sorted = {
      new PathAttribute.Origin(PathAttribute.OriginType.IGP),
      PathAttribute.AsPath.sequence(4_200_000_000L, 65001),
      new PathAttribute.MultiExitDisc(7),
      new PathAttribute.LocalPref(100)
    };
    List<PathAttribute> withHop =
        List.of(sorted[0], sorted[1], new PathAttribute.NextHop(hop), sorted[2], sorted[3]);
    List<Nlri> nlri = prefixes(3);
    for (CodecContext ctx : List.of(CodecContext.FOUR_OCTET, CodecContext.INITIAL)) {
      List<PathAttribute> encoded = UpdatePacker.encodeIpv4(sorted, hop, ctx);
      assertThat(encoded).isEqualTo(withHop).hasSize(5);
      assertThat(UpdatePacker.encodedFor(encoded, ctx)).isTrue();
      for (Update u : UpdatePacker.announce(encoded, nlri, ctx)) {
        assertThat(BgpEncoder.encode(u, ctx))
            .isEqualTo(BgpEncoder.encode(new Update(List.of(), withHop, u.nlri()), ctx));
      }
    }
    // Only ORIGIN before NEXT_HOP, or nothing after it: the next hop still goes in its place.
    PathAttribute[] originOnly = {sorted[0]};
    assertThat(UpdatePacker.encodeIpv4(originOnly, hop, CodecContext.FOUR_OCTET))
        .containsExactly(sorted[0], new PathAttribute.NextHop(hop));
    PathAttribute[] medOnly = {sorted[2]};
    assertThat(UpdatePacker.encodeIpv4(medOnly, hop, CodecContext.FOUR_OCTET))
        .containsExactly(new PathAttribute.NextHop(hop), sorted[2]);

    PathAttribute[] withNextHop = {sorted[0], new PathAttribute.NextHop(hop)};
    PathAttribute[] unordered = {sorted[2], sorted[0]};
    PathAttribute[] withMpReach = {
      sorted[0], new PathAttribute.MpReach(AddressFamily.IPV6_UNICAST, List.of(hop), List.of())
    };
    for (CodecContext ctx : List.of(CodecContext.FOUR_OCTET, CodecContext.INITIAL)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> UpdatePacker.encodeIpv4(withNextHop, hop, ctx))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("NEXT_HOP at 1");
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> UpdatePacker.encodeIpv4(unordered, hop, ctx))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("type 1 at 1")
          .hasMessageContaining("ascending type-code order");
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> UpdatePacker.encodeIpv4(withMpReach, hop, ctx))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("MP_REACH_NLRI at 1");
    }
  }
}
