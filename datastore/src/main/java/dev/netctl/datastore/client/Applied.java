package dev.netctl.datastore.client;

import dev.netctl.datastore.model.Resource;

/**
 * What {@link ResourceClient#apply} did, for {@code netctl apply} output ({@code ippool/p1
 * created}, {@code configured}, {@code unchanged}).
 *
 * @param resource the stored resource after the call, with its resourceVersion
 * @param outcome whether it was created, updated or left as it was
 * @param <R> the resource type
 */
public record Applied<R extends Resource>(R resource, Outcome outcome) {

  /** The three results of an apply. */
  public enum Outcome {
    /** The object did not exist and was created. */
    CREATED,
    /** The object existed and was replaced. */
    UPDATED,
    /** The object existed with identical content; nothing was written. */
    UNCHANGED;

    /** The kubectl word for this outcome: created, configured or unchanged. */
    public String verb() {
      return switch (this) {
        case CREATED -> "created";
        case UPDATED -> "configured";
        case UNCHANGED -> "unchanged";
      };
    }
  }
}
