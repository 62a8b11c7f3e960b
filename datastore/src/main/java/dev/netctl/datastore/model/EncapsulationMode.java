package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** When an IP pool encapsulates traffic (IPIP or VXLAN), with Calico's values. */
public enum EncapsulationMode {
  ALWAYS("Always"),
  CROSS_SUBNET("CrossSubnet"),
  NEVER("Never");

  private final String wire;

  EncapsulationMode(String wire) {
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
