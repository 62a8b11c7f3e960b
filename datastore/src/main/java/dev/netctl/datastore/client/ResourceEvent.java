package dev.netctl.datastore.client;

import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Resource;

/**
 * A typed change delivered by {@link ResourceClient#watch}, in revision order.
 *
 * @param <R> the resource type
 */
public sealed interface ResourceEvent<R extends Resource> {

  /** The datastore revision of the change. */
  long revision();

  /**
   * An object was created or replaced.
   *
   * @param resource the new content, with resourceVersion = revision
   * @param created true for a create, false for an update
   * @param revision the revision of the write
   * @param <R> the resource type
   */
  record Put<R extends Resource>(R resource, boolean created, long revision)
      implements ResourceEvent<R> {}

  /**
   * An object was deleted.
   *
   * @param kind its kind
   * @param name its name
   * @param revision the revision of the delete
   * @param <R> the resource type
   */
  record Deleted<R extends Resource>(Kind<R> kind, String name, long revision)
      implements ResourceEvent<R> {}

  /**
   * A stored value could not be decoded (written by a newer or broken client); the watch goes on.
   *
   * @param kind its kind
   * @param name its name
   * @param revision the revision of the write
   * @param error why decoding failed
   * @param <R> the resource type
   */
  record Undecodable<R extends Resource>(Kind<R> kind, String name, long revision, String error)
      implements ResourceEvent<R> {}

  /**
   * History since the watch's start is gone: list again and watch from the new revision. Always the
   * last event of its watch.
   *
   * @param revision the revision at which the watch stopped
   * @param reason why
   * @param <R> the resource type
   */
  record ResyncNeeded<R extends Resource>(long revision, String reason)
      implements ResourceEvent<R> {}
}
