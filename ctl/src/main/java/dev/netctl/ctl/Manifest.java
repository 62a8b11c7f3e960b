package dev.netctl.ctl;

import dev.netctl.datastore.model.Resource;

/**
 * One resource read from user input, with where it came from so errors can point at the file.
 *
 * @param resource the parsed resource
 * @param source the file path, or {@code <stdin>}
 */
record Manifest(Resource resource, String source) {}
