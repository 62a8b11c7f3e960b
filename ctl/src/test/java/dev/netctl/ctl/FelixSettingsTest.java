package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.agent.node.AgentOptions;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.FelixConfiguration;
import dev.netctl.datastore.model.FelixConfigurationSpec;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ResourceCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code netctl node run} takes from FelixConfiguration, stored in a real embedded store:
 * Felix's precedence, flag over {@code node.<name>} over {@code default} over the built-in value.
 */
class FelixSettingsTest {
  @TempDir Path dir;

  private static final AgentOptions FLAGS = AgentOptions.defaults("n1");

  private static FelixConfigurationSpec spec(String yaml) {
    return ((FelixConfiguration)
            new ResourceCodec()
                .readOne(
                    "apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\n"
                        + "metadata: {name: default}\nspec: "
                        + yaml))
        .spec();
  }

  @Test
  void aNodesObjectBeatsTheDefaultAndAnExplicitFlagBeatsBoth() {
    try (Datastore store = Datastores.open("embedded:" + dir.resolve("s.db"), null)) {
      ResourceClient client = new ResourceClient(store);
      client.create(
          FelixConfiguration.of(
              "default",
              spec(
                  "{vxlanVNI: 4097, vxlanPort: 4790, healthPort: 9199, routeRefreshInterval: 1m}")));
      client.create(FelixConfiguration.of("node.n1", spec("{vxlanPort: 8472, vxlanMTU: 1400}")));
      client.create(FelixConfiguration.of("node.n2", spec("{vxlanVNI: 7}")));

      FelixConfigurationSpec read = FelixSettings.read(client, "n1");
      AgentOptions o = FelixSettings.apply(FLAGS, Set.of("--health-port"), read);

      assertThat(o.vxlanVni()).as("default's, n2's object is not n1's").isEqualTo(4097);
      assertThat(o.vxlanPort()).as("node.n1 over default").isEqualTo(8472);
      assertThat(o.healthPort()).as("an explicit flag over both").isEqualTo(9099);
      assertThat(o.resyncInterval()).isEqualTo(Duration.ofMinutes(1));
      assertThat(o.tunnelMtus()).isEqualTo(new AgentOptions.TunnelMtus(1400, 0, 0));
      assertThat(o.healthHost()).as("not set anywhere: the built-in value").isEqualTo("127.0.0.1");
      assertThat(FelixSettings.taken(Set.of("--health-port"), read))
          .contains("vxlanPort 8472", "healthPort 9199 (overridden by --health-port)");
    }
  }

  @Test
  void noObjectsLeaveTheFlagsAsTheyAreAndHealthEnabledFalseTurnsTheEndpointOff() {
    try (Datastore store = Datastores.open("embedded:" + dir.resolve("s.db"), null)) {
      ResourceClient client = new ResourceClient(store);
      AgentOptions none = FelixSettings.apply(FLAGS, Set.of(), FelixSettings.read(client, "n1"));
      assertThat(none).isEqualTo(FLAGS);

      client.create(FelixConfiguration.of("default", spec("{healthEnabled: false}")));
      assertThat(
              FelixSettings.apply(FLAGS, Set.of(), FelixSettings.read(client, "n1")).healthPort())
          .isZero();
      assertThat(
              FelixSettings.apply(FLAGS, Set.of("--health-port"), FelixSettings.read(client, "n1"))
                  .healthPort())
          .isEqualTo(9099);
    }
  }

  /**
   * An object stored past netctl's checks (kubectl, whose CRD schema cannot say "0 or at least 68")
   * loses only its invalid fields: its valid ones still apply, rather than the whole object going.
   */
  @Test
  void anInvalidFieldStoredPastTheChecksIsLeftOutAndTheRestApplies() {
    try (Datastore store = Datastores.open("embedded:" + dir.resolve("s.db"), null)) {
      ResourceClient client = new ResourceClient(store);
      FelixConfiguration raw =
          FelixConfiguration.of("default", spec("{vxlanVNI: 4097, vxlanMTU: 50}"));
      store
          .create(
              new dev.netctl.datastore.Key(Kind.FELIX_CONFIGURATION.storageKind(), "default"),
              new ResourceCodec().toStorage(raw))
          .join();

      FelixConfigurationSpec read = FelixSettings.read(client, "n1");
      assertThat(read.vxlanVNI()).isEqualTo(4097);
      assertThat(read.vxlanMTU()).as("refused by validation, left out").isNull();
    }
  }

  @Test
  void aChangeIsWhatTheAgentWouldRunWithDifferentlyAndOnlyThat() {
    try (Datastore store = Datastores.open("embedded:" + dir.resolve("s.db"), null)) {
      ResourceClient client = new ResourceClient(store);
      Set<String> explicit = Set.of("--health-port");
      AgentOptions running = FelixSettings.apply(FLAGS, explicit, FelixSettings.read(client, "n1"));
      client.create(
          FelixConfiguration.of("node.n1", spec("{vxlanMTU: 1400, healthEnabled: false}")));
      assertThat(
              FelixSettings.changes(
                  FLAGS,
                  FelixSettings.apply(FLAGS, Set.of(), FelixSettings.read(client, "n1", true))))
          .as("without --health-port, healthEnabled false turns the endpoint off")
          .containsExactly("vxlanMTU 0 -> 1400", "healthPort 9099 -> 0");
      client.delete(Kind.FELIX_CONFIGURATION, "node.n1");
      client.create(
          FelixConfiguration.of(
              "default", spec("{vxlanVNI: 4097, healthPort: 9199, routeRefreshInterval: 1500ms}")));
      AgentOptions wanted =
          FelixSettings.apply(FLAGS, explicit, FelixSettings.read(client, "n1", true));
      assertThat(FelixSettings.changes(running, wanted))
          .as("healthPort is an explicit flag's: not a change")
          .containsExactly("vxlanVNI 4096 -> 4097", "routeRefreshInterval 90s -> 1500ms");
    }
  }
}
