package dev.netctl.ctl;

/**
 * Marks a verb that never opens a datastore: the root's inherited {@link DatastoreOptions} are
 * hidden in its help and its subcommands' ({@link DatastoreOptions#hideInVerbsWithoutStore}), so
 * the help lists only what the verb uses.
 */
interface WithoutDatastore {}
