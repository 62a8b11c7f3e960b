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
}
