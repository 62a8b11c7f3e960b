package dev.netctl.ctl;

import picocli.CommandLine;
import picocli.CommandLine.ParentCommand;

/**
 * A verb that only groups subcommands ({@code netctl node}, {@code netctl ipam}...): given alone it
 * prints its usage, and it hands its subcommands the root's options, wherever on the command line
 * they were given.
 */
abstract class CommandGroup implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @ParentCommand Netctl root;

  /** The root's datastore options. */
  DatastoreOptions datastore() {
    return root.datastore();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
