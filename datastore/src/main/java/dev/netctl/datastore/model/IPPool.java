package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * An IP pool (Calico {@code IPPool}): a range of pod addresses and how they are routed.
 *
 * @param metadata name and labels
 * @param spec the pool's settings
 */
public record IPPool(ObjectMeta metadata, IPPoolSpec spec) implements Resource {

  /**
   * The annotation {@code PoolDeletion} writes together with {@code disabled: true} when it starts
   * to delete the pool (value: the time, RFC 3339). It tells a pool on its way out from one merely
   * disabled: the agent stops routing the addresses of a deleted pool's ownerless blocks, but keeps
   * routing those of a disabled pool whose affinities were released for another reason.
   */
  public static final String DELETING_ANNOTATION = "netctl.dev/deleting";

  public IPPool {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  /** A pool named {@code name} with the given spec. */
  public static IPPool of(String name, IPPoolSpec spec) {
    return new IPPool(ObjectMeta.named(name), spec);
  }

  /**
   * Whether {@code PoolDeletion} has begun to delete this pool: marked ({@link
   * #DELETING_ANNOTATION}) and still disabled. A deletion that stopped half-way leaves the mark; a
   * user who then enables the pool again has taken it back, and its addresses are routed as any
   * enabled pool's.
   */
  public boolean beingDeleted() {
    return spec.disabled() && metadata.annotations().containsKey(DELETING_ANNOTATION);
  }

  /**
   * This pool without its deletion mark when it is enabled: a deletion that stopped half-way left
   * the mark, and the pool enabled again is no longer on its way out, nor after a later disable.
   */
  public IPPool takenBackIfEnabled() {
    if (spec.disabled() || !metadata.annotations().containsKey(DELETING_ANNOTATION)) return this;
    java.util.Map<String, String> a = new java.util.TreeMap<>(metadata.annotations());
    a.remove(DELETING_ANNOTATION);
    return new IPPool(metadata.withAnnotations(a), spec);
  }

  /** This pool marked as being deleted since {@code since} (RFC 3339). */
  public IPPool markedDeleting(String since) {
    java.util.Map<String, String> a = new java.util.TreeMap<>(metadata.annotations());
    a.put(DELETING_ANNOTATION, since);
    return new IPPool(metadata.withAnnotations(a), spec);
  }

  @Override
  public Kind<IPPool> kind() {
    return Kind.IP_POOL;
  }

  @Override
  public IPPool withMetadata(ObjectMeta newMetadata) {
    return new IPPool(newMetadata, spec);
  }
}
