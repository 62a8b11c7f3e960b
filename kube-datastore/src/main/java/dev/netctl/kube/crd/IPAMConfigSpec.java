package dev.netctl.kube.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Min;

/** The schema of the IPAM configuration (fields of netctl's and Calico's IPAMConfig). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IPAMConfigSpec {
  private Boolean strictAffinity;
  private Boolean autoAllocateBlocks;

  @Min(0)
  private Integer maxBlocksPerHost;

  public Boolean getStrictAffinity() {
    return strictAffinity;
  }

  public void setStrictAffinity(Boolean strictAffinity) {
    this.strictAffinity = strictAffinity;
  }

  public Boolean getAutoAllocateBlocks() {
    return autoAllocateBlocks;
  }

  public void setAutoAllocateBlocks(Boolean autoAllocateBlocks) {
    this.autoAllocateBlocks = autoAllocateBlocks;
  }

  public Integer getMaxBlocksPerHost() {
    return maxBlocksPerHost;
  }

  public void setMaxBlocksPerHost(Integer maxBlocksPerHost) {
    this.maxBlocksPerHost = maxBlocksPerHost;
  }
}
