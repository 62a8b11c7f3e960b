package dev.netctl.ctl;

import dev.netctl.datastore.migrate.Migration;
import dev.netctl.datastore.migrate.MigrationException;
import dev.netctl.datastore.migrate.StoredKind;
import dev.netctl.ipam.migrate.IpamKinds;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code netctl datastore migrate}: move everything netctl stores to another datastore, as {@code
 * calicoctl datastore migrate} does: {@code lock} the source, {@code export > dump.yaml}, {@code
 * import -f dump.yaml} into the empty target, {@code unlock} the target once the cluster uses it.
 */
@Command(
    name = "migrate",
    description = "Lock, export, import and unlock a datastore to move it to another backend.",
    subcommands = {
      MigrateLockCommand.class,
      MigrateExportCommand.class,
      MigrateImportCommand.class,
      MigrateUnlockCommand.class,
    })
final class MigrateCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @ParentCommand DatastoreCommand parent;

  DatastoreOptions datastore() {
    return parent.datastore();
  }

  Netctl root() {
    return parent.root;
  }

  /**
   * Every kind a migration copies: the resource kinds and IPAM's. The one place they are joined; a
   * module that stores a new kind adds its list here.
   */
  static List<StoredKind> kinds() {
    List<StoredKind> all = new ArrayList<>(StoredKind.resources());
    all.addAll(IpamKinds.storedKinds());
    return all;
  }

  static Migration migration() {
    return new Migration(kinds(), Clock.systemUTC());
  }

  /** The exit code of each refusal. */
  static CliException failure(MigrationException e) {
    int code =
        switch (e.reason()) {
          case INVALID_INPUT -> ExitCode.INVALID;
          case TARGET_NOT_EMPTY -> ExitCode.ALREADY_EXISTS;
          case SOURCE_CHANGED -> ExitCode.CONFLICT;
          case VERIFY_FAILED -> ExitCode.ERROR;
        };
    return new CliException(code, e.getMessage());
  }

  /** {@code 2 IPPool, 3 IPAMBlock}: what a dump holds, for the summary lines. */
  static String summary(java.util.Map<String, Integer> counts) {
    return counts.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey())
        .collect(java.util.stream.Collectors.joining(", "));
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
