package dev.netctl.datastore.migrate;

import dev.netctl.datastore.Blocking;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DerivedKinds;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Write;
import dev.netctl.datastore.migrate.MigrationException.Reason;
import dev.netctl.datastore.model.CodecException;
import dev.netctl.datastore.model.ResourceCodec;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code netctl datastore migrate}: lock, export, import, unlock, over the generic {@link
 * Datastore} contract, so it moves data between any two backends (embedded, etcd, Kubernetes).
 *
 * <p>The protocol, as Calico's: lock the source (writers refuse to change it), export it, import
 * the dump into an empty target (which stays locked), point the cluster at the target, unlock it.
 */
public final class Migration {
  private final List<StoredKind> kinds;
  private final Clock clock;
  private final ResourceCodec codec = new ResourceCodec();

  /**
   * @param kinds every kind to copy (see {@link StoredKind} for why the caller lists them)
   */
  public Migration(List<StoredKind> kinds, Clock clock) {
    this.kinds = List.copyOf(kinds);
    this.clock = clock;
  }

  /** Marks {@code store} read-only for netctl writers; returns the lock's revision. */
  public long lock(Datastore store, String reason) {
    return ClusterInformation.write(
        store,
        new ClusterInformation(
            false, reason, clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()));
  }

  /** Lets writers change {@code store} again. */
  public void unlock(Datastore store) {
    ClusterInformation.write(store, ClusterInformation.READY);
  }

  /** Whether {@code store} is locked. */
  public static boolean locked(Datastore store) {
    return !ClusterInformation.read(store).datastoreReady();
  }

  /**
   * Every object of every kind, read while the store is locked: an unlocked store is locked for the
   * export and unlocked afterwards; a locked one stays locked.
   *
   * <p>Writers notice a lock within their watch's delay, so a write may land just after it: the
   * export fails (SOURCE_CHANGED) when any exported object was written after the lock, rather than
   * return a dump that mixes states. (A deletion after the lock cannot be seen this way.)
   */
  public Dump export(Datastore store) {
    Optional<Entry> info = Blocking.await(store.get(ClusterInformation.KEY), store.address());
    boolean wasLocked = info.isPresent() && !ClusterInformation.decode(info.get()).datastoreReady();
    long lockRevision =
        wasLocked ? info.get().revision() : lock(store, "netctl datastore migrate export");
    try {
      List<Entry> first = readAll(store);
      for (Entry e : first) {
        if (e.revision() > lockRevision) {
          throw new MigrationException(
              Reason.SOURCE_CHANGED,
              e.key()
                  + " in "
                  + store.address()
                  + " was written at revision "
                  + e.revision()
                  + ", after the migration lock (revision "
                  + lockRevision
                  + "): a writer ignored or had not yet seen the lock; export again");
        }
      }
      // A second read catches what changed while the first was running, deletions included.
      List<Entry> second = readAll(store);
      if (!first.equals(second)) {
        throw new MigrationException(
            Reason.SOURCE_CHANGED,
            store.address()
                + " changed while it was exported ("
                + firstDifference(first, second)
                + "): a writer ignored or had not yet seen the lock; export again");
      }
      return new Dump(first.stream().map(e -> new DumpEntry(e.key(), e.value())).toList());
    } finally {
      if (!wasLocked) unlock(store);
    }
  }

  /** Every object of every kind, kinds in list order, names sorted. */
  private List<Entry> readAll(Datastore store) {
    List<Entry> out = new ArrayList<>();
    for (StoredKind k : kinds) {
      List<Entry> sorted =
          new ArrayList<>(Blocking.await(store.list(k.name()), store.address()).entries());
      sorted.sort(Comparator.comparing(e -> e.key().name()));
      out.addAll(sorted);
    }
    return out;
  }

  private static String firstDifference(List<Entry> first, List<Entry> second) {
    Map<Key, Long> before = new LinkedHashMap<>();
    first.forEach(e -> before.put(e.key(), e.revision()));
    for (Entry e : second) {
      Long was = before.remove(e.key());
      if (was == null) return e.key() + " appeared";
      if (was != e.revision()) return e.key() + " was rewritten";
    }
    return before.keySet().iterator().next() + " was deleted";
  }

  /**
   * What an import wrote, per kind, and what it skipped because the target derives those kinds
   * itself ({@link DerivedKinds}).
   */
  public record Imported(Map<String, Integer> counts, int commits, Map<String, Integer> skipped) {}

  /**
   * Checks every object of {@code dump}, refuses a target that holds any object of the migrated
   * kinds, locks the target, writes the dump in commits of at most {@link
   * Datastore#maxOpsPerCommit()} creates, reads it back to verify, and leaves the target locked
   * (unlock it once the cluster points at it).
   *
   * @throws MigrationException INVALID_INPUT or TARGET_NOT_EMPTY before writing anything;
   *     VERIFY_FAILED when the target does not hold exactly the dump afterwards
   */
  public Imported importInto(Datastore target, Dump dump) {
    Map<String, StoredKind> byName = new LinkedHashMap<>();
    for (StoredKind k : kinds) byName.put(k.name(), k);
    List<String> problems = new ArrayList<>();
    for (DumpEntry e : dump.entries()) {
      StoredKind k = byName.get(e.key().kind());
      if (k == null) {
        problems.add(
            e.key()
                + ": kind \""
                + e.key().kind()
                + "\" is not one this netctl migrates ("
                + String.join(", ", byName.keySet())
                + ")");
        continue;
      }
      try {
        k.check().check(e.key(), e.value());
      } catch (CodecException ex) {
        // The value is decoded alone, as "document 1": the key says which object it is.
        problems.add(e.key() + ": " + ex.detail());
      } catch (RuntimeException ex) {
        problems.add(e.key() + ": " + ex.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new MigrationException(
          Reason.INVALID_INPUT,
          "the dump holds "
              + problems.size()
              + " invalid object(s); nothing was written:\n"
              + String.join("\n", problems));
    }
    // Objects the target derives from its own (Kubernetes: endpoints from Pods...) are already
    // there or will be, from the cluster itself: they are neither written nor expected back.
    Set<String> derived = DerivedKinds.of(target);
    Dump written =
        new Dump(dump.entries().stream().filter(e -> !derived.contains(e.key().kind())).toList());
    Map<String, Integer> skipped = new TreeMap<>(dump.counts());
    skipped.keySet().retainAll(derived);
    refuseNonEmpty(target, derived);
    lock(target, "netctl datastore migrate import");
    int max = target.maxOpsPerCommit();
    List<DumpEntry> entries = written.entries();
    int commits = 0;
    for (int i = 0; i < entries.size(); i += max) {
      List<Write> chunk =
          entries.subList(i, Math.min(entries.size(), i + max)).stream()
              .map(e -> (Write) new Write.Create(e.key(), e.value()))
              .toList();
      Blocking.await(target.commit(chunk), target.address());
      commits++;
    }
    verify(target, written, derived);
    // Rewritten last so that its revision is above every imported object's: an export of the
    // (still locked) target then sees nothing written after its lock.
    lock(target, "imported by netctl datastore migrate import; unlock when the cluster uses it");
    return new Imported(written.counts(), commits, skipped);
  }

  private void refuseNonEmpty(Datastore target, Set<String> derived) {
    List<String> found = new ArrayList<>();
    for (StoredKind k : kinds) {
      if (derived.contains(k.name())) continue; // the cluster's own objects, not a prior import
      List<Entry> present = Blocking.await(target.list(k.name()), target.address()).entries();
      if (present.isEmpty()) continue;
      String names =
          present.stream().limit(3).map(e -> e.key().name()).collect(Collectors.joining(", "));
      found.add(
          present.size()
              + " "
              + k.name()
              + " ("
              + names
              + (present.size() > 3 ? ", ..." : "")
              + ")");
    }
    if (!found.isEmpty()) {
      throw new MigrationException(
          Reason.TARGET_NOT_EMPTY,
          "target "
              + target.address()
              + " is not empty: it holds "
              + String.join(", ", found)
              + "; import only into an empty datastore");
    }
  }

  private void verify(Datastore target, Dump dump, Set<String> derived) {
    Map<Key, byte[]> stored = new LinkedHashMap<>();
    for (StoredKind k : kinds) {
      if (derived.contains(k.name())) continue;
      for (Entry e : Blocking.await(target.list(k.name()), target.address()).entries()) {
        stored.put(e.key(), e.value());
      }
    }
    for (DumpEntry e : dump.entries()) {
      byte[] got = stored.remove(e.key());
      // Compared as JSON trees: a backend may store the same object with other bytes (Kubernetes
      // re-serializes what it is given).
      if (got == null || !codec.readJsonTree(got).equals(codec.readJsonTree(e.value()))) {
        throw new MigrationException(
            Reason.VERIFY_FAILED,
            e.key()
                + " reads back "
                + (got == null ? "missing" : "different")
                + " from "
                + target.address()
                + " after the import");
      }
    }
    if (!stored.isEmpty()) {
      throw new MigrationException(
          Reason.VERIFY_FAILED,
          target.address()
              + " holds objects the dump does not: "
              + stored.keySet()
              + " (written concurrently with the import?)");
    }
  }
}
