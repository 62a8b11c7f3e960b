package dev.netctl.kube.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.netctl.datastore.model.AllowedUse;
import dev.netctl.datastore.model.AssignmentMode;
import dev.netctl.datastore.model.EncapsulationMode;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/**
 * The schema of an IPPool's spec: the fields of {@link dev.netctl.datastore.model.IPPoolSpec} (a
 * test keeps the two in step), with what a schema can say about each. Rules between fields
 * (blockSize against the CIDR's family and prefix, CIDR immutable) are in the
 * ValidatingAdmissionPolicy in {@code deploy/}; rules between pools (no overlap) only the agent and
 * the netctl client can check.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IPPoolSpec {
  /**
   * An IPv4 CIDR (each octet 0-255, prefix 0-32) or an IPv6 one (hex groups and colons, prefix
   * 0-128). The exact IPv6 syntax and zero host bits are checked by the admission policy (CEL's
   * {@code isCIDR}) and by netctl.
   */
  public static final String CIDR_PATTERN =
      "^(((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
          + "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])"
          + "|[0-9a-fA-F:]*:[0-9a-fA-F:.]*/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))$";

  @Required
  @Pattern(CIDR_PATTERN)
  private String cidr;

  /** Calico's bounds: 20-32 for IPv4, 116-128 for IPv6 (the family check is the policy's). */
  @Min(20)
  @Max(128)
  private Integer blockSize;

  @Default("Never")
  private EncapsulationMode ipipMode;

  @Default("Never")
  private EncapsulationMode vxlanMode;

  @Default("false")
  private Boolean natOutgoing;

  @Default("false")
  private Boolean disabled;

  @Default("false")
  private Boolean disableBGPExport;

  @Default("all()")
  private String nodeSelector;

  private List<AllowedUse> allowedUses;

  @Default("Automatic")
  private AssignmentMode assignmentMode;

  public String getCidr() {
    return cidr;
  }

  public void setCidr(String cidr) {
    this.cidr = cidr;
  }

  public Integer getBlockSize() {
    return blockSize;
  }

  public void setBlockSize(Integer blockSize) {
    this.blockSize = blockSize;
  }

  public EncapsulationMode getIpipMode() {
    return ipipMode;
  }

  public void setIpipMode(EncapsulationMode ipipMode) {
    this.ipipMode = ipipMode;
  }

  public EncapsulationMode getVxlanMode() {
    return vxlanMode;
  }

  public void setVxlanMode(EncapsulationMode vxlanMode) {
    this.vxlanMode = vxlanMode;
  }

  public Boolean getNatOutgoing() {
    return natOutgoing;
  }

  public void setNatOutgoing(Boolean natOutgoing) {
    this.natOutgoing = natOutgoing;
  }

  public Boolean getDisabled() {
    return disabled;
  }

  public void setDisabled(Boolean disabled) {
    this.disabled = disabled;
  }

  public Boolean getDisableBGPExport() {
    return disableBGPExport;
  }

  public void setDisableBGPExport(Boolean disableBGPExport) {
    this.disableBGPExport = disableBGPExport;
  }

  public String getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(String nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<AllowedUse> getAllowedUses() {
    return allowedUses;
  }

  public void setAllowedUses(List<AllowedUse> allowedUses) {
    this.allowedUses = allowedUses;
  }

  public AssignmentMode getAssignmentMode() {
    return assignmentMode;
  }

  public void setAssignmentMode(AssignmentMode assignmentMode) {
    this.assignmentMode = assignmentMode;
  }
}
