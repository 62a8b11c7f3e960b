package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** The source address of BGP sessions to a peer: the node IP or whatever the kernel picks. */
public enum SourceAddress {
  USE_NODE_IP("UseNodeIP"),
  NONE("None");

  private final String wire;

  SourceAddress(String wire) {
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
