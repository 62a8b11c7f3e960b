package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** Whether IPAM hands out a pool's addresses by itself or only when explicitly requested. */
public enum AssignmentMode {
  AUTOMATIC("Automatic"),
  MANUAL("Manual");

  private final String wire;

  AssignmentMode(String wire) {
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
