package dev.netctl.datastore;

/**
 * What a watch delivers, in revision order.
 *
 * <p>{@link ResyncNeeded} means history between the watch's start revision and now is gone
 * (compacted, or the embedded event log was trimmed): the watcher must list again and restart its
 * watch from the listing's revision. It is always the last event of its watch.
 */
public sealed interface WatchEvent {

  /** The revision this event happened at. */
  long revision();

  /** An object was created or replaced. */
  record Put(Entry entry, boolean created) implements WatchEvent {
    @Override
    public long revision() {
      return entry.revision();
    }
  }

  /** An object was deleted at {@code revision}. */
  record Deleted(Key key, long revision) implements WatchEvent {}

  /** The requested history is gone; list again and watch from the new listing. */
  record ResyncNeeded(long revision, String reason) implements WatchEvent {}
}
