package dev.netctl.ctl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code netctl datastore}: operations on the datastore as a whole (migration). */
@Command(
    name = "datastore",
    description = "Operate on the datastore as a whole: migrate it to another backend.",
    subcommands = {MigrateCommand.class})
final class DatastoreCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @ParentCommand Netctl root;

  DatastoreOptions datastore() {
    return root.datastore();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
