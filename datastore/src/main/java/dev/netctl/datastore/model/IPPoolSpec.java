package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * What an IP pool is: a CIDR carved into blocks that IPAM hands to nodes, and how traffic to it is
 * encapsulated and advertised. Field names and defaults are Calico v3's.
 *
 * <p>Absent fields take Calico's defaults at construction, so a stored pool always shows them:
 * blockSize 26 (IPv4) or 122 (IPv6), both encapsulations {@code Never}, nodeSelector {@code all()},
 * allowedUses [Workload, Tunnel], assignmentMode Automatic.
 *
 * @param cidr the pool's network, host bits zero, e.g. {@code 10.244.0.0/16}
 * @param blockSize the prefix length of the blocks IPAM allocates to nodes
 * @param ipipMode when to encapsulate in IP-in-IP (IPv4 only)
 * @param vxlanMode when to encapsulate in VXLAN
 * @param natOutgoing masquerade traffic leaving the pool for outside destinations
 * @param disabled no new addresses are assigned from a disabled pool
 * @param disableBGPExport do not advertise the pool's routes over BGP
 * @param nodeSelector which nodes may take blocks from this pool
 * @param allowedUses what the addresses may be used for
 * @param assignmentMode Automatic, or Manual (only when a pod asks for this pool)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "cidr",
  "blockSize",
  "ipipMode",
  "vxlanMode",
  "natOutgoing",
  "disabled",
  "disableBGPExport",
  "nodeSelector",
  "allowedUses",
  "assignmentMode"
})
public record IPPoolSpec(
    String cidr,
    Integer blockSize,
    EncapsulationMode ipipMode,
    EncapsulationMode vxlanMode,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean natOutgoing,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean disabled,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean disableBGPExport,
    String nodeSelector,
    List<AllowedUse> allowedUses,
    AssignmentMode assignmentMode) {

  /** Default block prefix length for IPv4 pools. */
  public static final int DEFAULT_BLOCK_SIZE_V4 = 26;

  /** Default block prefix length for IPv6 pools. */
  public static final int DEFAULT_BLOCK_SIZE_V6 = 122;

  /** Default node selector: every node. */
  public static final String DEFAULT_NODE_SELECTOR = "all()";

  public IPPoolSpec {
    cidr = Cidr.canonical(cidr);
    if (blockSize == null) {
      blockSize =
          cidr != null && cidr.indexOf(':') >= 0 ? DEFAULT_BLOCK_SIZE_V6 : DEFAULT_BLOCK_SIZE_V4;
    }
    if (ipipMode == null) ipipMode = EncapsulationMode.NEVER;
    if (vxlanMode == null) vxlanMode = EncapsulationMode.NEVER;
    if (nodeSelector == null || nodeSelector.isBlank()) nodeSelector = DEFAULT_NODE_SELECTOR;
    allowedUses =
        allowedUses == null || allowedUses.isEmpty()
            ? List.of(AllowedUse.WORKLOAD, AllowedUse.TUNNEL)
            // unmodifiable but null-tolerant: a null element given through the Java API reaches
            // the validator (the codec refuses an empty list entry before)
            : java.util.Collections.unmodifiableList(new ArrayList<>(allowedUses));
    if (assignmentMode == null) assignmentMode = AssignmentMode.AUTOMATIC;
  }

  /** A pool spec with the given CIDR and every other field at its default. */
  public static IPPoolSpec of(String cidr) {
    return new IPPoolSpec(cidr, null, null, null, false, false, false, null, null, null);
  }

  /**
   * The parsed {@link #cidr()}, for IPAM arithmetic.
   *
   * @throws IllegalArgumentException when the cidr is absent or malformed (validation rejects such
   *     pools before they are stored)
   */
  public Cidr network() {
    return Cidr.parse(cidr);
  }

  /** A copy with another block size. */
  public IPPoolSpec withBlockSize(int size) {
    return new IPPoolSpec(
        cidr,
        size,
        ipipMode,
        vxlanMode,
        natOutgoing,
        disabled,
        disableBGPExport,
        nodeSelector,
        allowedUses,
        assignmentMode);
  }

  /** A copy with other encapsulation modes. */
  public IPPoolSpec withEncapsulation(EncapsulationMode ipip, EncapsulationMode vxlan) {
    return new IPPoolSpec(
        cidr,
        blockSize,
        ipip,
        vxlan,
        natOutgoing,
        disabled,
        disableBGPExport,
        nodeSelector,
        allowedUses,
        assignmentMode);
  }

  /** A copy with natOutgoing set. */
  public IPPoolSpec withNatOutgoing(boolean nat) {
    return new IPPoolSpec(
        cidr,
        blockSize,
        ipipMode,
        vxlanMode,
        nat,
        disabled,
        disableBGPExport,
        nodeSelector,
        allowedUses,
        assignmentMode);
  }

  /** A copy with the disabled flag set. */
  public IPPoolSpec withDisabled(boolean isDisabled) {
    return new IPPoolSpec(
        cidr,
        blockSize,
        ipipMode,
        vxlanMode,
        natOutgoing,
        isDisabled,
        disableBGPExport,
        nodeSelector,
        allowedUses,
        assignmentMode);
  }

  /** A copy with another node selector. */
  public IPPoolSpec withNodeSelector(String selector) {
    return new IPPoolSpec(
        cidr,
        blockSize,
        ipipMode,
        vxlanMode,
        natOutgoing,
        disabled,
        disableBGPExport,
        selector,
        allowedUses,
        assignmentMode);
  }

  /** A copy with other allowed uses. */
  public IPPoolSpec withAllowedUses(List<AllowedUse> uses) {
    return new IPPoolSpec(
        cidr,
        blockSize,
        ipipMode,
        vxlanMode,
        natOutgoing,
        disabled,
        disableBGPExport,
        nodeSelector,
        uses,
        assignmentMode);
  }

  /** A copy with another assignment mode. */
  public IPPoolSpec withAssignmentMode(AssignmentMode mode) {
    return new IPPoolSpec(
        cidr,
        blockSize,
        ipipMode,
        vxlanMode,
        natOutgoing,
        disabled,
        disableBGPExport,
        nodeSelector,
        allowedUses,
        mode);
  }
}
