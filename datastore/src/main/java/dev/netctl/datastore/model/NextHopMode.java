package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** How a BGP peering rewrites next hops: Calico's Auto (eBGP self, iBGP keep), Self or Keep. */
public enum NextHopMode {
  AUTO("Auto"),
  SELF("Self"),
  KEEP("Keep");

  private final String wire;

  NextHopMode(String wire) {
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
