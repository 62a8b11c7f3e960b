package dev.netctl.kube;

import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchDelivery;
import dev.netctl.datastore.WatchEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * One watch of a kind derived from several Kubernetes collections (Profiles: Namespaces as {@code
 * kns.}, ServiceAccounts as {@code ksa.}): one watch per collection, merged into one stream with
 * one listener thread and one end.
 *
 * <p>What a reader of the merged stream gets (the agent's syncer keys its cache by name, and each
 * name belongs to one collection):
 *
 * <ul>
 *   <li>Each object's changes in order, each once. Events of different collections are in arrival
 *       order, not one revision order: putting them in one order would hold a namespace's change
 *       back until the service-account watch proves it has nothing older (its next event or
 *       bookmark, about once a minute on an idle collection), a delay policy must not have.
 *       Kubernetes writes no two of these objects atomically, so no reader can rely on an order
 *       across them.
 *   <li>No state older than the listing the watch started from: started from a listing of this
 *       store ({@link Marks}), each collection is watched from the revision it was itself listed
 *       at. From the listing's single revision (the older of the two), the collection listed later
 *       replayed changes its listing already held: a relabelled object went back to an old label
 *       set, a deleted one came back, until the replay caught up.
 *   <li>One end: when either collection's history is gone (410 Gone), the stream ends with one
 *       {@link WatchEvent.ResyncNeeded} and every part is closed, so nothing of the other
 *       collection arrives after it. Its revision is the low watermark (the oldest point up to
 *       which every collection was delivered), which is where the merged stream is complete.
 * </ul>
 */
final class MergedWatch implements Watch {

  /**
   * The revision each collection of a multi-collection listing was taken at, by the revision the
   * listing reported (the oldest of them), for the last {@value #KEPT} listings: what {@link
   * MergedWatch} starts each part from.
   */
  static final class Marks {
    static final int KEPT = 64;

    /** A listed collection's revision, or {@link #UNREADABLE} when it could not be read. */
    static final long UNREADABLE = -1;

    private final Map<Long, long[]> byRevision =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Long, long[]> eldest) {
            return size() > KEPT;
          }
        };

    /**
     * Records a listing. Two listings reporting the same revision keep the older mark of each
     * collection: a part started too early replays, one started too late would miss changes.
     */
    synchronized void put(long revision, long[] perSource) {
      byRevision.merge(
          revision,
          perSource.clone(),
          (a, b) -> {
            long[] out = a.clone();
            for (int i = 0; i < out.length; i++) out[i] = Math.min(a[i], b[i]);
            return out;
          });
    }

    /** The per-collection revisions of that listing, or null when it is not one of ours. */
    synchronized long[] get(long revision) {
      long[] m = byRevision.get(revision);
      return m == null ? null : m.clone();
    }
  }

  private final WatchDelivery delivery;
  private final List<Watch> parts = new CopyOnWriteArrayList<>();
  private final AtomicLongArray delivered;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final String kind;

  /**
   * @param starts each part's start revision, in the order of {@code open}'s index
   * @param open opens part {@code i} from a revision, with the listener it must deliver to
   */
  MergedWatch(
      String kind,
      String address,
      long[] starts,
      Consumer<WatchEvent> listener,
      BiFunction<Integer, Consumer<WatchEvent>, Watch> open,
      Runnable onEnd) {
    this.kind = kind;
    this.delivered = new AtomicLongArray(starts);
    long from = Long.MAX_VALUE;
    for (long s : starts) from = Math.min(from, s);
    this.delivery = new WatchDelivery(kind + " after " + from + " on " + address, listener, onEnd);
    try {
      for (int i = 0; i < starts.length; i++) {
        int part = i;
        parts.add(open.apply(part, e -> fromPart(part, e)));
      }
    } catch (RuntimeException e) {
      close(); // the parts opened so far, not left running behind a watch nobody holds
      throw e;
    }
    // A part that ended the stream while the later ones were still being opened closed only
    // those that were open then.
    if (ended.get()) closeParts();
  }

  /**
   * Runs on part {@code part}'s delivery thread: one part's events arrive one at a time, but two
   * parts' at once. The end and every offer are decided under one lock: otherwise one part's event
   * could pass the check while the other part ends the stream, and be delivered after the
   * ResyncNeeded. The parts are closed outside it (a part's close may wait for its own thread).
   */
  private void fromPart(int part, WatchEvent e) {
    synchronized (this) {
      if (ended.get()) return;
      if (!(e instanceof WatchEvent.ResyncNeeded r)) {
        delivered.accumulateAndGet(part, e.revision(), Math::max);
        delivery.offer(e);
        return;
      }
      ended.set(true);
      delivery.offer(new WatchEvent.ResyncNeeded(lowWatermark(), r.reason()));
    }
    closeParts();
  }

  private long lowWatermark() {
    long low = Long.MAX_VALUE;
    for (int i = 0; i < delivered.length(); i++) low = Math.min(low, delivered.get(i));
    return low;
  }

  private void closeParts() {
    for (Watch w : parts) w.close();
  }

  @Override
  public void close() {
    synchronized (this) {
      ended.set(true);
    }
    closeParts();
    delivery.close();
  }

  @Override
  public String toString() {
    return "merged watch of " + kind;
  }
}
