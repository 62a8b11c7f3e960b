package dev.netctl.ctl;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.TlsOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Where the resources live. Declared once on the root with INHERIT scope, so the options work
 * before or after the verb ({@code netctl --datastore X get pools} and {@code netctl get pools
 * --datastore X}).
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

  String effectiveSpec() {
    return spec != null ? spec : Datastores.defaultSpec();
  }

  /** The store, behind the migration lock's write gate ({@link Datastores#open}). */
  Datastore open() {
    return open(false);
  }

  /** The store without the write gate, for the migration's own commands. */
  Datastore openForMigration() {
    return open(true);
  }

  private Datastore open(boolean ungated) {
    try {
      TlsOptions tls =
          ca == null && cert == null && key == null ? null : new TlsOptions(ca, cert, key);
      return ungated
          ? Datastores.openForMigration(effectiveSpec(), tls)
          : Datastores.open(effectiveSpec(), tls);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      throw new CliException(ExitCode.USAGE, e.getMessage());
    }
  }
}
