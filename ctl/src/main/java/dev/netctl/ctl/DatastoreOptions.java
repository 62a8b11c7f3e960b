package dev.netctl.ctl;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.TlsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Where the resources live. Declared once on the root with INHERIT scope, so the options work
 * before or after the verb ({@code netctl --datastore X get pools} and {@code netctl get pools
 * --datastore X}); verbs that never open a store ({@link WithoutDatastore}) do not list them.
 */
final class DatastoreOptions {

  @Option(
      names = "--datastore",
      scope = ScopeType.INHERIT,
      paramLabel = "SPEC",
      description =
          "embedded[:PATH] (default, ~/.netctl/netctl.db), etcd:URL[,URL...], or memory."
              + " Default: $NETCTL_DATASTORE, else embedded.")
  String spec;

  @Option(
      names = "--etcd-ca",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "CA certificate for etcd TLS.")
  Path ca;

  @Option(
      names = "--etcd-cert",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "Client certificate for etcd TLS.")
  Path cert;

  @Option(
      names = "--etcd-key",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "Client key for etcd TLS.")
  Path key;

  @Option(
      names = "--etcd-connect-timeout",
      scope = ScopeType.INHERIT,
      paramLabel = "DURATION",
      description =
          "How long to wait for etcd's first answer before failing, such as 3s or 500ms"
              + " (100ms-10m). Default: $"
              + Datastores.ETCD_CONNECT_TIMEOUT_ENV
              + ", else 3s.")
  String etcdConnectTimeout;

  /** The etcd connect timeout given by the flag, else the environment; null for the default. */
  Duration effectiveEtcdConnectTimeout() {
    return etcdConnectTimeout != null
        ? Datastores.parseEtcdConnectTimeout(etcdConnectTimeout, "--etcd-connect-timeout")
        : Datastores.etcdConnectTimeoutFromEnvironment();
  }

  String effectiveSpec() {
    return spec != null ? spec : Datastores.defaultSpec();
  }

  /** The store, behind the migration lock's write gate ({@link Datastores#open}). */
  Datastore open(StoreUse use) {
    return open(use, false);
  }

  /** The store without the write gate, for the migration's own commands. */
  Datastore openForMigration(StoreUse use) {
    return open(use, true);
  }

  private Datastore open(StoreUse use, boolean ungated) {
    try {
      checkEmbeddedFile(effectiveSpec(), use);
      TlsOptions tls =
          ca == null && cert == null && key == null ? null : new TlsOptions(ca, cert, key);
      Duration connect = effectiveEtcdConnectTimeout();
      return ungated
          ? Datastores.openForMigration(effectiveSpec(), tls, connect)
          : Datastores.open(effectiveSpec(), tls, connect);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      throw new CliException(ExitCode.USAGE, e.getMessage());
    }
  }

  /**
   * Refuses, before anything is opened or created, an embedded store file that {@code use} cannot
   * work with: a missing file for a verb that needs one, a missing or non-directory parent for a
   * verb that may create one. netctl's own directory ({@code ~/.netctl}, where the default store
   * and the demo's live) is the exception: a first command on a fresh machine makes it. Other specs
   * pass unchecked; a malformed one is left for {@link Datastores#open} to report.
   *
   * @throws CliException UNAVAILABLE naming the path and how a store comes to exist
   */
  static void checkEmbeddedFile(String spec, StoreUse use) {
    Datastores.Spec parsed;
    try {
      parsed = Datastores.parse(spec);
    } catch (IllegalArgumentException e) {
      return;
    }
    if (!(parsed instanceof Datastores.Spec.Embedded embedded)) return;
    Path file = embedded.file().toAbsolutePath().normalize();
    Path own = Datastores.defaultEmbeddedFile().toAbsolutePath().normalize().getParent();
    Path parent = file.getParent();
    if (own.equals(parent) || Files.exists(file)) return;
    if (use == StoreUse.EXISTING) {
      throw new CliException(
          ExitCode.UNAVAILABLE,
          "datastore file "
              + file
              + " does not exist: a store file is made by the first command that writes to it"
              + " (apply, create, ipam configure, node run); check the path given by --datastore"
              + " or "
              + Datastores.ENV);
    }
    if (parent != null && !Files.isDirectory(parent)) {
      throw new CliException(
          ExitCode.UNAVAILABLE,
          "datastore file "
              + file
              + " cannot be created: "
              + parent
              + (Files.exists(parent) ? " is not a directory" : " does not exist")
              + " (netctl makes only its own ~/.netctl; create the directory or fix the path)");
    }
  }

  /**
   * Hides the datastore options in the help of every verb marked {@link WithoutDatastore} and of
   * its subcommands: picocli copies an inherited option into each subcommand, help included. They
   * stay accepted there (and ignored, as before the verb), so a script that gives them to every
   * command keeps working.
   */
  static void hideInVerbsWithoutStore(CommandLine root) {
    for (CommandLine sub : root.getSubcommands().values()) {
      hideBelow(sub, sub.getCommand() instanceof WithoutDatastore);
    }
  }

  private static void hideBelow(CommandLine cl, boolean hide) {
    if (hide) {
      for (java.lang.reflect.Field f : DatastoreOptions.class.getDeclaredFields()) {
        Option declared = f.getAnnotation(Option.class);
        OptionSpec o =
            declared == null ? null : cl.getCommandSpec().findOption(declared.names()[0]);
        if (o != null && !o.hidden()) {
          cl.getCommandSpec().remove(o);
          // LOCAL: an inherited option added here would be copied into the subcommands again,
          // which hold their own copy (hidden in turn below).
          cl.getCommandSpec()
              .addOption(OptionSpec.builder(o).hidden(true).scopeType(ScopeType.LOCAL).build());
        }
      }
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      hideBelow(sub, hide || sub.getCommand() instanceof WithoutDatastore);
    }
  }
}
