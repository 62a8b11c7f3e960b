package dev.netctl.ipam.block;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The addresses IPReservations keep from automatic assignment, as one set: the reserved CIDRs of
 * every reservation merged into sorted, disjoint ranges per family, so overlapping and nested
 * reservations count once and a question about a block costs a binary search, not a walk over every
 * reservation. Built once per allocator batch (not per address). Immutable; no I/O.
 */
public final class Reservations {

  /** Nothing reserved. */
  public static final Reservations NONE = new Reservations(new Ranges(), new Ranges());

  private final Ranges v4;
  private final Ranges v6;

  private Reservations(Ranges v4, Ranges v6) {
    this.v4 = v4;
    this.v6 = v6;
  }

  /** The union of {@code cidrs} (single addresses are /32 or /128 networks). */
  public static Reservations of(Collection<Cidr> cidrs) {
    if (cidrs.isEmpty()) return NONE;
    return new Reservations(
        Ranges.merge(cidrs.stream().filter(c -> !c.ipv6()).toList()),
        Ranges.merge(cidrs.stream().filter(Cidr::ipv6).toList()));
  }

  /** Whether nothing is reserved. */
  public boolean isEmpty() {
    return v4.size() == 0 && v6.size() == 0;
  }

  /** Whether {@code address} is reserved. */
  public boolean contains(InetAddress address) {
    Cidr one = Cidr.of(address);
    return family(one).coveringEnd(one.network()) != null;
  }

  /** Whether every address of {@code cidr} is reserved. */
  public boolean coversWhole(Cidr cidr) {
    BigInteger end = family(cidr).coveringEnd(cidr.network());
    return end != null && end.compareTo(last(cidr)) >= 0;
  }

  /**
   * When the first address of {@code cidr} is reserved, the last address of the reserved run it
   * starts in (a walk over blocks can jump past the run in one step); otherwise null.
   */
  public BigInteger reservedRunEnd(Cidr cidr) {
    return family(cidr).coveringEnd(cidr.network());
  }

  /**
   * The ordinals of {@code block} (offsets from its network address) that are reserved; empty when
   * none is. A block holds at most {@link Cidr#MAX_BLOCK_ADDRESSES} addresses.
   */
  public BitSet ordinalsIn(Cidr block) {
    BitSet out = new BitSet();
    Ranges r = family(block);
    BigInteger first = block.network();
    BigInteger last = last(block);
    for (int i = r.firstEndingAtOrAfter(first); i < r.size(); i++) {
      if (r.start(i).compareTo(last) > 0) break;
      int from = r.start(i).max(first).subtract(first).intValueExact();
      int to = r.end(i).min(last).subtract(first).intValueExact();
      out.set(from, to + 1);
    }
    return out;
  }

  /** How many addresses of {@code cidr} are reserved. */
  public BigInteger countIn(Cidr cidr) {
    Ranges r = family(cidr);
    BigInteger first = cidr.network();
    BigInteger last = last(cidr);
    BigInteger n = BigInteger.ZERO;
    for (int i = r.firstEndingAtOrAfter(first); i < r.size(); i++) {
      if (r.start(i).compareTo(last) > 0) break;
      n = n.add(r.end(i).min(last).subtract(r.start(i).max(first)).add(BigInteger.ONE));
    }
    return n;
  }

  private Ranges family(Cidr cidr) {
    return cidr.ipv6() ? v6 : v4;
  }

  private static BigInteger last(Cidr cidr) {
    return cidr.network().add(cidr.size()).subtract(BigInteger.ONE);
  }

  @Override
  public String toString() {
    return "Reservations[v4=" + v4.size() + " ranges, v6=" + v6.size() + " ranges]";
  }

  /** Sorted, disjoint, non-adjacent inclusive ranges of one family. */
  private static final class Ranges {
    private final BigInteger[] starts;
    private final BigInteger[] ends;

    private Ranges() {
      this(new BigInteger[0], new BigInteger[0]);
    }

    private Ranges(BigInteger[] starts, BigInteger[] ends) {
      this.starts = starts;
      this.ends = ends;
    }

    static Ranges merge(List<Cidr> cidrs) {
      List<Cidr> sorted = new ArrayList<>(cidrs);
      sorted.sort(Comparator.comparing(Cidr::network));
      List<BigInteger> s = new ArrayList<>();
      List<BigInteger> e = new ArrayList<>();
      for (Cidr c : sorted) {
        BigInteger start = c.network();
        BigInteger end = last(c);
        int top = e.size() - 1;
        // Overlapping or touching the previous range: extend it, so "covers whole" can be
        // answered from one range even when several reservations tile a block.
        if (top >= 0 && start.compareTo(e.get(top).add(BigInteger.ONE)) <= 0) {
          if (end.compareTo(e.get(top)) > 0) e.set(top, end);
        } else {
          s.add(start);
          e.add(end);
        }
      }
      return new Ranges(s.toArray(BigInteger[]::new), e.toArray(BigInteger[]::new));
    }

    int size() {
      return starts.length;
    }

    BigInteger start(int i) {
      return starts[i];
    }

    BigInteger end(int i) {
      return ends[i];
    }

    /** The index of the first range whose end is at or after {@code a} (size() when none). */
    int firstEndingAtOrAfter(BigInteger a) {
      int lo = 0;
      int hi = ends.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (ends[mid].compareTo(a) < 0) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }

    /** The end of the range holding {@code a}, or null when {@code a} is not in any. */
    BigInteger coveringEnd(BigInteger a) {
      int i = firstEndingAtOrAfter(a);
      return i < starts.length && starts[i].compareTo(a) <= 0 ? ends[i] : null;
    }
  }
}
