package dev.netctl.datastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.embedded.EmbeddedDatastore;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.datastore.migrate.WriteGate;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatastoresTest {
  @TempDir Path dir;

  @Test
  void preloadOpensNothingAndLeavesErrorsToOpen() {
    Path file = dir.resolve("sub/netctl.db");
    Datastores.preload("embedded:" + file);
    assertThat(dir.resolve("sub")).doesNotExist();
    Datastores.preload("nonsense:x");
    Datastores.preload("etcd:http://127.0.0.1:1");
    // After a preload the store opens and works as before.
    try (Datastore store = Datastores.open("embedded:" + file, null)) {
      Entry e = store.create(new Key("Widget", "w"), new byte[] {1}).join();
      assertThat(store.get(new Key("Widget", "w")).join()).contains(e);
    }
  }

  @Test
  void parsesEveryAcceptedForm() {
    assertThat(Datastores.parse("memory")).isEqualTo(new Datastores.Spec.Memory());
    assertThat(Datastores.parse("embedded"))
        .isEqualTo(new Datastores.Spec.Embedded(Datastores.defaultEmbeddedFile()));
    assertThat(Datastores.defaultEmbeddedFile())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".netctl", "netctl.db"));
    assertThat(Datastores.parse("embedded:/var/lib/netctl/x.db"))
        .isEqualTo(new Datastores.Spec.Embedded(Path.of("/var/lib/netctl/x.db")));
    assertThat(Datastores.parse(" embedded:~/n.db "))
        .isEqualTo(new Datastores.Spec.Embedded(Path.of(System.getProperty("user.home"), "n.db")));
    assertThat(Datastores.parse("etcd:http://127.0.0.1:2379"))
        .isEqualTo(new Datastores.Spec.Etcd(List.of(URI.create("http://127.0.0.1:2379"))));
    assertThat(Datastores.parse("etcd:https://10.0.0.1:2379, https://10.0.0.2:2379"))
        .isEqualTo(
            new Datastores.Spec.Etcd(
                List.of(URI.create("https://10.0.0.1:2379"), URI.create("https://10.0.0.2:2379"))));
    assertThat(Datastores.parse("kubernetes")).isEqualTo(new Datastores.Spec.Kubernetes(null));
    assertThat(Datastores.parse("kubernetes:/etc/kube.conf"))
        .isEqualTo(new Datastores.Spec.Kubernetes(Path.of("/etc/kube.conf")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "  ",
        "sqlite:/tmp/x",
        "memory:x",
        "embedded:",
        "etcd",
        "etcd:",
        "etcd:127.0.0.1:2379",
        "etcd:ftp://127.0.0.1:2379",
        "etcd:http://127.0.0.1",
        "etcd:http://127.0.0.1:2379/v3",
        "etcd:http://127.0.0.1:2379,",
        "etcd:http://a:1,https://b:2",
        "etcd:http://[bad:2379"
      })
  void badSpecsFailNamingTheSpecAndTheAcceptedForms(String spec) {
    assertThatThrownBy(() -> Datastores.open(spec, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + spec + "\"")
        .hasMessageContaining(Datastores.FORMS);
  }

  @Test
  void kubernetesNeedsItsModuleOnTheClassPath() {
    // This module's test class path has no kube-datastore, so no provider is found.
    assertThatThrownBy(() -> Datastores.open("kubernetes:/etc/kube.conf", null))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("kubernetes backend is not on the class path");
  }

  @Test
  void tlsOptionsAreRejectedForLocalBackends() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    assertThatThrownBy(() -> Datastores.open("memory", new TlsOptions(ca, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TLS options apply only to an etcd datastore");
  }

  @Test
  void tlsOptionsNeedCertificateAndKeyTogetherAndReadableFiles() throws Exception {
    Path cert = Files.writeString(dir.resolve("c.pem"), "x");
    assertThatThrownBy(() -> new TlsOptions(null, cert, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be given together");
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> new TlsOptions(missing, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void defaultSpecComesFromTheEnvironmentElseEmbedded() {
    assertThat(Datastores.defaultSpec(Map.of())).isEqualTo("embedded");
    assertThat(Datastores.defaultSpec(Map.of(Datastores.ENV, " "))).isEqualTo("embedded");
    assertThat(Datastores.defaultSpec(Map.of(Datastores.ENV, "etcd:http://127.0.0.1:2379")))
        .isEqualTo("etcd:http://127.0.0.1:2379");
  }

  @Test
  void theEtcdConnectTimeoutIsAGoDurationInRangeFromFlagOrEnvironment() {
    assertThat(Datastores.parseEtcdConnectTimeout("500ms", "f")).isEqualTo(Duration.ofMillis(500));
    assertThat(Datastores.parseEtcdConnectTimeout("1m30s", "f")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Datastores.etcdConnectTimeoutFrom(Map.of())).isNull();
    assertThat(
            Datastores.etcdConnectTimeoutFrom(Map.of(Datastores.ETCD_CONNECT_TIMEOUT_ENV, "10s")))
        .isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(
            () ->
                Datastores.etcdConnectTimeoutFrom(
                    Map.of(Datastores.ETCD_CONNECT_TIMEOUT_ENV, "ten")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "NETCTL_ETCD_CONNECT_TIMEOUT \"ten\" must be a duration from 100ms to 10m, such as 3s"
                + " or 500ms (the default is 3s)");
    for (String bad : new String[] {"", "0", "99ms", "10m1s", "5"}) {
      assertThatThrownBy(() -> Datastores.parseEtcdConnectTimeout(bad, "--x"))
          .as(bad)
          .hasMessageStartingWith("--x \"" + bad + "\" must be a duration");
    }
  }

  @Test
  void opensMemoryAndEmbeddedStoresThatWork() {
    try (Datastore m = Datastores.open("memory", null)) {
      assertThat(m).as("behind the migration lock's gate").isInstanceOf(WriteGate.class);
    }
    try (Datastore m = Datastores.openForMigration("memory", null)) {
      assertThat(m).isInstanceOf(MemoryDatastore.class);
    }
    Path file = dir.resolve("sub/netctl.db");
    try (Datastore e = Datastores.openForMigration("embedded:" + file, null)) {
      assertThat(e).isInstanceOf(EmbeddedDatastore.class);
      assertThat(e.address()).isEqualTo(file.toAbsolutePath().toString());
      e.create(new Key("IPPool", "p"), "{}".getBytes(StandardCharsets.UTF_8)).join();
    }
    try (Datastore again = Datastores.open("embedded:" + file, null)) {
      assertThat(again.get(new Key("IPPool", "p")).join()).isPresent();
    }
  }
}
