package dev.netctl.ipam.allocator;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.AllowedUse;
import dev.netctl.datastore.model.AssignmentMode;
import dev.netctl.datastore.model.IPAMConfigSpec;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.IPReservation;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.selector.Selector;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.block.Reservations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allocator's view of the cluster read from the datastore's resources: IPPools, Nodes, the
 * default IPAMConfig and IPReservations. Every call reads the current objects, so pool and config
 * changes apply to the next batch.
 */
public final class ResourceEnvironment implements IpamEnvironment {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceEnvironment.class);

  /** The last reservation set built and the ranges it was built from. */
  private record Built(List<String> ranges, Reservations reservations) {}

  private final ResourceClient client;
  private volatile Built built;
  private volatile boolean warnedMissing;

  public ResourceEnvironment(ResourceClient client) {
    this.client = client;
  }

  @Override
  public List<PoolSpec> pools() {
    List<PoolSpec> out = new ArrayList<>();
    for (IPPool pool : client.list(Kind.IP_POOL)) out.add(toSpec(pool));
    return out;
  }

  /** The allocator's view of one IPPool. */
  public static PoolSpec toSpec(IPPool pool) {
    IPPoolSpec s = pool.spec();
    Selector selector = Selector.parse(s.nodeSelector());
    return new PoolSpec(
        pool.metadata().name(),
        Cidr.parse(s.cidr()),
        s.blockSize(),
        s.disabled(),
        selector::matches,
        s.allowedUses().stream().map(AllowedUse::wire).collect(Collectors.toSet()),
        s.assignmentMode() == AssignmentMode.MANUAL);
  }

  @Override
  public Optional<Map<String, String>> nodeLabels(String node) {
    return client.find(Kind.NODE, node).map(n -> n.metadata().labels());
  }

  /**
   * Every IPReservation's ranges as one set. The objects are read each call (a reservation applies
   * to the next batch); the set is built again only when their ranges changed, so the allocator's
   * per-block answers stay valid across batches.
   */
  @Override
  public Reservations reservations() {
    List<String> ranges = new ArrayList<>();
    for (IPReservation r : listReservations()) {
      ranges.addAll(r.spec().reservedCIDRs());
    }
    Built last = built;
    if (last != null && last.ranges().equals(ranges)) return last.reservations();
    Built now = new Built(ranges, toReservations(ranges));
    built = now;
    return now.reservations();
  }

  /**
   * The stored IPReservations. A Kubernetes datastore without their CRD (agents upgraded before
   * `kubectl apply -k deploy/crds`) holds none, and says so by naming the missing kind: that is
   * read as no reservation, once warned, rather than failing every assignment.
   */
  private List<IPReservation> listReservations() {
    try {
      return client.list(Kind.IP_RESERVATION);
    } catch (DatastoreException.Unavailable e) {
      if (!e.missingKind().equals(Optional.of(Kind.IP_RESERVATION.storageKind()))) throw e;
      if (!warnedMissing) {
        warnedMissing = true;
        LOG.warn("{}; IPAM proceeds with no IPReservations until it is installed", e.getMessage());
      }
      return List.of();
    }
  }

  /**
   * The allocator's view of reserved ranges. An entry validation would refuse (written around it,
   * with kubectl) is taken as Calico takes it: host bits dropped; one that is no address is
   * skipped.
   */
  public static Reservations toReservations(List<String> ranges) {
    List<Cidr> cidrs = new ArrayList<>();
    for (String text : ranges) {
      try {
        cidrs.add(
            Cidr.parse(
                dev.netctl.datastore.model.Cidr.parseAddressOrCidr(text).masked().toString()));
      } catch (IllegalArgumentException e) {
        // Not an address: nothing to keep out. `netctl get ipreservations` shows it as stored.
      }
    }
    return Reservations.of(cidrs);
  }

  @Override
  public IpamSettings settings() {
    IPAMConfigSpec c = client.effectiveIpamConfig();
    return new IpamSettings(c.strictAffinity(), c.autoAllocateBlocks(), c.maxBlocksPerHost());
  }
}
