package dev.netctl.ctl;

/**
 * What a verb needs of an embedded store file named by {@code --datastore embedded:PATH} or {@code
 * NETCTL_DATASTORE}, checked before the file is opened ({@link DatastoreOptions}): a mistyped path
 * must fail the command, not answer from a new empty store made on the spot.
 */
enum StoreUse {
  /**
   * The verb reads, or changes only objects that must already exist (get, delete, patch, ipam
   * show...): the file must exist.
   */
  EXISTING,

  /**
   * The verb may write the first object (apply, create, node run...): a missing file is created, in
   * a directory that must exist; only netctl's own {@code ~/.netctl} is made when missing.
   */
  CREATE
}
