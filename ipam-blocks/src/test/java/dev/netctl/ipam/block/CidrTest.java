package dev.netctl.ipam.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/26, 10-0-0-0-26",
    "192.168.128.0/17, 192-168-128-0-17",
    "fd00::/122, fd00---122",
    "fd00:0:0:1::/64, fd00-0-0-1---64",
    "2001:db8:0:0:1::/80, 2001-db8-0-0-1---80",
    "::/0, ---0"
  })
  void parsesToCanonicalTextAndKeyName(String text, String name) throws Exception {
    Cidr c = Cidr.parse(text);
    assertThat(c.toString()).isEqualTo(text);
    assertThat(c.name()).isEqualTo(name);
    assertThat(Cidr.parse(c.toString())).isEqualTo(c);
  }

  @Test
  void formatsIpv6PerRfc5952() throws Exception {
    assertThat(Cidr.format(InetAddress.getByName("2001:db8:0:0:0:0:2:1")))
        .isEqualTo("2001:db8::2:1");
    // A single zero group is not compressed; the first of two equal runs is.
    assertThat(Cidr.format(InetAddress.getByName("2001:db8:0:1:1:1:1:1")))
        .isEqualTo("2001:db8:0:1:1:1:1:1");
    assertThat(Cidr.format(InetAddress.getByName("2001:0:0:1:0:0:1:1")))
        .isEqualTo("2001::1:0:0:1:1");
    assertThat(Cidr.format(InetAddress.getByName("::1"))).isEqualTo("::1");
    assertThat(Cidr.format(InetAddress.getByName("fd00::"))).isEqualTo("fd00::");
  }

  @Test
  void rejectsBadCidrsWithTheReason() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0.1/24"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.0.0.1/24")
        .hasMessageContaining("host bits");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0")).hasMessageContaining("no /prefix-length");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("out of range");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).hasMessageContaining("non-numeric");
    assertThatThrownBy(() -> Cidr.parse("example.com/24"))
        .hasMessageContaining("not an IPv4 or IPv6 address");
    assertThatThrownBy(() -> Cidr.parse("10.0.0/24"))
        .hasMessageContaining("not an IPv4 or IPv6 address");
  }

  @Test
  void rejectsAddressesTheDatastoreRejects() {
    // 010 is 8 to inet_aton and 10 to Java: refused as the datastore's pools and nodes refuse it.
    assertThatThrownBy(() -> Cidr.parseAddress("010.5.0.1"))
        .hasMessageContaining("\"010.5.0.1\" is not an IPv4 or IPv6 address");
    // Java turns ::ffff:a.b.c.d into the IPv4 address: an IPv6 literal must stay IPv6.
    assertThatThrownBy(() -> Cidr.parseAddress("::ffff:10.5.0.1"))
        .hasMessageContaining("IPv4-mapped");
    assertThat(Cidr.format(Cidr.parseAddress("10.5.0.1"))).isEqualTo("10.5.0.1");
    assertThat(Cidr.format(Cidr.parseAddress("::10.5.0.1"))).isEqualTo("::a05:1");
  }

  @Test
  void containmentRespectsFamilyAndPrefix() throws Exception {
    Cidr pool = Cidr.parse("10.0.0.0/16");
    assertThat(pool.contains(InetAddress.getByName("10.0.255.255"))).isTrue();
    assertThat(pool.contains(InetAddress.getByName("10.1.0.0"))).isFalse();
    assertThat(pool.contains(InetAddress.getByName("::ffff:10.0.0.1"))).isTrue(); // JDK maps it
    assertThat(Cidr.parse("::/0").contains(InetAddress.getByName("10.0.0.1"))).isFalse();
    assertThat(pool.contains(Cidr.parse("10.0.4.0/26"))).isTrue();
    assertThat(pool.contains(Cidr.parse("10.0.0.0/15"))).isFalse();
    assertThat(pool.overlaps(Cidr.parse("10.0.0.0/15"))).isTrue();
  }

  /**
   * Random IPv4 pools, block sizes, block indexes and ordinals: the address arithmetic agrees with
   * plain 32-bit integer arithmetic, and ordinal ↔ address ↔ block round-trips.
   */
  @Test
  void ipv4ArithmeticMatchesIntegerArithmetic() {
    long seed = System.nanoTime();
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < 5000; i++) {
      int poolPrefix = rnd.nextInt(0, 31);
      int blockPrefix = rnd.nextInt(Math.max(poolPrefix, 20), 33);
      long mask = poolPrefix == 0 ? 0 : (0xffffffffL << (32 - poolPrefix)) & 0xffffffffL;
      long net = rnd.nextLong(0, 1L << 32) & mask;
      Cidr pool = new Cidr(BigInteger.valueOf(net), poolPrefix, false);
      long blocks = 1L << (blockPrefix - poolPrefix);
      long index = rnd.nextLong(0, blocks);
      int ordinal = rnd.nextInt(0, 1 << (32 - blockPrefix));
      long expected = net + (index << (32 - blockPrefix)) + ordinal;

      Cidr block = pool.block(BigInteger.valueOf(index), blockPrefix);
      InetAddress a = block.addressAt(ordinal);
      assertThat(ByteBuffer.wrap(a.getAddress()).getInt() & 0xffffffffL)
          .as("seed %d: %s block %d /%d ordinal %d", seed, pool, index, blockPrefix, ordinal)
          .isEqualTo(expected);
      assertThat(block.offsetOf(a).intValueExact()).as("seed %d", seed).isEqualTo(ordinal);
      assertThat(pool.blockContaining(a, blockPrefix)).as("seed %d", seed).isEqualTo(block);
      assertThat(pool.blockIndex(block).longValueExact()).as("seed %d", seed).isEqualTo(index);
      assertThat(Cidr.parse(block.toString())).as("seed %d", seed).isEqualTo(block);
    }
  }

  /** The same for IPv6, checked against 64-bit halves computed independently. */
  @Test
  void ipv6ArithmeticMatchesTwoLongArithmetic() throws Exception {
    long seed = System.nanoTime();
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < 5000; i++) {
      int poolPrefix = rnd.nextInt(64, 121);
      int blockPrefix = rnd.nextInt(Math.max(poolPrefix, 116), 129);
      long hi = rnd.nextLong();
      int lowBits = 128 - poolPrefix; // <= 64
      long loMask = lowBits == 64 ? 0 : -1L << lowBits;
      long lo = rnd.nextLong() & loMask;
      ByteBuffer bb = ByteBuffer.allocate(16).putLong(hi).putLong(lo);
      Cidr pool = Cidr.parse(Cidr.format(InetAddress.getByAddress(bb.array())) + "/" + poolPrefix);
      int indexBits = blockPrefix - poolPrefix; // <= 64
      long index = indexBits >= 63 ? rnd.nextLong() >>> 1 : rnd.nextLong(0, 1L << indexBits);
      int ordinal = rnd.nextInt(0, 1 << (128 - blockPrefix));
      // lo + (index << hostBits) + ordinal never carries into hi: all of it fits in lowBits.
      long expectedLo = lo + (index << (128 - blockPrefix)) + ordinal;

      Cidr block = pool.block(BigInteger.valueOf(index), blockPrefix);
      InetAddress a = block.addressAt(ordinal);
      ByteBuffer got = ByteBuffer.wrap(a.getAddress());
      assertThat(got.getLong()).as("seed %d hi", seed).isEqualTo(hi);
      assertThat(got.getLong()).as("seed %d lo %s", seed, pool).isEqualTo(expectedLo);
      assertThat(block.offsetOf(a).intValueExact()).as("seed %d", seed).isEqualTo(ordinal);
      assertThat(pool.blockContaining(a, blockPrefix)).as("seed %d", seed).isEqualTo(block);
      assertThat(pool.blockIndex(block).longValueExact()).as("seed %d", seed).isEqualTo(index);
      assertThat(InetAddress.getByName(Cidr.format(a))).as("seed %d", seed).isEqualTo(a);
    }
  }

  @Test
  void blockIndexOutOfRangeIsRejected() {
    Cidr pool = Cidr.parse("10.0.0.0/24");
    assertThat(pool.blockCount(26)).isEqualTo(BigInteger.valueOf(4));
    assertThatThrownBy(() -> pool.block(BigInteger.valueOf(4), 26))
        .hasMessageContaining("block index 4 is outside 0..3");
    assertThatThrownBy(() -> pool.blockCount(23)).hasMessageContaining("between /24 and /32");
  }
}
