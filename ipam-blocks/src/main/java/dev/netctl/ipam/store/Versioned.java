package dev.netctl.ipam.store;

/**
 * A decoded stored object with the revision to compare against when writing it back.
 *
 * @param value the object
 * @param revision the datastore revision of the write that produced it
 */
public record Versioned<T>(T value, long revision) {}
