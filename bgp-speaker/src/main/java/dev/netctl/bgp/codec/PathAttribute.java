package dev.netctl.bgp.codec;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A BGP path attribute (RFC 4271 §4.3 and §5, plus the RFCs named on each record).
 *
 * <p>Records hold decoded values; the encoder derives the wire flags from the type, except for
 * {@link Unknown}, which carries its own.
 *
 * <p>Every record here has written-out {@code equals}/{@code hashCode}: the generated ones go
 * through {@code ObjectMethods} method handles that the C1-only speaker JVM does not inline, and
 * each UPDATE received hashes its attributes (the interner's key) and compares them on a hit. A
 * field added to a record must be added to both (PathAttributeEqualityTest fails otherwise).
 */
public sealed interface PathAttribute {
  /** Optional bit of the attribute flags octet. */
  int FLAG_OPTIONAL = 0x80;

  /** Transitive bit. */
  int FLAG_TRANSITIVE = 0x40;

  /** Partial bit. */
  int FLAG_PARTIAL = 0x20;

  /** Extended-length bit: the length field has two octets. */
  int FLAG_EXTENDED_LENGTH = 0x10;

  /** The attribute type code. */
  AttributeType type();

  /**
   * Sorts {@code attributes} by ascending type code (stable) unless they already are in that order,
   * as senders SHOULD put them (RFC 4271 §5): the check costs no comparator and no sort per UPDATE.
   */
  static void sortByTypeCode(List<? extends PathAttribute> attributes) {
    for (int i = 1, n = attributes.size(); i < n; i++) {
      if (attributes.get(i - 1).type().code() > attributes.get(i).type().code()) {
        attributes.sort(Comparator.comparingInt(a -> a.type().code()));
        return;
      }
    }
  }

  /**
   * Whether two lists hold equal elements in the same order, by index: {@code List.equals} of the
   * immutable lists takes an iterator, which C1 does not remove, and the interner compares the
   * attributes of every UPDATE received with those of the set it finds.
   */
  private static boolean sameElements(List<?> a, List<?> b) {
    int n = a.size();
    if (n != b.size()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      Object x = a.get(i);
      Object y = b.get(i);
      if (x != y && !x.equals(y)) {
        return false;
      }
    }
    return true;
  }

  /** ORIGIN values (RFC 4271 §5.1.1). */
  enum OriginType {
    /** Learned from an interior protocol. */
    IGP,
    /** Learned via EGP. */
    EGP,
    /** Learned some other way. */
    INCOMPLETE
  }

  /**
   * ORIGIN, well-known mandatory (RFC 4271 §5.1.1).
   *
   * @param value where the route came from
   */
  record Origin(OriginType value) implements PathAttribute {
    /** Validates the value is present. */
    public Origin {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof Origin x && value == x.value);
    }

    @Override
    public int hashCode() {
      return value.hashCode();
    }

    @Override
    public AttributeType type() {
      return AttributeType.ORIGIN;
    }
  }

  /** AS_PATH segment types (RFC 4271 §4.3; confederation types RFC 5065). */
  enum SegmentType {
    /** Unordered set, counts as one hop. */
    AS_SET(1),
    /** Ordered sequence. */
    AS_SEQUENCE(2),
    /** Confederation sequence (RFC 5065). */
    AS_CONFED_SEQUENCE(3),
    /** Confederation set (RFC 5065). */
    AS_CONFED_SET(4);

    private final int code;

    SegmentType(int code) {
      this.code = code;
    }

    /** The wire code. */
    public int code() {
      return code;
    }

    /** Whether this is a confederation segment (RFC 5065). */
    public boolean confederation() {
      return this == AS_CONFED_SEQUENCE || this == AS_CONFED_SET;
    }

    // By wire code (1..4 follow the declaration order): values() copies its array on every call,
    // and this runs for every segment received.
    private static final SegmentType[] BY_CODE = {
      null, AS_SET, AS_SEQUENCE, AS_CONFED_SEQUENCE, AS_CONFED_SET
    };

    /** The type for a wire code, or null when the code is undefined. */
    public static SegmentType fromCode(int code) {
      return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
  }

  /**
   * One AS_PATH segment; ASNs are unsigned 32-bit values.
   *
   * @param type segment type
   * @param asns the AS numbers in order (held as ints, not boxes: see {@link #asn})
   */
  record Segment(SegmentType type, List<Long> asns) {
    /** Validates and copies. */
    public Segment {
      Objects.requireNonNull(type, "type");
      asns = IntValues.Asns.copyOf(asns);
    }

    /**
     * The AS number at {@code index}, without the box {@code asns().get(index)} makes: the list
     * holds the numbers as ints.
     */
    public long asn(int index) {
      return ((IntValues.Asns) asns).asn(index);
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof Segment x && type == x.type && asns.equals(x.asns));
    }

    // The type's wire code, not its identity hash; the numbers' hash is kept by their list.
    @Override
    public int hashCode() {
      return type.code() * 31 + asns.hashCode();
    }

    /** An AS_SEQUENCE of the given ASNs. */
    public static Segment sequence(long... asns) {
      return new Segment(SegmentType.AS_SEQUENCE, held(asns));
    }

    /** An AS_SET of the given ASNs. */
    public static Segment set(long... asns) {
      return new Segment(SegmentType.AS_SET, held(asns));
    }

    private static IntValues.Asns held(long[] asns) {
      int[] out = new int[asns.length];
      for (int i = 0; i < out.length; i++) {
        if (asns[i] < 0 || asns[i] > 0xffffffffL) {
          throw new IllegalArgumentException("AS number " + asns[i] + " is outside 0..4294967295");
        }
        out[i] = (int) asns[i];
      }
      return new IntValues.Asns(out);
    }
  }

  /**
   * AS_PATH, well-known mandatory (RFC 4271 §5.1.2). Values are whatever width was negotiated: from
   * a 2-octet peer they may contain AS_TRANS, with the real path in {@link As4Path}.
   *
   * @param segments segments in order
   */
  record AsPath(List<Segment> segments) implements PathAttribute {
    /** An empty path, as originated toward iBGP peers. */
    public static final AsPath EMPTY = new AsPath(List.of());

    /** Copies the list. */
    public AsPath {
      segments = List.copyOf(segments);
    }

    /** A path of one AS_SEQUENCE. */
    public static AsPath sequence(long... asns) {
      return asns.length == 0 ? EMPTY : new AsPath(List.of(Segment.sequence(asns)));
    }

    /** Path length for best-path: a set counts as one, confederation segments as zero. */
    public int pathLength() {
      int n = 0;
      // By index: an iterator per new attribute set (AttributeSet decodes the length once).
      for (int i = 0, k = segments.size(); i < k; i++) {
        Segment s = segments.get(i);
        switch (s.type()) {
          case AS_SEQUENCE -> n += s.asns().size();
          case AS_SET -> n += 1;
          case AS_CONFED_SEQUENCE, AS_CONFED_SET -> {}
        }
      }
      return n;
    }

    /**
     * The real path of a route received from a 2-octet speaker: the leading part of this AS_PATH
     * that the AS4_PATH does not cover, followed by the AS4_PATH (RFC 6793 §4.2.3). An AS4_PATH
     * longer than this path is ignored, as the RFC says.
     */
    public AsPath merge(As4Path as4) {
      int keep = pathLength() - new AsPath(as4.segments()).pathLength();
      if (keep < 0) {
        return this;
      }
      List<Segment> out = new java.util.ArrayList<>();
      for (Segment s : segments) {
        switch (s.type()) {
          case AS_CONFED_SEQUENCE, AS_CONFED_SET -> out.add(s);
          case AS_SET -> {
            if (keep > 0) {
              out.add(s);
              keep--;
            }
          }
          case AS_SEQUENCE -> {
            int take = Math.min(keep, s.asns().size());
            if (take > 0) {
              out.add(new Segment(SegmentType.AS_SEQUENCE, s.asns().subList(0, take)));
              keep -= take;
            }
          }
        }
      }
      for (Segment s : as4.segments()) {
        int last = out.size() - 1;
        if (last >= 0
            && s.type() == SegmentType.AS_SEQUENCE
            && out.get(last).type() == SegmentType.AS_SEQUENCE) {
          // Join the two halves so equal paths compare equal.
          List<Long> joined = new java.util.ArrayList<>(out.get(last).asns());
          joined.addAll(s.asns());
          out.set(last, new Segment(SegmentType.AS_SEQUENCE, joined));
        } else {
          out.add(s);
        }
      }
      return new AsPath(out);
    }

    /** The first AS of the first AS_SEQUENCE, or -1 (the neighbour AS for eBGP routes). */
    public long firstAs() {
      return segments.isEmpty()
              || segments.get(0).type() != SegmentType.AS_SEQUENCE
              || segments.get(0).asns().isEmpty()
          ? -1
          : segments.get(0).asn(0);
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof AsPath x && sameElements(segments, x.segments));
    }

    @Override
    public int hashCode() {
      return segments.hashCode();
    }

    @Override
    public AttributeType type() {
      return AttributeType.AS_PATH;
    }
  }

  /**
   * NEXT_HOP, well-known mandatory for IPv4 NLRI in the UPDATE body (RFC 4271 §5.1.3).
   *
   * @param address the IPv4 next hop
   */
  record NextHop(Inet4Address address) implements PathAttribute {
    /** Validates the address is present. */
    public NextHop {
      Objects.requireNonNull(address, "address");
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof NextHop x && address.equals(x.address));
    }

    @Override
    public int hashCode() {
      return address.hashCode();
    }

    @Override
    public AttributeType type() {
      return AttributeType.NEXT_HOP;
    }

    @Override
    public String toString() {
      return "NextHop[" + AddressText.of(address) + "]";
    }
  }

  /**
   * MULTI_EXIT_DISC, optional non-transitive (RFC 4271 §5.1.4).
   *
   * @param value unsigned 32-bit metric
   */
  record MultiExitDisc(long value) implements PathAttribute {
    /** Validates the range. */
    public MultiExitDisc {
      checkU32("MULTI_EXIT_DISC", value);
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof MultiExitDisc x && value == x.value);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(value);
    }

    @Override
    public AttributeType type() {
      return AttributeType.MULTI_EXIT_DISC;
    }
  }

  /**
   * LOCAL_PREF, well-known, iBGP only (RFC 4271 §5.1.5).
   *
   * @param value unsigned 32-bit preference
   */
  record LocalPref(long value) implements PathAttribute {
    /** Validates the range. */
    public LocalPref {
      checkU32("LOCAL_PREF", value);
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof LocalPref x && value == x.value);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(value);
    }

    @Override
    public AttributeType type() {
      return AttributeType.LOCAL_PREF;
    }
  }

  /** ATOMIC_AGGREGATE, well-known discretionary, no value (RFC 4271 §5.1.6). */
  record AtomicAggregate() implements PathAttribute {
    @Override
    public boolean equals(Object o) {
      return o instanceof AtomicAggregate;
    }

    @Override
    public int hashCode() {
      return AttributeType.ATOMIC_AGGREGATE.code();
    }

    @Override
    public AttributeType type() {
      return AttributeType.ATOMIC_AGGREGATE;
    }
  }

  /**
   * AGGREGATOR, optional transitive (RFC 4271 §5.1.7; 4-octet form RFC 6793).
   *
   * @param asn aggregating AS (AS_TRANS toward 2-octet peers when it does not fit)
   * @param address aggregating speaker's BGP identifier
   */
  record Aggregator(long asn, Inet4Address address) implements PathAttribute {
    /** Validates. */
    public Aggregator {
      checkU32("AGGREGATOR AS", asn);
      Objects.requireNonNull(address, "address");
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof Aggregator x && asn == x.asn && address.equals(x.address));
    }

    @Override
    public int hashCode() {
      return Long.hashCode(asn) * 31 + address.hashCode();
    }

    @Override
    public AttributeType type() {
      return AttributeType.AGGREGATOR;
    }

    @Override
    public String toString() {
      return "Aggregator[asn=" + asn + ", address=" + AddressText.of(address) + "]";
    }
  }

  /**
   * COMMUNITIES, optional transitive (RFC 1997); each community is a 32-bit value.
   *
   * @param values communities in received order
   */
  record Communities(List<Integer> values) implements PathAttribute {
    /** NO_EXPORT (RFC 1997): not to be advertised outside the AS. */
    public static final int NO_EXPORT = 0xFFFFFF01;

    /** NO_ADVERTISE (RFC 1997): not to be advertised to any peer. */
    public static final int NO_ADVERTISE = 0xFFFFFF02;

    /** NO_EXPORT_SUBCONFED (RFC 1997): not outside the (sub-)AS; without confederations, the AS. */
    public static final int NO_EXPORT_SUBCONFED = 0xFFFFFF03;

    /** Copies the list. */
    public Communities {
      values = IntValues.Ints.copyOf(values);
    }

    /**
     * The community at {@code index}, without the box {@code values().get(index)} makes: the list
     * holds the values as ints.
     */
    public int value(int index) {
      return ((IntValues.Ints) values).values[index];
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof Communities x && values.equals(x.values));
    }

    @Override
    public int hashCode() {
      return values.hashCode();
    }

    @Override
    public AttributeType type() {
      return AttributeType.COMMUNITIES;
    }
  }

  /**
   * ORIGINATOR_ID, optional non-transitive (RFC 4456 §8).
   *
   * @param id the originator's router id
   */
  record OriginatorId(Inet4Address id) implements PathAttribute {
    /** Validates. */
    public OriginatorId {
      Objects.requireNonNull(id, "id");
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof OriginatorId x && id.equals(x.id));
    }

    @Override
    public int hashCode() {
      return id.hashCode();
    }

    @Override
    public AttributeType type() {
      return AttributeType.ORIGINATOR_ID;
    }

    @Override
    public String toString() {
      return "OriginatorId[" + AddressText.of(id) + "]";
    }
  }

  /**
   * CLUSTER_LIST, optional non-transitive (RFC 4456 §8).
   *
   * @param clusterIds cluster ids, most recent first
   */
  record ClusterList(List<Inet4Address> clusterIds) implements PathAttribute {
    /** Copies the list. */
    public ClusterList {
      clusterIds = List.copyOf(clusterIds);
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof ClusterList x && sameElements(clusterIds, x.clusterIds));
    }

    @Override
    public int hashCode() {
      return clusterIds.hashCode();
    }

    @Override
    public AttributeType type() {
      return AttributeType.CLUSTER_LIST;
    }

    @Override
    public String toString() {
      return "ClusterList" + clusterIds.stream().map(AddressText::of).toList();
    }
  }

  /**
   * MP_REACH_NLRI, optional non-transitive (RFC 4760 §3).
   *
   * @param family AFI/SAFI of the NLRI
   * @param nextHops one next hop, or for IPv6 a global plus a link-local address (RFC 2545 §3)
   * @param nlri reachable prefixes
   */
  record MpReach(AddressFamily family, List<InetAddress> nextHops, List<Nlri> nlri)
      implements PathAttribute {
    /** Copies the lists. */
    public MpReach {
      Objects.requireNonNull(family, "family");
      nextHops = List.copyOf(nextHops);
      nlri = List.copyOf(nlri);
    }

    @Override
    public boolean equals(Object o) {
      return o == this
          || (o instanceof MpReach x
              && family.equals(x.family)
              && nextHops.equals(x.nextHops)
              && nlri.equals(x.nlri));
    }

    @Override
    public int hashCode() {
      return (family.hashCode() * 31 + nextHops.hashCode()) * 31 + nlri.hashCode();
    }

    @Override
    public AttributeType type() {
      return AttributeType.MP_REACH_NLRI;
    }

    @Override
    public String toString() {
      return "MpReach[family="
          + family
          + ", nextHops="
          + nextHops.stream().map(AddressText::of).toList()
          + ", nlri="
          + nlri
          + "]";
    }
  }

  /**
   * MP_UNREACH_NLRI, optional non-transitive (RFC 4760 §4). With no NLRI it is an End-of-RIB marker
   * (RFC 4724 §2).
   *
   * @param family AFI/SAFI of the withdrawn NLRI
   * @param withdrawn withdrawn prefixes
   */
  record MpUnreach(AddressFamily family, List<Nlri> withdrawn) implements PathAttribute {
    /** Copies the list. */
    public MpUnreach {
      Objects.requireNonNull(family, "family");
      withdrawn = List.copyOf(withdrawn);
    }

    @Override
    public boolean equals(Object o) {
      return o == this
          || (o instanceof MpUnreach x && family.equals(x.family) && withdrawn.equals(x.withdrawn));
    }

    @Override
    public int hashCode() {
      return family.hashCode() * 31 + withdrawn.hashCode();
    }

    @Override
    public AttributeType type() {
      return AttributeType.MP_UNREACH_NLRI;
    }
  }

  /**
   * AS4_PATH, optional transitive, sent only between 2-octet and 4-octet speakers (RFC 6793 §3).
   *
   * @param segments segments with 4-octet ASNs
   */
  record As4Path(List<Segment> segments) implements PathAttribute {
    /** Copies the list. */
    public As4Path {
      segments = List.copyOf(segments);
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof As4Path x && sameElements(segments, x.segments));
    }

    @Override
    public int hashCode() {
      return segments.hashCode();
    }

    @Override
    public AttributeType type() {
      return AttributeType.AS4_PATH;
    }
  }

  /**
   * AS4_AGGREGATOR, optional transitive (RFC 6793 §3).
   *
   * @param asn 4-octet aggregating AS
   * @param address aggregating speaker's BGP identifier
   */
  record As4Aggregator(long asn, Inet4Address address) implements PathAttribute {
    /** Validates. */
    public As4Aggregator {
      checkU32("AS4_AGGREGATOR AS", asn);
      Objects.requireNonNull(address, "address");
    }

    @Override
    public boolean equals(Object o) {
      return o == this
          || (o instanceof As4Aggregator x && asn == x.asn && address.equals(x.address));
    }

    @Override
    public int hashCode() {
      return Long.hashCode(asn) * 31 + address.hashCode();
    }

    @Override
    public AttributeType type() {
      return AttributeType.AS4_AGGREGATOR;
    }

    @Override
    public String toString() {
      return "As4Aggregator[asn=" + asn + ", address=" + AddressText.of(address) + "]";
    }
  }

  /**
   * One large community (RFC 8092 §3): three unsigned 32-bit values.
   *
   * @param globalAdmin the AS that defined it
   * @param localData1 first local value
   * @param localData2 second local value
   */
  record LargeCommunity(long globalAdmin, long localData1, long localData2) {
    /** Validates ranges. */
    public LargeCommunity {
      checkU32("large community global administrator", globalAdmin);
      checkU32("large community local data 1", localData1);
      checkU32("large community local data 2", localData2);
    }

    @Override
    public boolean equals(Object o) {
      return o == this
          || (o instanceof LargeCommunity x
              && globalAdmin == x.globalAdmin
              && localData1 == x.localData1
              && localData2 == x.localData2);
    }

    @Override
    public int hashCode() {
      return (Long.hashCode(globalAdmin) * 31 + Long.hashCode(localData1)) * 31
          + Long.hashCode(localData2);
    }

    @Override
    public String toString() {
      return globalAdmin + ":" + localData1 + ":" + localData2;
    }
  }

  /**
   * LARGE_COMMUNITY, optional transitive (RFC 8092).
   *
   * @param values large communities in received order
   */
  record LargeCommunities(List<LargeCommunity> values) implements PathAttribute {
    /** Copies the list. */
    public LargeCommunities {
      values = List.copyOf(values);
    }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof LargeCommunities x && sameElements(values, x.values));
    }

    @Override
    public int hashCode() {
      return values.hashCode();
    }

    @Override
    public AttributeType type() {
      return AttributeType.LARGE_COMMUNITY;
    }
  }

  /**
   * An attribute this codec does not interpret, carried as received (RFC 4271 §5: optional
   * transitive attributes are passed on with the Partial bit set).
   *
   * @param flags the received flags octet (extended-length bit is recomputed on encode)
   * @param typeCode the type code
   * @param value the attribute value bytes
   */
  record Unknown(int flags, int typeCode, byte[] value) implements PathAttribute {
    /** Validates and copies. */
    public Unknown {
      if (flags < 0 || flags > 0xff || typeCode < 0 || typeCode > 0xff) {
        throw new IllegalArgumentException(
            "attribute flags " + flags + " and type " + typeCode + " must each fit one octet");
      }
      flags &= ~FLAG_EXTENDED_LENGTH;
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    @Override
    public AttributeType type() {
      return AttributeType.valueOf(typeCode);
    }

    /** Whether the optional and transitive bits are both set. */
    public boolean isOptionalTransitive() {
      return (flags & (FLAG_OPTIONAL | FLAG_TRANSITIVE)) == (FLAG_OPTIONAL | FLAG_TRANSITIVE);
    }

    /** A copy to forward to another peer: Partial bit set (RFC 4271 §5). */
    public Unknown forwarded() {
      return new Unknown(flags | FLAG_PARTIAL, typeCode, value);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Unknown u
          && u.flags == flags
          && u.typeCode == typeCode
          && Arrays.equals(u.value, value);
    }

    @Override
    public int hashCode() {
      return (flags * 31 + typeCode) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "Unknown[flags=0x"
          + Integer.toHexString(flags)
          + ", type="
          + typeCode
          + ", value="
          + HexFormat.of().formatHex(value)
          + "]";
    }
  }

  private static void checkU32(String what, long value) {
    if (value < 0 || value > 0xffffffffL) {
      throw new IllegalArgumentException(what + " " + value + " is outside 0..4294967295");
    }
  }
}
