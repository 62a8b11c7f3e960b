package dev.netctl.datastore;

import java.util.List;

/**
 * A consistent snapshot of every object of one kind (optionally with a name prefix).
 *
 * @param entries the objects, sorted by name
 * @param revision the store revision at which the snapshot was taken; a watch started from it
 *     misses no event and repeats none
 */
public record Listing(List<Entry> entries, long revision) {
  public Listing {
    entries = List.copyOf(entries);
  }
}
