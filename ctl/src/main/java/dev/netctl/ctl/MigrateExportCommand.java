package dev.netctl.ctl;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.migrate.Dump;
import dev.netctl.datastore.migrate.MigrationException;
import dev.netctl.datastore.model.ResourceCodec;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code netctl datastore migrate export}: every stored object as one multi-document YAML on
 * stdout. An unlocked datastore is locked while it is read and unlocked afterwards; one locked with
 * {@code migrate lock} stays locked.
 */
@Command(
    name = "export",
    description =
        "Print every stored object (resources and IPAM state) as YAML for `migrate import`."
            + " Locks the datastore while reading it; lock it first to keep it locked.")
final class MigrateExportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @ParentCommand MigrateCommand migrate;

  @Override
  public Integer call() {
    try (Datastore store = migrate.datastore().openForMigration(StoreUse.EXISTING)) {
      Dump dump = MigrateCommand.migration().export(store);
      PrintWriter out = spec.commandLine().getOut();
      out.print(dump.toYaml(new ResourceCodec()));
      out.flush();
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "Exported "
              + dump.entries().size()
              + " object(s) from "
              + store.address()
              + ": "
              + MigrateCommand.summary(dump.counts()));
      err.flush();
      return ExitCode.OK;
    } catch (MigrationException e) {
      throw MigrateCommand.failure(e);
    }
  }
}
