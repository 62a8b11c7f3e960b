package dev.netctl.ipam.allocator;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ValidationException;

/**
 * Deleting an IP pool the way Calico does: disable it, so that no address is assigned from it
 * meanwhile, and mark it as being deleted ({@link IPPool#DELETING_ANNOTATION}); release every block
 * affinity inside it (empty blocks go, blocks still holding addresses stay without an owner, for
 * {@code ipam check} to list); then delete it. Without the release the nodes kept claiming blocks
 * of a range no pool holds any more, and empty blocks stayed forever.
 */
public final class PoolDeletion {
  private PoolDeletion() {}

  /**
   * Deletes pool {@code name} and returns it as it was stored last.
   *
   * @throws dev.netctl.datastore.DatastoreException.NotFound when there is no such pool
   * @throws dev.netctl.datastore.DatastoreException.Conflict when it changed while being deleted
   */
  public static IPPool delete(ResourceClient client, String name) {
    IPPool pool = client.get(Kind.IP_POOL, name);
    if (!pool.beingDeleted()) {
      // Disabled, and marked as being deleted: the agents stop routing the addresses left in its
      // ownerless blocks only for a pool so marked, not for one merely disabled.
      try {
        pool =
            client.update(
                new IPPool(pool.metadata(), pool.spec().withDisabled(true))
                    .markedDeleting(java.time.Instant.now().toString()));
      } catch (ValidationException e) {
        // A pool stored past netctl's checks (e.g. by kubectl) cannot be rewritten; deleting it
        // must still work, so its affinities are released without disabling it first.
      }
    }
    new IpamAllocator(client.datastore(), new ResourceEnvironment(client))
        .releasePoolAffinities(name, true);
    return client.delete(Kind.IP_POOL, name, pool.metadata().resourceVersion());
  }
}
