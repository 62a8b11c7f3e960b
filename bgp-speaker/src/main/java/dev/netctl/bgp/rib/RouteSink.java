package dev.netctl.bgp.rib;

/**
 * Receives best-path changes (for example the dataplane programmer). Called on RIB shard threads,
 * possibly from several at once, in order for any one prefix; it must hand off quickly and never
 * call back into the RIB synchronously.
 */
@FunctionalInterface
public interface RouteSink {
  /** A prefix's best path or ECMP set changed. */
  void onChange(BestPathChange change);

  /**
   * Whether the sink wants changes now. One that drops them while nobody listens says so, and the
   * shards then do not build them: a million-route load would otherwise allocate a change per route
   * for nothing.
   */
  default boolean listening() {
    return true;
  }
}
