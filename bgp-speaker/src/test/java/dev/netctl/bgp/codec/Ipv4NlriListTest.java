package dev.netctl.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.bgp.codec.BgpMessage.Update;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Ipv4NlriListTest {
  private static Ipv4NlriList packed(List<Nlri> nlri) {
    Ipv4NlriList.Builder b = new Ipv4NlriList.Builder();
    nlri.forEach(n -> b.add(Ipv4NlriList.pack(n.prefix())));
    return b.build();
  }

  /** Prefixes of every length, host bits cleared as the codec reads them. */
  private static List<Nlri> randomPrefixes(long seed, int count) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Nlri> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(Nlri.of(Prefix.ipv4(random.nextInt(), random.nextInt(33))));
    }
    return out;
  }

  @Test
  void readsBackAsTheSameNlriAndEqualsAnyListOfThem() {
    List<Nlri> plain = randomPrefixes(0x11, 500);
    Ipv4NlriList list = packed(plain);
    assertThat(list).isEqualTo(plain).hasSameHashCodeAs(plain);
    assertThat(list.subList(100, 200)).isEqualTo(plain.subList(100, 200));
    assertThat(list.subList(100, 200).subList(10, 20)).isEqualTo(plain.subList(110, 120));
    assertThat(new Ipv4NlriList.Builder().build()).isEmpty();
    assertThatThrownBy(() -> Ipv4NlriList.pack(Prefix.parse("2001:db8::/32")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an IPv4 prefix");
  }

  @Test
  void anUpdateKeepsThePackedListAndEncodesItByteForByteAsPlainNlri() {
    List<Nlri> plain = randomPrefixes(0x22, 300);
    Ipv4NlriList list = packed(plain);
    List<PathAttribute> attrs =
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            PathAttribute.AsPath.EMPTY,
            new PathAttribute.NextHop(
                (java.net.Inet4Address) Prefix.parse("192.0.2.1/32").address()));
    Update fromPacked = new Update(list.subList(0, 100), attrs, list.subList(100, 300));
    Update fromPlain = new Update(plain.subList(0, 100), attrs, plain.subList(100, 300));
    assertThat(fromPacked.nlri()).isInstanceOf(Ipv4NlriList.class);
    assertThat(fromPacked).isEqualTo(fromPlain);
    CodecContext addPath = new CodecContext(true, Set.of(AddressFamily.IPV4_UNICAST), false);
    for (CodecContext ctx : List.of(CodecContext.FOUR_OCTET, addPath)) {
      assertThat(BgpEncoder.encode(fromPacked, ctx)).isEqualTo(BgpEncoder.encode(fromPlain, ctx));
    }
  }

  @Test
  void thePackerCutsAPackedListWhereItCutsPlainNlri() throws Exception {
    List<Nlri> plain = randomPrefixes(0x33, 3000);
    Ipv4NlriList list = packed(plain);
    List<PathAttribute> attrs = UpdatePackerTest.attrs("10.0.0.1", 100);
    CodecContext ctx = CodecContext.FOUR_OCTET;
    List<Update> fromPacked = UpdatePacker.announce(attrs, list, ctx);
    assertThat(fromPacked).isEqualTo(UpdatePacker.announce(attrs, plain, ctx));
    assertThat(fromPacked).allMatch(u -> u.nlri() instanceof Ipv4NlriList);
    List<Update> withdrawn = UpdatePacker.withdraw(list, ctx);
    assertThat(withdrawn).isEqualTo(UpdatePacker.withdraw(plain, ctx));
    for (Update u : withdrawn) {
      assertThat(BgpEncoder.encode(u, ctx).length).isLessThanOrEqualTo(ctx.maxMessageSize());
    }
  }
}
