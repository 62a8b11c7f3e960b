package dev.netctl.agent.calc;

import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.EncapsulationMode;

/**
 * What the calculation needs of one IP pool.
 *
 * @param name the pool name
 * @param cidr the pool's network
 * @param ipipMode IP-in-IP mode (IPv4 pools only)
 * @param vxlanMode VXLAN mode
 * @param natOutgoing masquerade traffic from the pool to destinations outside every pool
 * @param disableBGPExport do not advertise the pool's blocks
 * @param beingDeleted PoolDeletion has disabled and marked it and is releasing its affinities
 *     before it deletes it (IPPool.DELETING_ANNOTATION); a pool merely disabled is not
 */
public record PoolInfo(
    String name,
    Cidr cidr,
    EncapsulationMode ipipMode,
    EncapsulationMode vxlanMode,
    boolean natOutgoing,
    boolean disableBGPExport,
    boolean beingDeleted) {

  /** A pool not being deleted. */
  public PoolInfo(
      String name,
      Cidr cidr,
      EncapsulationMode ipipMode,
      EncapsulationMode vxlanMode,
      boolean natOutgoing,
      boolean disableBGPExport) {
    this(name, cidr, ipipMode, vxlanMode, natOutgoing, disableBGPExport, false);
  }
}
