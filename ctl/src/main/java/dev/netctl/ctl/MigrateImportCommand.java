package dev.netctl.ctl;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.migrate.CalicoCrds;
import dev.netctl.datastore.migrate.Dump;
import dev.netctl.datastore.migrate.Migration;
import dev.netctl.datastore.migrate.MigrationException;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.ipam.check.IpamChecker;
import dev.netctl.ipam.check.IpamReport;
import dev.netctl.ipam.migrate.CalicoIpam;
import dev.netctl.ipam.store.IpamStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code netctl datastore migrate import -f dump.yaml}: writes a dump into an empty datastore,
 * reads it back, runs {@code ipam check} on it, and leaves it locked. With {@code --from-calico}
 * the file holds Calico's own objects ({@code kubectl get ippools.crd.projectcalico.org,... -o
 * yaml}).
 */
@Command(
    name = "import",
    description =
        "Write a `migrate export` dump (or, with --from-calico, Calico's CRD objects) into an"
            + " empty datastore, verify it with `ipam check`, and leave it locked.")
final class MigrateImportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @ParentCommand MigrateCommand migrate;

  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE",
      description = "The dump; - reads stdin.")
  String file;

  @Option(
      names = "--from-calico",
      description =
          "The file holds Calico objects (crd.projectcalico.org/v1 or projectcalico.org/v3):"
              + " IPPool, BGPPeer, BGPFilter, BGPConfiguration, Node, IPAMConfig, IPReservation,"
              + " IPAMBlock, BlockAffinity,"
              + " IPAMHandle.")
  boolean fromCalico;

  @Override
  public Integer call() {
    String source = file.equals("-") ? "<stdin>" : file;
    String text = read();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ResourceCodec codec = new ResourceCodec();
    Migration migration = MigrateCommand.migration();
    try {
      Dump dump;
      if (fromCalico) {
        CalicoCrds.Result r =
            new CalicoCrds(CalicoIpam.converters(), Clock.systemUTC()).read(text, source);
        r.skipped().forEach(s -> err.println("skipped: " + s));
        dump = r.dump();
      } else {
        dump = Dump.parse(text, source, codec);
      }
      try (Datastore store = migrate.datastore().openForMigration(StoreUse.CREATE)) {
        Migration.Imported imported = migration.importInto(store, dump);
        if (!imported.skipped().isEmpty()) {
          out.println(
              "Skipped "
                  + MigrateCommand.summary(imported.skipped())
                  + ": "
                  + store.address()
                  + " derives these kinds from its own objects (on Kubernetes: Pods, Namespaces,"
                  + " NetworkPolicies), so they are not copied.");
        }
        out.println(
            "Imported "
                + imported.counts().values().stream().mapToInt(Integer::intValue).sum()
                + " object(s) into "
                + store.address()
                + " in "
                + imported.commits()
                + " commit(s): "
                + MigrateCommand.summary(imported.counts()));
        IpamReport report = new IpamChecker(new IpamStore(store)).check(liveNodes(store));
        IpamCheckCommand.printSummary(report, out);
        out.println(
            "The datastore stays locked: run `netctl datastore migrate unlock` once the cluster"
                + " uses it.");
        out.flush();
        return report.clean() ? ExitCode.OK : ExitCode.PROBLEMS_FOUND;
      }
    } catch (MigrationException e) {
      throw MigrateCommand.failure(e);
    }
  }

  private static Set<String> liveNodes(Datastore store) {
    Set<String> names = new TreeSet<>();
    for (Node n : new ResourceClient(store).list(Kind.NODE)) names.add(n.name());
    return names;
  }

  private String read() {
    try {
      if (file.equals("-")) {
        return new String(migrate.root().stdin().readAllBytes(), StandardCharsets.UTF_8);
      }
      return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException(ExitCode.USAGE, "cannot read \"" + file + "\": " + e.getMessage());
    }
  }
}
