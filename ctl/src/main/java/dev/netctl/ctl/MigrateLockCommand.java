package dev.netctl.ctl;

import dev.netctl.datastore.Datastore;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code netctl datastore migrate lock}: sets {@code datastoreReady: false}; the resource client,
 * the IPAM allocator and the controllers then refuse to write.
 */
@Command(
    name = "lock",
    description = "Make the datastore read-only for netctl writers (before an export).")
final class MigrateLockCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @ParentCommand MigrateCommand migrate;

  @Override
  public Integer call() {
    try (Datastore store = migrate.datastore().openForMigration(StoreUse.EXISTING)) {
      MigrateCommand.migration().lock(store, "netctl datastore migrate lock");
      spec.commandLine()
          .getOut()
          .println(
              "Locked "
                  + store.address()
                  + ": netctl writers refuse changes until `netctl"
                  + " datastore migrate unlock`.");
    }
    return ExitCode.OK;
  }
}
