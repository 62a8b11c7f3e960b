package dev.netctl.ctl;

import picocli.CommandLine.Command;

/** {@code netctl datastore}: operations on the datastore as a whole (migration). */
@Command(
    name = "datastore",
    description = "Operate on the datastore as a whole: migrate it to another backend.",
    subcommands = {MigrateCommand.class})
final class DatastoreCommand extends CommandGroup {}
