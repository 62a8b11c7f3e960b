package dev.netctl.ctl;

import dev.netctl.datastore.Datastore;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code netctl datastore migrate unlock}: lets writers change the datastore again. */
@Command(
    name = "unlock",
    description = "Let netctl writers change the datastore again (after an import).")
final class MigrateUnlockCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @ParentCommand MigrateCommand migrate;

  @Override
  public Integer call() {
    try (Datastore store = migrate.datastore().openForMigration(StoreUse.EXISTING)) {
      MigrateCommand.migration().unlock(store);
      spec.commandLine().getOut().println("Unlocked " + store.address() + ".");
    }
    return ExitCode.OK;
  }
}
