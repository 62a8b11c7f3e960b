package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.codec.AttributeType;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.ClusterList;
import dev.netctl.bgp.codec.PathAttribute.Communities;
import dev.netctl.bgp.codec.PathAttribute.LargeCommunities;
import dev.netctl.bgp.codec.PathAttribute.LargeCommunity;
import dev.netctl.bgp.codec.PathAttribute.LocalPref;
import dev.netctl.bgp.codec.PathAttribute.MultiExitDisc;
import dev.netctl.bgp.codec.PathAttribute.Origin;
import dev.netctl.bgp.codec.PathAttribute.OriginType;
import dev.netctl.bgp.codec.PathAttribute.OriginatorId;
import dev.netctl.bgp.codec.PathAttribute.Segment;
import dev.netctl.bgp.codec.PathAttribute.SegmentType;
import dev.netctl.bgp.codec.Prefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.function.Predicate;

/**
 * An immutable, interned set of path attributes (RFC 4271 §5) shared by every route that carries
 * it: a million routes with a thousand distinct sets hold a thousand of these objects.
 *
 * <p>Instances come only from {@link #of} (and the {@code with…} derivations), which return the one
 * canonical object for equal content, so identity comparison is equality. Interning is weak: a set
 * no route references any more is collected (see {@link AttributeInterner}).
 *
 * <p>The set holds every attribute except NEXT_HOP, MP_REACH_NLRI and MP_UNREACH_NLRI, sorted by
 * type code; the next hop (from NEXT_HOP for IPv4, from MP_REACH for other families, RFC 4760 §3)
 * is held separately so one set describes a path independent of the message that carried it.
 * Frequently compared values (LOCAL_PREF, MED, AS_PATH length…) are decoded once at construction.
 */
public final class AttributeSet {
  /** LOCAL_PREF assumed when the attribute is absent (RFC 4271 §5.1.5 leaves it to config). */
  public static final long DEFAULT_LOCAL_PREF = 100;

  private final Attributes attributes;
  private final InetAddress nextHop;
  private final InetAddress linkLocalNextHop;
  private final int hash;
  // Decoded once: the best-path comparison reads these for every candidate.
  private final OriginType origin;
  private final int asPathLength;
  private final long neighbourAs;
  private final long med;
  private final long localPref;
  private final long originatorId;
  private final int clusterListLength;
  // The last prefix-independent export of this set (see ChangePublisher.export). Interned sets are
  // shared by the shard threads: the answer is an immutable record replaced whole, so a reader
  // sees a complete one or an older one, and a race only costs a recomputation.
  private ExportAnswer exportAnswer;
  // The last compact route (path id 0) made of this set, as a list of it alone (see
  // ChangePublisher.compactRoute); replaced whole, like exportAnswer.
  private List<Route> compactRoute;
  // This set as an IPv4 UPDATE carries it (NEXT_HOP added), encoded for the codec context of the
  // group that last sent it (see UpdatePacker.announce): a set is encoded once per context rather
  // than once per drain that sends it. Replaced whole, like exportAnswer.
  private List<PathAttribute> encoded;

  AttributeSet(List<PathAttribute> sorted, InetAddress nextHop, InetAddress linkLocalNextHop) {
    this(sorted.toArray(new PathAttribute[0]), nextHop, linkLocalNextHop);
  }

  private AttributeSet(PathAttribute[] own, InetAddress nextHop, InetAddress linkLocalNextHop) {
    this(
        own,
        nextHop,
        linkLocalNextHop,
        AttributeContent.hash(own, own.length, nextHop, linkLocalNextHop));
  }

  // The interner's entry for this set is a weak reference and the hash: no key object of its own.
  private AttributeSet(
      PathAttribute[] own, InetAddress nextHop, InetAddress linkLocalNextHop, int hash) {
    this(own, nextHop, linkLocalNextHop, hash, null, 0);
  }

  /**
   * As above; with {@code from}, a set whose attributes this one all holds, the values decoded from
   * those are taken from it, and only the attributes at the bits of {@code added} (the others) are
   * looked at: a reflected set (a thousand per churn) adds ORIGINATOR_ID and CLUSTER_LIST to what
   * its parent decoded already, its AS_PATH length among them.
   */
  private AttributeSet(
      PathAttribute[] own,
      InetAddress nextHop,
      InetAddress linkLocalNextHop,
      int hash,
      AttributeSet from,
      long added) {
    Attributes sorted = new Attributes(own);
    this.attributes = sorted;
    this.nextHop = nextHop;
    this.linkLocalNextHop = linkLocalNextHop;
    this.hash = hash;
    OriginType originValue;
    int pathLength;
    long firstAs;
    long medValue;
    long localPrefValue;
    long originator;
    int clusters;
    if (from != null) {
      // A set holds one attribute of each type: an added one is of a type its parent lacked.
      originValue = from.origin;
      pathLength = from.asPathLength;
      firstAs = from.neighbourAs;
      medValue = from.med;
      localPrefValue = from.localPref;
      originator = from.originatorId;
      clusters = from.clusterListLength;
      for (int i = 0; i < own.length; i++) {
        if ((added & (1L << i)) == 0) {
          continue;
        }
        PathAttribute a = own[i];
        if (a instanceof Origin o) {
          originValue = o.value();
        } else if (a instanceof AsPath p) {
          pathLength = p.pathLength();
          firstAs = p.firstAs();
        } else if (a instanceof MultiExitDisc m) {
          medValue = m.value();
        } else if (a instanceof LocalPref l) {
          localPrefValue = l.value();
        } else if (a instanceof OriginatorId o) {
          originator = Integer.toUnsignedLong(Prefix.ipv4Int(o.id()));
        } else if (a instanceof ClusterList c) {
          clusters = c.clusterIds().size();
        }
      }
    } else {
      // One pass, the first of each type counting: this runs for every set looked up in the
      // interner, a thousand times per churn of a thousand attribute sets.
      OriginType firstOrigin = null;
      AsPath path = null;
      medValue = -1;
      localPrefValue = -1;
      originator = -1;
      clusters = -1;
      for (int i = 0, n = sorted.size(); i < n; i++) {
        PathAttribute a = sorted.get(i);
        if (a instanceof Origin o && firstOrigin == null) {
          firstOrigin = o.value();
        } else if (a instanceof AsPath p && path == null) {
          path = p;
        } else if (a instanceof MultiExitDisc m && medValue < 0) {
          medValue = m.value();
        } else if (a instanceof LocalPref l && localPrefValue < 0) {
          localPrefValue = l.value();
        } else if (a instanceof OriginatorId o && originator < 0) {
          originator = Integer.toUnsignedLong(Prefix.ipv4Int(o.id()));
        } else if (a instanceof ClusterList c && clusters < 0) {
          clusters = c.clusterIds().size();
        }
      }
      originValue = firstOrigin != null ? firstOrigin : OriginType.INCOMPLETE;
      AsPath asPath = path != null ? path : AsPath.EMPTY;
      pathLength = asPath.pathLength();
      firstAs = asPath.firstAs();
      clusters = Math.max(clusters, 0);
    }
    this.origin = originValue;
    this.asPathLength = pathLength;
    this.neighbourAs = firstAs;
    this.med = medValue;
    this.localPref = localPrefValue;
    this.originatorId = originator;
    this.clusterListLength = clusters;
  }

  /**
   * The canonical set for these attributes and next hop. NEXT_HOP, MP_REACH and MP_UNREACH in
   * {@code attributes} are ignored (pass the next hop explicitly); duplicates of a type keep the
   * first occurrence.
   *
   * @param attributes path attributes in any order
   * @param nextHop the next hop, or null for a locally originated route without one
   * @param linkLocalNextHop the IPv6 link-local next hop (RFC 2545 §3), or null
   */
  public static AttributeSet of(
      List<? extends PathAttribute> attributes, InetAddress nextHop, InetAddress linkLocalNextHop) {
    PathAttribute[] kept = new PathAttribute[attributes.size()];
    for (int i = 0; i < kept.length; i++) {
      kept[i] = attributes.get(i);
    }
    return of(kept, kept.length, nextHop, linkLocalNextHop, null);
  }

  /**
   * As {@link #of(List, InetAddress, InetAddress)} for the first {@code count} attributes of {@code
   * kept}, an array of the caller's that this method reorders and may keep: the derivations below
   * build one array, not a list and then an array. {@code from} is the interned set a derivation
   * started from, or null: its attributes and next hop are canonical already.
   */
  private static AttributeSet of(
      PathAttribute[] kept,
      int count,
      InetAddress nextHop,
      InetAddress linkLocalNextHop,
      AttributeSet from) {
    int n = 0;
    // Type codes seen, as bits: codes 0-127 (every attribute this speaker knows) in two longs; a
    // code from 128 up is looked for among those kept. No array per set looked up (one per UPDATE
    // received).
    long seenLow = 0;
    long seenHigh = 0;
    // Whether those kept came in type-code order, as senders SHOULD send them (RFC 4271 §5): then
    // there is nothing to sort, and no second type() call per attribute to find that out.
    boolean ordered = true;
    int lastCode = -1;
    for (int i = 0; i < count; i++) {
      PathAttribute a = kept[i];
      int code = a.type().code() & 0xff;
      if (code == AttributeType.NEXT_HOP.code()
          || code == AttributeType.MP_REACH_NLRI.code()
          || code == AttributeType.MP_UNREACH_NLRI.code()) {
        continue;
      }
      if (code < 64) {
        if ((seenLow & (1L << code)) != 0) {
          continue;
        }
        seenLow |= 1L << code;
      } else if (code < 128) {
        if ((seenHigh & (1L << (code - 64))) != 0) {
          continue;
        }
        seenHigh |= 1L << (code - 64);
      } else if (kept(kept, n, code)) {
        continue;
      }
      kept[n++] = a;
      ordered &= code > lastCode;
      lastCode = code;
    }
    if (!ordered) {
      sortByTypeCode(kept, n);
    }
    return derived(kept, n, nextHop, linkLocalNextHop, from);
  }

  /**
   * As {@link #of(PathAttribute[], int, InetAddress, InetAddress, AttributeSet)} for the first
   * {@code n} of {@code sorted}, in type-code order already with one attribute of each type and
   * none of the three held apart: what the derivations below make from this set's attributes, so
   * that a new derived set (a reflected one, a thousand per churn) is not scanned for its types
   * again, an interface call per attribute.
   */
  private static AttributeSet derived(
      PathAttribute[] sorted,
      int n,
      InetAddress nextHop,
      InetAddress linkLocalNextHop,
      AttributeSet from) {
    // The lookup is of the array being built, never stored: a set found (every UPDATE after the
    // first with its attributes) costs no copy of it, and no key object.
    int hash =
        from != null && continues(sorted, n, nextHop, linkLocalNextHop, from)
            ? AttributeContent.extended(
                from.hash, sorted, from.array().length, n, nextHop, linkLocalNextHop)
            : AttributeContent.hash(sorted, n, nextHop, linkLocalNextHop);
    return AttributeInterner.GLOBAL.intern(sorted, n, nextHop, linkLocalNextHop, hash, from);
  }

  // Whether the first n of sorted, with these next hops, are from's attributes and next hops
  // followed by more attributes.
  private static boolean continues(
      PathAttribute[] sorted,
      int n,
      InetAddress nextHop,
      InetAddress linkLocalNextHop,
      AttributeSet from) {
    PathAttribute[] own = from.array();
    if (n <= own.length || nextHop != from.nextHop || linkLocalNextHop != from.linkLocalNextHop) {
      return false;
    }
    for (int i = 0; i < own.length; i++) {
      if (sorted[i] != own[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * A new set of the first {@code n} of {@code kept} (sorted, one of each type; the array may be
   * kept) and these next hops, whose content hash is {@code hash}: what {@code interner} interns
   * when it holds no equal set, made under its stripe's lock. {@code from} as for {@link
   * #of(PathAttribute[], int, InetAddress, InetAddress, AttributeSet)}.
   */
  static AttributeSet created(
      AttributeInterner interner,
      PathAttribute[] kept,
      int n,
      InetAddress nextHop,
      InetAddress linkLocalNextHop,
      int hash,
      AttributeSet from) {
    // Its attributes and next hop become objects recently seen in other sets where
    // equal ones exist. A churn of a thousand sets that differ from the ones they replace in the
    // MED alone then keeps one new MED each, not a new copy of every attribute (AS_PATH with its
    // segments and numbers, COMMUNITIES, ORIGIN, the next hop...) that the young collections
    // inside the churn would copy and promote (docs/benchmarks.md, issue 14 session 15).
    // A derived set (a reflected one: a thousand per churn) looks up only what it adds: hashing the
    // rest again, an AS_PATH number by number, would find the objects it has.
    PathAttribute[] own = n == kept.length ? kept : Arrays.copyOf(kept, n);
    // Which attributes are not from's (bits, for the first 64), and how many are.
    long added = 0;
    int inherited = 0;
    for (int i = 0; i < n; i++) {
      PathAttribute a = own[i];
      if (from != null && from.holds(a)) {
        inherited++;
        continue;
      }
      if (i < 64) {
        added |= 1L << i;
      }
      if (small(a)) {
        own[i] = interner.canonical(a);
      }
    }
    // IPv4 only: an IPv6 address's scope is not part of its equality.
    InetAddress hop =
        nextHop instanceof Inet4Address v4 && (from == null || from.nextHop != nextHop)
            ? interner.canonical(v4)
            : nextHop;
    if (from != null && n <= 64 && inherited == from.array().length) {
      return new AttributeSet(own, hop, linkLocalNextHop, hash, from, added);
    }
    return new AttributeSet(own, hop, linkLocalNextHop, hash);
  }

  /**
   * Whether this set's content is the first {@code size} of {@code attributes} and these next hops
   * (the interner's comparison of a lookup with an entry).
   */
  boolean sameContent(
      PathAttribute[] attributes, int size, InetAddress nextHop, InetAddress linkLocal) {
    PathAttribute[] own = this.attributes.attributes;
    return AttributeContent.same(
        attributes, size, nextHop, linkLocal, own, own.length, this.nextHop, this.linkLocalNextHop);
  }

  /** Whether this set holds {@code a} itself (not an equal object). */
  private boolean holds(PathAttribute a) {
    for (int i = 0, n = attributes.size(); i < n; i++) {
      if (attributes.get(i) == a) {
        return true;
      }
    }
    return false;
  }

  /** Sorts the first {@code n} by type code, stable; most UPDATEs are in order already (§5). */
  private static void sortByTypeCode(PathAttribute[] a, int n) {
    for (int i = 1; i < n; i++) {
      PathAttribute x = a[i];
      int code = x.type().code() & 0xff;
      int j = i - 1;
      if ((a[j].type().code() & 0xff) <= code) {
        continue;
      }
      while (j >= 0 && (a[j].type().code() & 0xff) > code) {
        a[j + 1] = a[j];
        j--;
      }
      a[j + 1] = x;
    }
  }

  /** The canonical set for these attributes and next hop, without a link-local next hop. */
  public static AttributeSet of(List<? extends PathAttribute> attributes, InetAddress nextHop) {
    return of(attributes, nextHop, null);
  }

  /** The last export answer recorded for this set, or null. */
  ExportAnswer exportAnswer() {
    return exportAnswer;
  }

  /** Records an export answer for this set (see {@link ExportAnswer}). */
  void exportAnswer(ExportAnswer answer) {
    this.exportAnswer = answer;
  }

  /** The last compact route kept for this set, as a list of it alone, or null. */
  List<Route> compactRoute() {
    return compactRoute;
  }

  /** Keeps a compact route (a list of one route carrying this set). */
  void compactRoute(List<Route> route) {
    this.compactRoute = route;
  }

  /** The encoded IPv4 attributes kept for this set, or null (see {@link UpdatePacker}). */
  List<PathAttribute> encoded() {
    return encoded;
  }

  /** Keeps encoded IPv4 attributes of this set (from the codec's packer). */
  void encoded(List<PathAttribute> wire) {
    this.encoded = wire;
  }

  /** Attributes sorted by type code, without NEXT_HOP and MP_REACH/MP_UNREACH. */
  public List<PathAttribute> attributes() {
    return attributes;
  }

  /** The first attribute of the given record type, if present. */
  public <A extends PathAttribute> Optional<A> get(Class<A> type) {
    return Optional.ofNullable(first(type));
  }

  /** The next hop, or null when the route has none yet (local origination before export). */
  public InetAddress nextHop() {
    return nextHop;
  }

  /** The IPv6 link-local next hop, or null. */
  public InetAddress linkLocalNextHop() {
    return linkLocalNextHop;
  }

  /** ORIGIN, INCOMPLETE when absent (the least preferred value). */
  public OriginType origin() {
    return origin;
  }

  /** AS_PATH length for best-path selection: an AS_SET counts one (RFC 4271 §9.1.2.2 a). */
  public int asPathLength() {
    return asPathLength;
  }

  /** The AS that sent this route into our AS (first AS of the path), or -1 for an empty path. */
  public long neighbourAs() {
    return neighbourAs;
  }

  /** MULTI_EXIT_DISC, or -1 when absent. */
  public long med() {
    return med;
  }

  /** LOCAL_PREF, or -1 when absent. */
  public long localPref() {
    return localPref;
  }

  /** LOCAL_PREF, or {@link #DEFAULT_LOCAL_PREF} when absent. */
  public long effectiveLocalPref() {
    return localPref < 0 ? DEFAULT_LOCAL_PREF : localPref;
  }

  /** ORIGINATOR_ID as an unsigned int in a long, or -1 when absent. */
  public long originatorId() {
    return originatorId;
  }

  /** CLUSTER_LIST length, 0 when absent. */
  public int clusterListLength() {
    return clusterListLength;
  }

  // The accessors below look by index (first) and build no Optional: import and export rules call
  // them for every UPDATE and every new set, and C1 removes neither an iterator nor an Optional.

  /** The AS_PATH, empty when absent. */
  public AsPath asPath() {
    AsPath p = first(AsPath.class);
    return p != null ? p : AsPath.EMPTY;
  }

  /** The COMMUNITIES values, empty when absent. */
  public List<Integer> communities() {
    Communities c = first(Communities.class);
    return c != null ? c.values() : List.of();
  }

  /** The COMMUNITIES attribute, or null: for a reader that takes the values unboxed, by index. */
  Communities communitiesAttribute() {
    return first(Communities.class);
  }

  /** The LARGE_COMMUNITY values, empty when absent. */
  public List<LargeCommunity> largeCommunities() {
    LargeCommunities c = first(LargeCommunities.class);
    return c != null ? c.values() : List.of();
  }

  /** The CLUSTER_LIST ids, empty when absent. */
  public List<Inet4Address> clusterList() {
    ClusterList c = first(ClusterList.class);
    return c != null ? c.clusterIds() : List.of();
  }

  /** Whether the AS_PATH contains {@code asn} in any segment (loop detection, RFC 4271 §9.1.2). */
  public boolean asPathContains(long asn) {
    return asPathCount(asn) > 0;
  }

  /** How many times {@code asn} appears in the AS_PATH, over all its segments. */
  public int asPathCount(long asn) {
    int n = 0;
    List<Segment> segments = asPath().segments();
    for (int i = 0, k = segments.size(); i < k; i++) {
      Segment s = segments.get(i);
      for (int j = 0, m = s.asns().size(); j < m; j++) {
        if (s.asn(j) == asn) {
          n++;
        }
      }
    }
    return n;
  }

  /** This set with {@code attribute} replacing any attribute of the same type. */
  public AttributeSet with(PathAttribute attribute) {
    return with(attribute, null);
  }

  /**
   * This set with {@code first} and {@code second} (of two different types; {@code second} may be
   * null) each replacing any attribute of its type: one set made and interned where two calls of
   * {@link #with(PathAttribute)} would make (and intern, and leave to the collector) an
   * intermediate one.
   */
  public AttributeSet with(PathAttribute first, PathAttribute second) {
    PathAttribute[] own = attributes.attributes;
    int firstCode = first.type().code() & 0xff;
    int secondCode = second == null ? -1 : second.type().code() & 0xff;
    if (firstCode == secondCode) {
      // Not what this is for; of keeps the first of each type.
      PathAttribute[] out = new PathAttribute[own.length + 2];
      out[0] = first;
      out[1] = second;
      System.arraycopy(own, 0, out, 2, own.length);
      return of(out, out.length, nextHop, linkLocalNextHop, this);
    }
    // Merged in type-code order, replacing those of the same types: of then finds nothing to
    // sort (a reflected set, a thousand per churn, adds ORIGINATOR_ID and CLUSTER_LIST after
    // the attributes it has).
    PathAttribute low = first;
    int lowCode = firstCode;
    PathAttribute high = second;
    int highCode = secondCode;
    if (second != null && secondCode < firstCode) {
      low = second;
      lowCode = secondCode;
      high = first;
      highCode = firstCode;
    }
    PathAttribute[] out = new PathAttribute[own.length + (second == null ? 1 : 2)];
    int n = 0;
    for (PathAttribute a : own) {
      int code = a.type().code() & 0xff;
      if (low != null && lowCode <= code) {
        out[n++] = low;
        low = high;
        lowCode = highCode;
        high = null;
      }
      if (low != null && lowCode <= code) {
        out[n++] = low;
        low = null;
      }
      if (code != firstCode && code != secondCode) {
        out[n++] = a;
      }
    }
    if (low != null) {
      out[n++] = low;
      if (high != null) {
        out[n++] = high;
      }
    }
    if (!canStand(firstCode) || (second != null && !canStand(secondCode))) {
      // NEXT_HOP or MP_REACH/MP_UNREACH given: of drops them, as it always did.
      return of(out, n, nextHop, linkLocalNextHop, this);
    }
    return derived(out, n, nextHop, linkLocalNextHop, this);
  }

  /** This set without attributes of the given type. */
  public AttributeSet without(AttributeType type) {
    return filter(a -> !a.type().equals(type));
  }

  /** This set keeping only attributes that pass {@code keep}. */
  public AttributeSet filter(Predicate<PathAttribute> keep) {
    PathAttribute[] out = null;
    int n = 0;
    for (int i = 0, size = attributes.size(); i < size; i++) {
      PathAttribute a = attributes.get(i);
      if (keep.test(a)) {
        if (out != null) {
          out[n] = a;
        }
        n++;
      } else if (out == null) {
        // The first attribute dropped: from here on the kept ones are copied.
        out = new PathAttribute[size];
        for (int j = 0; j < i; j++) {
          out[j] = attributes.get(j);
        }
      }
    }
    // What is left of this set's attributes is still in order, one of each type.
    return out == null ? this : derived(out, n, nextHop, linkLocalNextHop, this);
  }

  /**
   * This set as it may be passed on to other peers (RFC 4271 §5): an unrecognized optional
   * non-transitive attribute quietly dropped, an unrecognized transitive one with the Partial bit
   * set. The same set when there is nothing to change.
   */
  public AttributeSet unrecognizedForwarded() {
    boolean change = false;
    for (int i = 0, n = attributes.size(); i < n; i++) {
      if (attributes.get(i) instanceof PathAttribute.Unknown u
          && (!u.isOptionalTransitive() || (u.flags() & PathAttribute.FLAG_PARTIAL) == 0)) {
        change = true;
        break;
      }
    }
    if (!change) {
      return this;
    }
    List<PathAttribute> out = new ArrayList<>(attributes.size());
    for (PathAttribute a : attributes) {
      if (!(a instanceof PathAttribute.Unknown u)) {
        out.add(a);
      } else if (u.isOptionalTransitive()) {
        out.add(u.forwarded());
      }
    }
    return of(out, nextHop, linkLocalNextHop);
  }

  /** This set with another next hop; the link-local next hop is dropped unless given. */
  public AttributeSet withNextHop(InetAddress nextHop, InetAddress linkLocalNextHop) {
    if (Objects.equals(nextHop, this.nextHop)
        && Objects.equals(linkLocalNextHop, this.linkLocalNextHop)) {
      return this;
    }
    PathAttribute[] own = attributes.attributes;
    return derived(own.clone(), own.length, nextHop, linkLocalNextHop, this);
  }

  /** This set with {@code asn} prepended {@code count} times to the AS_PATH (RFC 4271 §5.1.2). */
  public AttributeSet prependAs(long asn, int count) {
    if (count <= 0) {
      return this;
    }
    List<Segment> segments = new ArrayList<>(asPath().segments());
    // Extend a leading AS_SEQUENCE if it has room, else start a new one (segments hold ≤ 255).
    // Numbers by index into a long[]: a list of them boxed each one, for every set exported to an
    // eBGP peer.
    Segment lead = segments.isEmpty() ? null : segments.get(0);
    boolean extend =
        lead != null && lead.type() == SegmentType.AS_SEQUENCE && lead.asns().size() + count <= 255;
    long[] head = new long[count + (extend ? lead.asns().size() : 0)];
    Arrays.fill(head, 0, count, asn);
    if (extend) {
      for (int i = count; i < head.length; i++) {
        head[i] = lead.asn(i - count);
      }
      segments.set(0, Segment.sequence(head));
    } else {
      segments.add(0, Segment.sequence(head));
    }
    return with(new AsPath(segments));
  }

  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof AttributeSet s
            && s.hash == hash
            && AttributeContent.same(
                array(),
                array().length,
                nextHop,
                linkLocalNextHop,
                s.array(),
                s.array().length,
                s.nextHop,
                s.linkLocalNextHop));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** The attributes, sorted, exactly as long as there are attributes; never to be changed. */
  PathAttribute[] array() {
    return attributes.attributes;
  }

  /**
   * A set's attributes as a list: its array, which nothing changes, without the copies {@code
   * List.copyOf} makes (two of the array per new set). Equal to any list of the same attributes.
   */
  private static final class Attributes extends AbstractList<PathAttribute>
      implements RandomAccess {
    private final PathAttribute[] attributes;

    Attributes(PathAttribute[] attributes) {
      this.attributes = attributes;
    }

    @Override
    public PathAttribute get(int index) {
      return attributes[index];
    }

    @Override
    public int size() {
      return attributes.length;
    }

    // Copied whole, not element by element through an iterator: the encoder copies a set's list
    // into its own (new ArrayList(attributes()) calls this) for every set it encodes.
    @Override
    public Object[] toArray() {
      return Arrays.copyOf(attributes, attributes.length, Object[].class);
    }
  }

  @Override
  public String toString() {
    return "AttributeSet[nextHop="
        + (nextHop == null ? "none" : AddressText.of(nextHop))
        + (linkLocalNextHop == null ? "" : "," + AddressText.of(linkLocalNextHop))
        + ", "
        + attributes
        + "]";
  }

  /**
   * Whether the interner's cache of recent values may hold {@code a}: it keeps up to its number of
   * slots of them after their sets are gone, so only values of a small bounded size (the common
   * ones), never an unknown attribute's payload or a long AS path.
   */
  private static boolean small(PathAttribute a) {
    // Tests of the type, not a pattern switch: C1 compiles the switch to a bootstrap call per use.
    if (a instanceof Origin
        || a instanceof MultiExitDisc
        || a instanceof LocalPref
        || a instanceof OriginatorId
        || a instanceof PathAttribute.AtomicAggregate
        || a instanceof PathAttribute.Aggregator
        || a instanceof PathAttribute.As4Aggregator) {
      return true;
    }
    if (a instanceof AsPath p) {
      return asns(p.segments()) <= SMALL;
    }
    if (a instanceof Communities c) {
      return c.values().size() <= SMALL;
    }
    if (a instanceof ClusterList c) {
      return c.clusterIds().size() <= SMALL / 2;
    }
    if (a instanceof LargeCommunities c) {
      return c.values().size() <= SMALL / 2;
    }
    if (a instanceof PathAttribute.As4Path p) {
      return asns(p.segments()) <= SMALL;
    }
    return false;
  }

  // Elements of a list-valued attribute the cache may hold (see small).
  private static final int SMALL = 16;

  private static int asns(List<Segment> segments) {
    int n = 0;
    for (int i = 0, k = segments.size(); i < k; i++) {
      n += segments.get(i).asns().size();
    }
    return n;
  }

  // Whether an attribute of this type code may stand in a set (see of).
  private static boolean canStand(int code) {
    return code != AttributeType.NEXT_HOP.code()
        && code != AttributeType.MP_REACH_NLRI.code()
        && code != AttributeType.MP_UNREACH_NLRI.code();
  }

  private static boolean kept(PathAttribute[] sorted, int n, int code) {
    for (int i = 0; i < n; i++) {
      if ((sorted[i].type().code() & 0xff) == code) {
        return true;
      }
    }
    return false;
  }

  // The first attribute of record type t, or null.
  private <A extends PathAttribute> A first(Class<A> t) {
    PathAttribute[] all = attributes.attributes;
    for (int i = 0; i < all.length; i++) {
      if (t.isInstance(all[i])) {
        return t.cast(all[i]);
      }
    }
    return null;
  }
}
