package dev.netctl.bench.bgp;

import java.util.BitSet;

/**
 * What one monitor peer currently holds from a contiguous block of equal-length IPv4 prefixes
 * (prefix {@code i} is {@code base + i * 2^(32-length)}), kept as bits rather than objects so a
 * million routes cost 128 KB.
 *
 * <p>Written only by the monitor's event-loop thread; the harness thread reads the volatile counts
 * and the completion time. A prefix can also be <em>marked</em>: the last UPDATE that announced it
 * carried the MED the churn scenario uses for its final state, so "holds the final state" is
 * distinguishable from "still holds the old routes".
 */
final class PrefixTally {
  private final long base;
  private final int length;
  private final int size;
  private final long markMed;
  private final boolean countMarked;
  private final int target;
  private final BitSet present;
  private final BitSet marked;
  private final BitSet own = new BitSet();
  private volatile int presentCount;
  private volatile int markedCount;
  private volatile long completedAtNanos;
  private volatile long presentCompletedAtNanos;
  private volatile long updates;
  private volatile long announcements;
  private volatile long withdrawals;

  /**
   * @param base first prefix address as an unsigned int
   * @param length prefix length of every tracked prefix
   * @param size number of prefixes in the block
   * @param target count at which this monitor is complete
   * @param markMed MED value that marks a final-state route, or -1 to count plain presence
   */
  PrefixTally(long base, int length, int size, int target, long markMed) {
    if (length < 1 || length > 32 || size < 1 || target < 0 || target > size) {
      throw new IllegalArgumentException(
          "tally needs length 1..32, size >= 1 and target 0..size: length="
              + length
              + " size="
              + size
              + " target="
              + target);
    }
    this.base = base;
    this.length = length;
    this.size = size;
    this.target = target;
    this.markMed = markMed;
    this.countMarked = markMed >= 0;
    this.present = new BitSet(size);
    this.marked = new BitSet(countMarked ? size : 0);
    checkComplete();
  }

  /** Whether the scanner has to find the MED of each UPDATE for this tally. */
  boolean wantsMed() {
    return countMarked;
  }

  /**
   * Marks a prefix present without an UPDATE: a peer's own route counts as held, and a withdrawal
   * from the DUT does not remove it (a speaker keeps its own route whatever a neighbour withdraws;
   * a reflector may withdraw a client's prefix toward that client, RFC 4456 split horizon).
   */
  void preset(int index) {
    own.set(index);
    present.set(index);
    presentCount = present.cardinality();
    checkComplete();
  }

  /** {@link #preset} of prefixes {@code from} (inclusive) to {@code to} (exclusive). */
  void presetRange(int from, int to) {
    own.set(from, to);
    present.set(from, to);
    presentCount = present.cardinality();
    checkComplete();
  }

  /** Records an announcement; {@code med} is -1 when absent or not looked for. */
  void announce(long address, int prefixLength, long med) {
    announcements++;
    int i = index(address, prefixLength);
    if (i < 0) {
      return;
    }
    if (!present.get(i)) {
      present.set(i);
      presentCount++;
    }
    if (countMarked) {
      boolean isMarked = med == markMed;
      if (isMarked != marked.get(i)) {
        marked.set(i, isMarked);
        markedCount += isMarked ? 1 : -1;
      }
    }
    checkComplete();
  }

  /** Records a withdrawal. */
  void withdraw(long address, int prefixLength) {
    withdrawals++;
    int i = index(address, prefixLength);
    if (i < 0 || own.get(i)) {
      return;
    }
    if (present.get(i)) {
      present.clear(i);
      presentCount--;
    }
    if (countMarked && marked.get(i)) {
      marked.clear(i);
      markedCount--;
    }
    checkComplete();
  }

  /** Counts one received UPDATE message. */
  void countUpdate() {
    updates++;
  }

  /** Prefixes announced so far, counted as received (inside the block or not). */
  long announcements() {
    return announcements;
  }

  /** Prefixes withdrawn so far, counted as received (inside the block or not). */
  long withdrawals() {
    return withdrawals;
  }

  /** Prefixes of the block currently held. */
  int presentCount() {
    return presentCount;
  }

  /** Prefixes currently held with the final-state mark. */
  int markedCount() {
    return markedCount;
  }

  /** UPDATE messages received. */
  long updates() {
    return updates;
  }

  /** The count the completion rule looks at. */
  int progress() {
    return countMarked ? markedCount : presentCount;
  }

  /** The count at which this monitor is complete. */
  int target() {
    return target;
  }

  /** {@link System#nanoTime()} when the tally last became complete, or 0 while incomplete. */
  long completedAtNanos() {
    return completedAtNanos;
  }

  /**
   * {@link System#nanoTime()} when the tally last came to hold {@code target} prefixes regardless
   * of their mark, or 0 while it holds fewer.
   */
  long presentCompletedAtNanos() {
    return presentCompletedAtNanos;
  }

  private int index(long address, int prefixLength) {
    if (prefixLength != length) {
      return -1;
    }
    long offset = (address - base) >>> (32 - length);
    if (address < base || offset >= size) {
      return -1;
    }
    return (int) offset;
  }

  private void checkComplete() {
    completedAtNanos = stamp(progress() >= target, completedAtNanos);
    presentCompletedAtNanos = stamp(presentCount >= target, presentCompletedAtNanos);
  }

  private static long stamp(boolean complete, long previous) {
    if (!complete) {
      return 0;
    }
    return previous != 0 ? previous : System.nanoTime();
  }
}
