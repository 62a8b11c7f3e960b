package dev.netctl.datastore.model;

import java.util.Objects;
import java.util.function.Function;

/**
 * One column of {@code netctl get} table output: a header and how to compute a cell. The model owns
 * the data; the CLI only renders it.
 *
 * @param header the upper-case column header, e.g. {@code CIDR}
 * @param value computes the cell text of one resource (never null; "" when absent)
 * @param <R> the resource type
 */
public record Column<R extends Resource>(String header, Function<R, String> value) {
  public Column {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(value, "value");
  }

  /** The cell for {@code resource}. */
  public String cell(R resource) {
    String s = value.apply(resource);
    return s == null ? "" : s;
  }
}
