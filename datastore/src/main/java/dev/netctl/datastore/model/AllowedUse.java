package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** What addresses of an IP pool may be used for, with Calico's values. */
public enum AllowedUse {
  WORKLOAD("Workload"),
  TUNNEL("Tunnel"),
  LOAD_BALANCER("LoadBalancer");

  private final String wire;

  AllowedUse(String wire) {
    this.wire = wire;
  }

  /** The value as written in YAML/JSON. */
  @JsonValue
  public String wire() {
    return wire;
  }

  @Override
  public String toString() {
    return wire;
  }
}
