package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * Addresses IPAM must not hand out automatically (Calico {@code IPReservation}, cluster-scoped):
 * single addresses or whole ranges, in any pool or outside all of them. An address asked for by
 * name (the CNI's {@code cni.projectcalico.org/ipAddrs} annotation, {@code netctl ipam assign
 * --ip}) may still be taken, as in Calico: keeping an address for one workload is what a
 * reservation is for. Reserving an address already in use does not take it back.
 *
 * @param metadata the reservation's name
 * @param spec the reserved ranges
 */
public record IPReservation(ObjectMeta metadata, IPReservationSpec spec) implements Resource {
  public IPReservation {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  /** A reservation named {@code name} of the given addresses and CIDRs. */
  public static IPReservation of(String name, String... reservedCIDRs) {
    return new IPReservation(
        ObjectMeta.named(name), new IPReservationSpec(java.util.List.of(reservedCIDRs)));
  }

  @Override
  public Kind<IPReservation> kind() {
    return Kind.IP_RESERVATION;
  }

  @Override
  public IPReservation withMetadata(ObjectMeta newMetadata) {
    return new IPReservation(newMetadata, spec);
  }
}
