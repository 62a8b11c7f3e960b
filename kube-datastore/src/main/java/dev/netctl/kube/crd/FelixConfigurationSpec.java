package dev.netctl.kube.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/**
 * The schema of the node agent's settings: the Calico FelixConfiguration fields netctl supports,
 * with their bounds (netctl's validation says the same, naming the rule). Calico's other fields are
 * not declared, so a {@code kubectl apply} with one is refused by the API server's strict field
 * validation (kubectl's default) rather than stored and ignored.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FelixConfigurationSpec {
  /** Go's duration text, as Calico's CRD has it. */
  static final String GO_DURATION = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$";

  @Min(0)
  @Max(16777215)
  private Integer vxlanVNI;

  @Min(1)
  @Max(65535)
  private Integer vxlanPort;

  // 0 derives the MTU (as Felix); 1-67 (1-1279 for IPv6) pass the schema, which cannot say "0
  // or at least 68", and are refused by netctl's validation and left out by the agent.
  @Min(0)
  @Max(65535)
  private Integer vxlanMTU;

  @Min(0)
  @Max(65535)
  private Integer vxlanMTUV6;

  @Min(0)
  @Max(65535)
  private Integer ipipMTU;

  private Boolean healthEnabled;

  private String healthHost;

  @Min(0)
  @Max(65535)
  private Integer healthPort;

  @Pattern(GO_DURATION)
  private String routeRefreshInterval;

  public Integer getVxlanVNI() {
    return vxlanVNI;
  }

  public void setVxlanVNI(Integer vxlanVNI) {
    this.vxlanVNI = vxlanVNI;
  }

  public Integer getVxlanPort() {
    return vxlanPort;
  }

  public void setVxlanPort(Integer vxlanPort) {
    this.vxlanPort = vxlanPort;
  }

  public Integer getVxlanMTU() {
    return vxlanMTU;
  }

  public void setVxlanMTU(Integer vxlanMTU) {
    this.vxlanMTU = vxlanMTU;
  }

  public Integer getVxlanMTUV6() {
    return vxlanMTUV6;
  }

  public void setVxlanMTUV6(Integer vxlanMTUV6) {
    this.vxlanMTUV6 = vxlanMTUV6;
  }

  public Integer getIpipMTU() {
    return ipipMTU;
  }

  public void setIpipMTU(Integer ipipMTU) {
    this.ipipMTU = ipipMTU;
  }

  public Boolean getHealthEnabled() {
    return healthEnabled;
  }

  public void setHealthEnabled(Boolean healthEnabled) {
    this.healthEnabled = healthEnabled;
  }

  public String getHealthHost() {
    return healthHost;
  }

  public void setHealthHost(String healthHost) {
    this.healthHost = healthHost;
  }

  public Integer getHealthPort() {
    return healthPort;
  }

  public void setHealthPort(Integer healthPort) {
    this.healthPort = healthPort;
  }

  public String getRouteRefreshInterval() {
    return routeRefreshInterval;
  }

  public void setRouteRefreshInterval(String routeRefreshInterval) {
    this.routeRefreshInterval = routeRefreshInterval;
  }
}
