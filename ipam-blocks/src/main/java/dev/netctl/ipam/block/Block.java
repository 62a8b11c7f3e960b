package dev.netctl.ipam.block;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A working copy of one block: allocate, release and inspect addresses in memory, then turn the
 * result back into an {@link AllocationBlock} to write. No I/O; not thread-safe (one writer owns a
 * copy at a time).
 */
public final class Block {

  /** One address handed out: where it is in the block and the sequence number it got. */
  public record Allocated(Cidr block, int ordinal, InetAddress address, long sequenceNumber) {}

  /** What a release did with one ordinal. */
  public enum ReleaseOutcome {
    /** The address was allocated and is now free. */
    RELEASED,
    /** The address was re-allocated since the caller got it (sequence differs): left alone. */
    STALE,
    /** The address belongs to another handle than the caller named: left alone. */
    OTHER_HANDLE,
    /** The address was already free. */
    NOT_ALLOCATED
  }

  private final Cidr cidr;
  private String affinity;
  private final Integer[] allocations;
  private final ArrayDeque<Integer> unallocated;
  private final List<AllocationAttribute> attributes;
  private long sequenceNumber;
  private final Map<Integer, Long> sequenceForOrdinal;
  private boolean deleted;

  private Block(
      Cidr cidr,
      String affinity,
      Integer[] allocations,
      ArrayDeque<Integer> unallocated,
      List<AllocationAttribute> attributes,
      long sequenceNumber,
      Map<Integer, Long> sequenceForOrdinal,
      boolean deleted) {
    this.cidr = cidr;
    this.affinity = affinity;
    this.allocations = allocations;
    this.unallocated = unallocated;
    this.attributes = attributes;
    this.sequenceNumber = sequenceNumber;
    this.sequenceForOrdinal = sequenceForOrdinal;
    this.deleted = deleted;
  }

  /** A new block with every address free in ascending order, affine to {@code node} (or null). */
  public static Block empty(Cidr cidr, String node) {
    BigInteger size = cidr.size();
    if (size.compareTo(BigInteger.valueOf(Cidr.MAX_BLOCK_ADDRESSES)) > 0) {
      throw new IllegalArgumentException(
          "block "
              + cidr
              + " holds "
              + size
              + " addresses; at most "
              + Cidr.MAX_BLOCK_ADDRESSES
              + " are allowed");
    }
    int n = size.intValue();
    ArrayDeque<Integer> free = new ArrayDeque<>(n);
    for (int i = 0; i < n; i++) free.add(i);
    return new Block(
        cidr,
        node == null ? null : AllocationBlock.hostAffinity(node),
        new Integer[n],
        free,
        new ArrayList<>(),
        0,
        new HashMap<>(),
        false);
  }

  /**
   * Loads a stored block, checking that it is self-consistent (every ordinal either allocated or
   * free exactly once, attribute indexes in range) so a corrupt record fails loudly here rather
   * than handing out an address twice later.
   */
  public static Block of(AllocationBlock stored) {
    Cidr cidr = Cidr.parse(stored.cidr());
    int n = cidr.size().intValue();
    String where = "IPAMBlock \"" + cidr.name() + "\"";
    if (stored.allocations().size() != n) {
      throw new IllegalArgumentException(
          where + ": allocations has " + stored.allocations().size() + " entries, expected " + n);
    }
    Integer[] alloc = stored.allocations().toArray(new Integer[0]);
    boolean[] seen = new boolean[n];
    ArrayDeque<Integer> free = new ArrayDeque<>(stored.unallocated().size());
    for (Integer o : stored.unallocated()) {
      if (o == null || o < 0 || o >= n || seen[o] || alloc[o] != null) {
        throw new IllegalArgumentException(where + ": unallocated holds invalid ordinal " + o);
      }
      seen[o] = true;
      free.add(o);
    }
    for (int i = 0; i < n; i++) {
      if (alloc[i] == null && !seen[i]) {
        throw new IllegalArgumentException(
            where + ": ordinal " + i + " is neither allocated nor in unallocated");
      }
      if (alloc[i] != null && (alloc[i] < 0 || alloc[i] >= stored.attributes().size())) {
        throw new IllegalArgumentException(
            where + ": ordinal " + i + " points at missing attribute " + alloc[i]);
      }
    }
    Map<Integer, Long> seq = new HashMap<>();
    stored.sequenceNumberForAllocation().forEach((k, v) -> seq.put(Integer.parseInt(k), v));
    return new Block(
        cidr,
        stored.affinity(),
        alloc,
        free,
        new ArrayList<>(stored.attributes()),
        stored.sequenceNumber(),
        seq,
        stored.deleted());
  }

  /**
   * The stored form. Attributes no allocation refers to any more are dropped and indexes
   * renumbered, so the record does not grow with churn.
   */
  public AllocationBlock toRecord() {
    Map<Integer, Integer> remap = new HashMap<>();
    List<AllocationAttribute> kept = new ArrayList<>();
    List<Integer> alloc = new ArrayList<>(allocations.length);
    for (Integer a : allocations) {
      if (a == null) {
        alloc.add(null);
        continue;
      }
      Integer idx = remap.get(a);
      if (idx == null) {
        idx = kept.size();
        kept.add(attributes.get(a));
        remap.put(a, idx);
      }
      alloc.add(idx);
    }
    Map<String, Long> seq =
        new TreeMap<>((x, y) -> Integer.compare(Integer.parseInt(x), Integer.parseInt(y)));
    for (int i = 0; i < allocations.length; i++) {
      if (allocations[i] != null && sequenceForOrdinal.containsKey(i)) {
        seq.put(Integer.toString(i), sequenceForOrdinal.get(i));
      }
    }
    return new AllocationBlock(
        cidr.toString(),
        affinity,
        java.util.Collections.unmodifiableList(alloc),
        List.copyOf(unallocated),
        List.copyOf(kept),
        sequenceNumber,
        new LinkedHashMap<>(seq),
        deleted);
  }

  /** An independent copy to try changes on. */
  public Block copy() {
    return new Block(
        cidr,
        affinity,
        allocations.clone(),
        new ArrayDeque<>(unallocated),
        new ArrayList<>(attributes),
        sequenceNumber,
        new HashMap<>(sequenceForOrdinal),
        deleted);
  }

  public Cidr cidr() {
    return cidr;
  }

  /** The owning node, or null. */
  public String affinityNode() {
    return affinity != null && affinity.startsWith("host:") ? affinity.substring(5) : null;
  }

  /** Makes {@code node} the owner, or nobody when null. */
  public void setAffinityNode(String node) {
    this.affinity = node == null ? null : AllocationBlock.hostAffinity(node);
  }

  public boolean deleted() {
    return deleted;
  }

  public void markDeleted() {
    this.deleted = true;
  }

  public int size() {
    return allocations.length;
  }

  public int free() {
    return unallocated.size();
  }

  public int inUse() {
    return allocations.length - unallocated.size();
  }

  public boolean isEmpty() {
    return unallocated.size() == allocations.length;
  }

  public long sequenceNumber() {
    return sequenceNumber;
  }

  /**
   * Hands out up to {@code count} addresses from the head of the free list, fewer when the block
   * runs out. Each gets its own sequence number.
   */
  public List<Allocated> allocate(int count, AllocationAttribute attribute) {
    Objects.requireNonNull(attribute, "attribute");
    if (deleted || count <= 0) return List.of();
    int idx = attributeIndex(attribute);
    List<Allocated> out = new ArrayList<>(Math.min(count, unallocated.size()));
    while (out.size() < count && !unallocated.isEmpty()) {
      out.add(take(unallocated.poll(), idx));
    }
    return out;
  }

  /**
   * As {@link #allocate(int, AllocationAttribute)}, passing over the ordinals in {@code reserved}
   * (see {@link Reservations#ordinalsIn}). A reserved ordinal stays in the free list at its place,
   * as in Calico: it is free, just not handed out automatically, and when its reservation goes it
   * is taken in its turn again.
   */
  public List<Allocated> allocate(int count, AllocationAttribute attribute, BitSet reserved) {
    if (reserved.isEmpty()) return allocate(count, attribute);
    Objects.requireNonNull(attribute, "attribute");
    if (deleted || count <= 0) return List.of();
    int idx = attributeIndex(attribute);
    List<Allocated> out = new ArrayList<>(Math.min(count, unallocated.size()));
    ArrayDeque<Integer> passed = new ArrayDeque<>();
    while (out.size() < count && !unallocated.isEmpty()) {
      int o = unallocated.poll();
      if (reserved.get(o)) passed.add(o);
      else out.add(take(o, idx));
    }
    while (!passed.isEmpty()) unallocated.addFirst(passed.pollLast());
    return out;
  }

  /** How many free addresses are not in {@code reserved}. */
  public int freeUnreserved(BitSet reserved) {
    if (reserved.isEmpty()) return unallocated.size();
    int n = 0;
    for (int o : unallocated) if (!reserved.get(o)) n++;
    return n;
  }

  /** Allocates one specific address; fails when it is outside the block or taken. */
  public Allocated allocateAddress(InetAddress address, AllocationAttribute attribute) {
    int ordinal = ordinalOf(address);
    if (allocations[ordinal] != null) {
      throw new IllegalStateException(Cidr.format(address) + " is already allocated");
    }
    if (deleted) throw new IllegalStateException("block " + cidr + " is being deleted");
    unallocated.remove(ordinal);
    return take(ordinal, attributeIndex(attribute));
  }

  /**
   * Frees {@code ordinal} if it is still the allocation the caller means: when {@code
   * expectedSequence} is given it must match, when {@code expectedHandle} is given it must hold it.
   */
  public ReleaseOutcome release(int ordinal, Long expectedSequence, String expectedHandle) {
    checkOrdinal(ordinal);
    Integer a = allocations[ordinal];
    if (a == null) return ReleaseOutcome.NOT_ALLOCATED;
    if (expectedSequence != null && !expectedSequence.equals(sequenceForOrdinal.get(ordinal))) {
      return ReleaseOutcome.STALE;
    }
    if (expectedHandle != null && !attributes.get(a).handle().equals(expectedHandle)) {
      return ReleaseOutcome.OTHER_HANDLE;
    }
    allocations[ordinal] = null;
    sequenceForOrdinal.remove(ordinal);
    unallocated.add(ordinal);
    return ReleaseOutcome.RELEASED;
  }

  /** Frees every address held by {@code handle}; returns how many. */
  public int releaseHandle(String handle) {
    int n = 0;
    for (int o : ordinalsOf(handle)) {
      if (release(o, null, handle) == ReleaseOutcome.RELEASED) n++;
    }
    return n;
  }

  /** The ordinals {@code handle} holds, ascending. */
  public List<Integer> ordinalsOf(String handle) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < allocations.length; i++) {
      if (allocations[i] != null && attributes.get(allocations[i]).handle().equals(handle)) {
        out.add(i);
      }
    }
    return out;
  }

  /** Allocated addresses per handle. */
  public Map<String, Integer> handleCounts() {
    Map<String, Integer> out = new TreeMap<>();
    for (Integer a : allocations) {
      if (a != null) out.merge(attributes.get(a).handle(), 1, Integer::sum);
    }
    return out;
  }

  /** Who holds {@code ordinal}, or null when it is free. */
  public AllocationAttribute attributeAt(int ordinal) {
    checkOrdinal(ordinal);
    Integer a = allocations[ordinal];
    return a == null ? null : attributes.get(a);
  }

  /** The sequence number {@code ordinal} was allocated at, or null when it is free. */
  public Long sequenceAt(int ordinal) {
    checkOrdinal(ordinal);
    return allocations[ordinal] == null ? null : sequenceForOrdinal.get(ordinal);
  }

  /** The ordinal of {@code address}; fails when it is outside this block. */
  public int ordinalOf(InetAddress address) {
    if (!cidr.contains(address)) {
      throw new IllegalArgumentException(Cidr.format(address) + " is not inside block " + cidr);
    }
    return cidr.offsetOf(address).intValueExact();
  }

  public InetAddress addressAt(int ordinal) {
    checkOrdinal(ordinal);
    return cidr.addressAt(ordinal);
  }

  /** The free ordinals in hand-out order. */
  public List<Integer> freeOrdinals() {
    return List.copyOf(unallocated);
  }

  private Allocated take(int ordinal, int attributeIndex) {
    allocations[ordinal] = attributeIndex;
    sequenceNumber++;
    sequenceForOrdinal.put(ordinal, sequenceNumber);
    return new Allocated(cidr, ordinal, cidr.addressAt(ordinal), sequenceNumber);
  }

  private int attributeIndex(AllocationAttribute attribute) {
    int idx = attributes.lastIndexOf(attribute);
    if (idx >= 0) return idx;
    attributes.add(attribute);
    return attributes.size() - 1;
  }

  private void checkOrdinal(int ordinal) {
    if (ordinal < 0 || ordinal >= allocations.length) {
      throw new IllegalArgumentException(
          "ordinal "
              + ordinal
              + " is outside block "
              + cidr
              + " (0.."
              + (allocations.length - 1)
              + ")");
    }
  }
}
