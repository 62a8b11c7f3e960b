package dev.netctl.datastore.client;

import dev.netctl.datastore.model.Resource;
import java.util.List;

/**
 * A consistent snapshot of the resources of one kind and the revision it was taken at; a {@link
 * ResourceClient#watch} from that revision misses no change and repeats none.
 *
 * @param items the resources, sorted by name
 * @param revision the datastore revision of the snapshot
 * @param <R> the resource type
 */
public record ResourceList<R extends Resource>(List<R> items, long revision) {
  public ResourceList {
    items = List.copyOf(items);
  }
}
