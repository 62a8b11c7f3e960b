package dev.netctl.agent.policy;

import static dev.netctl.agent.policy.NftAttributes.attr;

import dev.netctl.datastore.model.Cidr;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an {@link NftRule} into nf_tables expressions ({@code NFTA_RULE_EXPRESSIONS}) exactly as
 * nft 1.0.6 generates them for the rule's text (pure: writes bytes, no I/O), so {@code nft list
 * table} shows a netlink-written rule as it shows an nft-written one. The forms were read from
 * {@code nft --debug=netlink,mnl -f} of each rule form; {@code NftBatchTest} pins a few byte for
 * byte, {@code NftNetlinkOracleIT} every form against nft in a real kernel.
 *
 * <p>What nft adds on its own is added here too: the {@code meta nfproto} dependency before the
 * first {@code ip}/{@code ip6} match of a rule in an {@code inet} table, the {@code meta l4proto}
 * (and nfproto) dependency of an {@code icmp} match not preceded by its protocol, a prefix on a
 * byte boundary compared on its bytes only, a type and code compared as one 2-byte load, a port
 * range as two comparisons. Several values become an anonymous constant set (an interval set when
 * one is a prefix or range, merged and with end elements as nft writes them), sent in the same
 * batch before the rule ({@link NftAnonymousSet}).
 */
final class NftRuleEncoder {

  // nf_tables attribute and enum values (linux/netfilter/nf_tables.h)
  private static final int NFTA_LIST_ELEM = 1;
  private static final int NFTA_EXPR_NAME = 1;
  private static final int NFTA_EXPR_DATA = 2;
  private static final int NFTA_DATA_VALUE = 1;
  private static final int NFTA_DATA_VERDICT = 2;
  private static final int NFTA_VERDICT_CODE = 1;
  private static final int NFTA_VERDICT_CHAIN = 2;
  private static final int REG_VERDICT = 0;
  private static final int REG_1 = 1;
  private static final int META_MARK = 3;
  private static final int META_IIFNAME = 6;
  private static final int META_OIFNAME = 7;
  private static final int META_NFPROTO = 15;
  private static final int META_L4PROTO = 16;
  private static final int NETWORK_HEADER = 1;
  private static final int TRANSPORT_HEADER = 2;
  private static final int CMP_EQ = 0;
  private static final int CMP_NEQ = 1;
  private static final int CMP_LTE = 3;
  private static final int CMP_GTE = 5;
  private static final int NFPROTO_IPV4 = 2;
  private static final int NFPROTO_IPV6 = 10;

  /** Allocates batch-wide set ids. */
  interface SetIds {
    int next();
  }

  private final ByteBuffer b;
  private final SetIds ids;
  private final List<NftAnonymousSet> sets;
  private boolean nfproto;
  private Integer l4proto;

  private NftRuleEncoder(ByteBuffer b, SetIds ids, List<NftAnonymousSet> sets) {
    this.b = b;
    this.ids = ids;
    this.sets = sets;
  }

  /**
   * Writes the expressions of {@code rule} (the content of {@code NFTA_RULE_EXPRESSIONS}) to {@code
   * b} and adds the anonymous sets they look up to {@code sets}.
   *
   * @throws IllegalArgumentException for a form this encoder does not know (the caller uses nft)
   */
  static void expressions(NftRule rule, ByteBuffer b, SetIds ids, List<NftAnonymousSet> sets) {
    NftRuleEncoder e = new NftRuleEncoder(b, ids, sets);
    for (NftMatch m : rule.matches()) e.match(m);
    for (NftStatement s : rule.statements()) e.statement(s);
  }

  /** The rule's comment as {@code NFTA_RULE_USERDATA}, or null. */
  static byte[] userdata(NftRule rule) {
    if (rule.comment() == null) return null;
    byte[] c = rule.comment().getBytes(StandardCharsets.UTF_8);
    if (c.length + 1 > 255) throw new IllegalArgumentException("comment too long");
    byte[] u = new byte[c.length + 3];
    u[0] = 0; // NFTNL_UDATA_RULE_COMMENT
    u[1] = (byte) (c.length + 1);
    System.arraycopy(c, 0, u, 2, c.length);
    return u;
  }

  private void match(NftMatch m) {
    switch (m) {
      case NftMatch.Mark k -> {
        meta(META_MARK, REG_1);
        bitwise(host(k.mask()), host(0));
        cmp(CMP_EQ, host(k.value()));
      }
      case NftMatch.L4proto p -> {
        meta(META_L4PROTO, REG_1);
        if (p.protocols().size() == 1) {
          cmp(p.negated() ? CMP_NEQ : CMP_EQ, new byte[] {(byte) (int) p.protocols().getFirst()});
          if (!p.negated()) l4proto = p.protocols().getFirst();
        } else {
          List<NftAnonymousSet.Element> els = new ArrayList<>();
          for (int x : p.protocols().stream().distinct().toList()) {
            els.add(new NftAnonymousSet.Element(new byte[] {(byte) x}, false));
          }
          lookup(anonymous(12, 1, false, L4PROTO_TYPEOF, els), p.negated());
        }
      }
      case NftMatch.Nfproto f -> nfproto(f.family());
      case NftMatch.Icmp i -> icmp(i);
      case NftMatch.IcmpCodeNot i -> {
        icmpProtocol(i.v6());
        // no merged load here: nft merges adjacent payload matches only when both are equalities
        payload(TRANSPORT_HEADER, 0, 1, REG_1);
        cmp(CMP_EQ, new byte[] {(byte) i.type()});
        payload(TRANSPORT_HEADER, 1, 1, REG_1);
        cmp(CMP_NEQ, new byte[] {(byte) i.code()});
      }
      case NftMatch.Nets n -> nets(n);
      case NftMatch.AddressSet a -> {
        nfproto(a.family());
        address(a.family(), a.source(), REG_1);
        lookup(a.set(), 0, a.negated(), -1);
      }
      case NftMatch.NamedPortSet n -> {
        nfproto(n.family());
        int addrLen = n.family() == IpFamily.V4 ? 4 : 16;
        address(n.family(), n.source(), REG_1);
        meta(META_L4PROTO, concatRegister(addrLen));
        payload(TRANSPORT_HEADER, n.source() ? 0 : 2, 2, concatRegister(addrLen + 4));
        lookup(n.set(), 0, n.negated(), -1);
      }
      case NftMatch.Ports p -> ports(p);
      case NftMatch.CtState c -> {
        int bits = 0;
        for (String s : c.states()) bits |= NftMatch.CtState.bit(s);
        expr("ct");
        int data = begin(NFTA_EXPR_DATA);
        u32(2, 0); // NFTA_CT_KEY: state
        u32(1, REG_1); // NFTA_CT_DREG
        end(data);
        endExpr();
        bitwise(host(bits), host(0));
        cmp(CMP_NEQ, host(0));
      }
      case NftMatch.InterfacePrefix i -> {
        meta(i.input() ? META_IIFNAME : META_OIFNAME, REG_1);
        cmp(CMP_EQ, i.prefix().getBytes(StandardCharsets.US_ASCII));
      }
    }
  }

  private void statement(NftStatement s) {
    switch (s) {
      case NftStatement.MarkSet m -> {
        meta(META_MARK, REG_1);
        bitwise(host(m.and()), host(m.or()));
        expr("meta");
        int data = begin(NFTA_EXPR_DATA);
        u32(2, META_MARK); // NFTA_META_KEY
        u32(3, REG_1); // NFTA_META_SREG
        end(data);
        endExpr();
      }
      case NftStatement.Log l -> {
        expr("log");
        int data = begin(NFTA_EXPR_DATA);
        string(2, l.prefix()); // NFTA_LOG_PREFIX
        end(data);
        endExpr();
      }
      case NftStatement.Verdict v -> {
        expr("immediate");
        int data = begin(NFTA_EXPR_DATA);
        u32(1, REG_VERDICT); // NFTA_IMMEDIATE_DREG
        int d = begin(2); // NFTA_IMMEDIATE_DATA
        verdict(b, v.kind().code, v.chain());
        end(d);
        end(data);
        endExpr();
      }
      case NftStatement.InterfaceVmap v -> {
        meta(v.input() ? META_IIFNAME : META_OIFNAME, REG_1);
        lookup(v.map(), 0, false, REG_VERDICT);
      }
    }
  }

  /** A verdict as {@code NFTA_DATA_VERDICT} (inside a data attribute). */
  static void verdict(ByteBuffer b, int code, String chain) {
    int v = NftAttributes.begin(b, NFTA_DATA_VERDICT);
    NftAttributes.u32(b, NFTA_VERDICT_CODE, code);
    if (chain != null) NftAttributes.string(b, NFTA_VERDICT_CHAIN, chain);
    NftAttributes.end(b, v);
  }

  private void nfproto(IpFamily f) {
    if (nfproto) return;
    meta(META_NFPROTO, REG_1);
    cmp(CMP_EQ, new byte[] {(byte) (f == IpFamily.V4 ? NFPROTO_IPV4 : NFPROTO_IPV6)});
    nfproto = true;
  }

  private void icmp(NftMatch.Icmp i) {
    icmpProtocol(i.v6());
    if (i.code() == null) {
      payload(TRANSPORT_HEADER, 0, 1, REG_1);
      cmp(i.negated() ? CMP_NEQ : CMP_EQ, new byte[] {(byte) i.type()});
    } else {
      // type and code are adjacent: one load, one comparison
      payload(TRANSPORT_HEADER, 0, 2, REG_1);
      cmp(CMP_EQ, new byte[] {(byte) i.type(), (byte) (int) i.code()});
    }
  }

  /** The protocol dependency nft puts before an ICMP header match not preceded by its protocol. */
  private void icmpProtocol(boolean v6) {
    int proto = v6 ? Protocols.ICMPV6 : Protocols.ICMP;
    if (l4proto == null || l4proto != proto) {
      nfproto(v6 ? IpFamily.V6 : IpFamily.V4);
      meta(META_L4PROTO, REG_1);
      cmp(CMP_EQ, new byte[] {(byte) proto});
      l4proto = proto;
    }
  }

  private void nets(NftMatch.Nets n) {
    IpFamily f = n.family();
    int len = f == IpFamily.V4 ? 4 : 16;
    int offset = offset(f, n.source());
    nfproto(f);
    if (n.nets().size() == 1) {
      Cidr c = n.nets().getFirst();
      byte[] a = c.masked().address().getAddress();
      int plen = c.prefixLength();
      int op = n.negated() ? CMP_NEQ : CMP_EQ;
      if (plen > 0 && plen % 8 == 0) {
        // a prefix on a byte boundary compares only its bytes
        payload(NETWORK_HEADER, offset, plen / 8, REG_1);
        cmp(op, java.util.Arrays.copyOf(a, plen / 8));
      } else {
        payload(NETWORK_HEADER, offset, len, REG_1);
        bitwise(mask(plen, len), new byte[len]);
        cmp(op, a);
      }
      return;
    }
    payload(NETWORK_HEADER, offset, len, REG_1);
    boolean interval = n.nets().stream().anyMatch(c -> c.prefixLength() < len * 8);
    List<BigInteger[]> ranges = new ArrayList<>();
    for (Cidr c : n.nets()) {
      BigInteger first = new BigInteger(1, c.masked().address().getAddress());
      BigInteger size = BigInteger.ONE.shiftLeft(len * 8 - c.prefixLength());
      ranges.add(new BigInteger[] {first, first.add(size).subtract(BigInteger.ONE)});
    }
    byte[] typeof = payloadTypeof(f == IpFamily.V4 ? 12 : 13, field(f, n.source()));
    lookup(
        anonymous(
            f == IpFamily.V4 ? 7 : 8,
            len,
            interval,
            typeof,
            NftAnonymousSet.elements(ranges, len, interval)),
        n.negated());
  }

  private void ports(NftMatch.Ports p) {
    payload(TRANSPORT_HEADER, p.source() ? 0 : 2, 2, REG_1);
    if (p.ports().size() == 1) {
      PortRange r = p.ports().getFirst();
      if (r.first() == r.last()) {
        cmp(p.negated() ? CMP_NEQ : CMP_EQ, port(r.first()));
      } else if (p.negated()) {
        expr("range");
        int data = begin(NFTA_EXPR_DATA);
        u32(1, REG_1); // NFTA_RANGE_SREG
        u32(2, 1); // NFTA_RANGE_OP: NFT_RANGE_NEQ
        value(3, port(r.first()));
        value(4, port(r.last()));
        end(data);
        endExpr();
      } else {
        cmp(CMP_GTE, port(r.first()));
        cmp(CMP_LTE, port(r.last()));
      }
      return;
    }
    boolean interval = p.ports().stream().anyMatch(r -> r.first() != r.last());
    List<BigInteger[]> ranges = new ArrayList<>();
    for (PortRange r : p.ports()) {
      ranges.add(new BigInteger[] {BigInteger.valueOf(r.first()), BigInteger.valueOf(r.last())});
    }
    byte[] typeof = payloadTypeof(11, p.source() ? 1 : 2);
    lookup(
        anonymous(13, 2, interval, typeof, NftAnonymousSet.elements(ranges, 2, interval)),
        p.negated());
  }

  private NftAnonymousSet anonymous(
      int keyType,
      int keyLength,
      boolean interval,
      byte[] typeof,
      List<NftAnonymousSet.Element> elements) {
    NftAnonymousSet s =
        NftAnonymousSet.of(ids.next(), keyType, keyLength, interval, typeof, elements);
    sets.add(s);
    return s;
  }

  // the typeof of a meta l4proto key (expression 9 "meta", key 16), as nft writes it
  private static final byte[] L4PROTO_TYPEOF = {0, 4, 9, 0, 0, 0, 1, 6, 0, 4, 16, 0, 0, 0};

  /** The typeof of a payload key: expression 7 "payload", protocol description and field. */
  private static byte[] payloadTypeof(int desc, int field) {
    return new byte[] {
      0, 4, 7, 0, 0, 0, 1, 12, 0, 4, (byte) desc, 0, 0, 0, 1, 4, (byte) field, 0, 0, 0
    };
  }

  private static int field(IpFamily f, boolean source) {
    if (f == IpFamily.V4) return source ? 11 : 12;
    return source ? 8 : 9;
  }

  private static int offset(IpFamily f, boolean source) {
    if (f == IpFamily.V4) return source ? 12 : 16;
    return source ? 8 : 24;
  }

  private void address(IpFamily f, boolean source, int reg) {
    payload(NETWORK_HEADER, offset(f, source), f == IpFamily.V4 ? 4 : 16, reg);
  }

  /**
   * The register of a concatenation's part at {@code byteOffset}: nft numbers 16-byte registers
   * {@code NFT_REG_1..4} and 4-byte ones {@code NFT_REG32_00..}, and writes a 16-byte-aligned part
   * with the former.
   */
  private static int concatRegister(int byteOffset) {
    int i = byteOffset / 4;
    return i % 4 == 0 ? REG_1 + i / 4 : 8 + i;
  }

  private static byte[] mask(int prefix, int len) {
    byte[] m = new byte[len];
    for (int i = 0; i < prefix; i++) m[i / 8] |= (byte) (0x80 >>> (i % 8));
    return m;
  }

  private static byte[] port(int p) {
    return new byte[] {(byte) (p >>> 8), (byte) p};
  }

  private static byte[] host(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
  }

  // ---------------------------------------------------------------- expressions

  private int exprStart;

  private void expr(String name) {
    exprStart = begin(NFTA_LIST_ELEM);
    string(NFTA_EXPR_NAME, name);
  }

  private void endExpr() {
    end(exprStart);
  }

  private void meta(int key, int dreg) {
    expr("meta");
    int data = begin(NFTA_EXPR_DATA);
    u32(2, key); // NFTA_META_KEY
    u32(1, dreg); // NFTA_META_DREG
    end(data);
    endExpr();
  }

  private void payload(int base, int offset, int len, int dreg) {
    expr("payload");
    int data = begin(NFTA_EXPR_DATA);
    u32(1, dreg); // NFTA_PAYLOAD_DREG
    u32(2, base);
    u32(3, offset);
    u32(4, len);
    end(data);
    endExpr();
  }

  private void cmp(int op, byte[] value) {
    expr("cmp");
    int data = begin(NFTA_EXPR_DATA);
    u32(1, REG_1); // NFTA_CMP_SREG
    u32(2, op);
    value(3, value);
    end(data);
    endExpr();
  }

  private void bitwise(byte[] mask, byte[] xor) {
    expr("bitwise");
    int data = begin(NFTA_EXPR_DATA);
    u32(1, REG_1); // NFTA_BITWISE_SREG
    u32(2, REG_1); // NFTA_BITWISE_DREG
    u32(6, 0); // NFTA_BITWISE_OP: NFT_BITWISE_BOOL
    u32(3, mask.length);
    value(4, mask);
    value(5, xor);
    end(data);
    endExpr();
  }

  private void lookup(NftAnonymousSet s, boolean inverted) {
    lookup("__set%d", s.id(), inverted, -1);
  }

  private void lookup(String set, int id, boolean inverted, int dreg) {
    expr("lookup");
    int data = begin(NFTA_EXPR_DATA);
    u32(2, REG_1); // NFTA_LOOKUP_SREG
    if (dreg >= 0) u32(3, dreg);
    string(1, set); // NFTA_LOOKUP_SET
    if (id != 0) u32(4, id); // NFTA_LOOKUP_SET_ID
    if (inverted) u32(5, 1); // NFTA_LOOKUP_FLAGS: NFT_LOOKUP_F_INV
    end(data);
    endExpr();
  }

  private void value(int type, byte[] v) {
    int n = begin(type);
    attr(b, NFTA_DATA_VALUE, v);
    end(n);
  }

  private void u32(int type, int v) {
    NftAttributes.u32(b, type, v);
  }

  private void string(int type, String s) {
    NftAttributes.string(b, type, s);
  }

  private int begin(int type) {
    return NftAttributes.begin(b, type);
  }

  private void end(int start) {
    NftAttributes.end(b, start);
  }
}
