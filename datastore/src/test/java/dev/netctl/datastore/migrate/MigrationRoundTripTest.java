package dev.netctl.datastore.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.etcd.EtcdProcess;
import dev.netctl.datastore.model.ResourceCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dump carried through a chain of real backends comes back identical: each leg imports the
 * previous leg's export and exports again.
 *
 * <p>To add a backend (the Kubernetes one on fabric8's mock server), add a {@link Leg} to the
 * chain: a name and how to open an empty store of it.
 */
class MigrationRoundTripTest {
  @TempDir Path dir;

  /** One backend in the chain; {@code open} gets a scratch directory and returns an empty store. */
  record Leg(String name, Function<Path, Datastore> open) {}

  @Test
  void embeddedToEtcdToEmbeddedExportsIdentically() {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      List<Leg> chain =
          List.of(
              new Leg(
                  "embedded",
                  d -> Datastores.openForMigration("embedded:" + d.resolve("a.db"), null)),
              new Leg("etcd", d -> Datastores.openForMigration(etcd.spec(), null)),
              new Leg(
                  "embedded",
                  d -> Datastores.openForMigration("embedded:" + d.resolve("b.db"), null)));
      assertRoundTrip(chain);
    }
  }

  private void assertRoundTrip(List<Leg> chain) {
    ResourceCodec codec = new ResourceCodec();
    Migration migration = MigrationFixtures.migration();
    List<String> exports = new ArrayList<>();
    String previous = null;
    for (Leg leg : chain) {
      try (Datastore store = leg.open().apply(dir)) {
        if (previous == null) {
          MigrationFixtures.populate(store);
        } else {
          migration.importInto(store, Dump.parse(previous, leg.name() + " input", codec));
        }
        previous = migration.export(store).toYaml(codec);
        exports.add(previous);
      }
    }
    for (int i = 1; i < exports.size(); i++) {
      assertThat(exports.get(i))
          .as("export of %s (leg %d) against the first export", chain.get(i).name(), i)
          .isEqualTo(exports.getFirst());
    }
    assertThat(exports.getFirst()).contains("kind: IPAMBlock").contains("kind: WorkloadEndpoint");
  }
}
