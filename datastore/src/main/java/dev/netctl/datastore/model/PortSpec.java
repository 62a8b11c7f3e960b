package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A port as policy rules write it (Calico's and Kubernetes' int-or-string): a number {@code 80}, a
 * range {@code "1000:2000"} (Calico only) or a named port {@code "http"} that resolves against the
 * destination workload's container ports. Parsed leniently here; {@link Validator} says what is
 * wrong with a bad one.
 *
 * @param text the port as written
 */
public record PortSpec(String text) {

  /** Reads a YAML/JSON number or string. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static PortSpec of(Object value) {
    return new PortSpec(String.valueOf(value));
  }

  /** A number is written back as a number, anything else as a string. */
  @JsonValue
  public Object json() {
    return text.matches("[0-9]{1,9}") ? (Object) Integer.parseInt(text) : text;
  }

  /** True when this is a port name rather than a number or range. */
  public boolean named() {
    return !text.isEmpty() && !Character.isDigit(text.charAt(0));
  }

  @Override
  public String toString() {
    return text;
  }
}
