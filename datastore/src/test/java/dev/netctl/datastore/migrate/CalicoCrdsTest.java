package dev.netctl.datastore.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.Key;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ResourceCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CalicoCrdsTest {
  private final ResourceCodec codec = new ResourceCodec();

  @Test
  void aCrdPoolKeepsItsIdentityAndLosesTheServersMetadata() {
    CalicoCrds.Result r =
        new CalicoCrds(Map.of(), MigrationFixtures.CLOCK)
            .read(
                """
                apiVersion: crd.projectcalico.org/v1
                kind: IPPool
                metadata:
                  name: p
                  uid: 11111111-2222-3333-4444-555555555555
                  creationTimestamp: "2026-01-02T03:04:05Z"
                  resourceVersion: "77"
                  generation: 3
                  annotations: {projectcalico.org/metadata: '{"uid":"x"}', team: net}
                spec: {cidr: 10.5.0.0/16, blockSize: 24, ipipMode: CrossSubnet}
                """,
                "in.yaml");
    assertThat(r.skipped()).isEmpty();
    DumpEntry e = r.dump().entries().getFirst();
    assertThat(e.key()).isEqualTo(new Key("IPPool", "p"));
    IPPool p = codec.fromStorage(Kind.IP_POOL, e.value(), 1);
    assertThat(p.metadata().uid()).isEqualTo("11111111-2222-3333-4444-555555555555");
    assertThat(p.metadata().creationTimestamp()).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(p.metadata().annotations()).containsExactly(Map.entry("team", "net"));
    assertThat(p.spec().blockSize()).isEqualTo(24);
    assertThat(new String(e.value(), StandardCharsets.UTF_8)).doesNotContain("generation");
  }

  @Test
  void aCalicoIpReservationCrdIsImportedNotSkipped() {
    CalicoCrds.Result r =
        new CalicoCrds(Map.of(), MigrationFixtures.CLOCK)
            .read(
                """
                apiVersion: crd.projectcalico.org/v1
                kind: IPReservation
                metadata: {name: gw, resourceVersion: "9"}
                spec:
                  reservedCIDRs: [10.244.0.1, 10.244.255.0/24, 'CAFE:F00D::/123']
                """,
                "in.yaml");

    assertThat(r.skipped()).isEmpty();
    DumpEntry e = r.dump().entries().getFirst();
    assertThat(e.key()).isEqualTo(new Key("IPReservation", "gw"));
    assertThat(codec.fromStorage(Kind.IP_RESERVATION, e.value(), 1).spec().reservedCIDRs())
        .containsExactly("10.244.0.1", "10.244.255.0/24", "cafe:f00d::/123");
  }

  /**
   * A Calico cluster always has FelixConfiguration "default", full of Felix's own dataplane
   * settings: the fields netctl's agent has are imported, the others dropped and named, so the
   * migration neither fails on them nor loses the supported ones unsaid.
   */
  @Test
  void aFelixConfigurationKeepsWhatNetctlSupportsAndNamesWhatItDrops() {
    CalicoCrds.Result r =
        new CalicoCrds(Map.of(), MigrationFixtures.CLOCK)
            .read(
                """
                apiVersion: crd.projectcalico.org/v1
                kind: FelixConfiguration
                metadata: {name: default}
                spec: {vxlanVNI: 4097, bpfLogLevel: "", logSeverityScreen: Info}
                """,
                "in.yaml");
    DumpEntry e = r.dump().entries().getFirst();
    assertThat(e.key()).isEqualTo(new Key("FelixConfiguration", "default"));
    assertThat(codec.fromStorage(Kind.FELIX_CONFIGURATION, e.value(), 1).spec().vxlanVNI())
        .isEqualTo(4097);
    assertThat(r.skipped())
        .containsExactly(
            "FelixConfiguration \"default\": dropped spec.bpfLogLevel, spec.logSeverityScreen (not"
                + " supported by netctl)");
  }

  @Test
  void rawKindsGoToTheirConverterAndUnknownKindsAreListedAsSkipped() {
    CalicoCrds.Converter handle =
        (o, where) ->
            new DumpEntry(
                new Key("IPAMHandle", o.path("spec").path("handleID").asText()),
                "{}".getBytes(StandardCharsets.UTF_8));
    CalicoCrds.Result r =
        new CalicoCrds(Map.of("IPAMHandle", handle), MigrationFixtures.CLOCK)
            .read(
                """
                apiVersion: v1
                kind: List
                items:
                - {apiVersion: crd.projectcalico.org/v1, kind: IPAMHandle, metadata: {name: h}, spec: {handleID: h}}
                - {apiVersion: crd.projectcalico.org/v1, kind: KubeControllersConfiguration, metadata: {name: default}, spec: {}}
                """,
                "in.yaml");
    assertThat(r.dump().entries())
        .extracting(DumpEntry::key)
        .containsExactly(new Key("IPAMHandle", "h"));
    assertThat(r.skipped())
        .containsExactly("KubeControllersConfiguration \"default\": netctl has no equivalent");
  }

  @Test
  void everyBadObjectIsNamedAndNothingIsReturned() {
    assertThatThrownBy(
            () ->
                new CalicoCrds(Map.of(), MigrationFixtures.CLOCK)
                    .read(
                        """
                        apiVersion: crd.projectcalico.org/v1
                        kind: IPPool
                        metadata: {name: a}
                        spec: {cidr: 10.0.0.0/16}
                        ---
                        apiVersion: crd.projectcalico.org/v1
                        kind: IPPool
                        metadata: {name: b}
                        spec: {cidr: 10.0.128.0/17}
                        ---
                        apiVersion: example.com/v1
                        kind: IPPool
                        metadata: {name: c}
                        """,
                        "in.yaml"))
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("2 Calico object(s) cannot be converted")
        .hasMessageContaining("in.yaml: document 2 (IPPool \"b\")")
        .hasMessageContaining("overlap")
        .hasMessageContaining("in.yaml: document 3 (IPPool \"c\"): field \"apiVersion\"");
  }

  @Test
  void anUnknownFieldIsNamedOnceWithItsOwnDocumentNumber() {
    assertThatThrownBy(
            () ->
                new CalicoCrds(Map.of(), MigrationFixtures.CLOCK)
                    .read(
                        """
                        apiVersion: projectcalico.org/v3
                        kind: IPPool
                        metadata: {name: a}
                        spec: {cidr: 10.0.0.0/16}
                        ---
                        apiVersion: projectcalico.org/v3
                        kind: BGPPeer
                        metadata: {name: rr}
                        spec: {peerIP: 10.0.0.1, asNumber: 64512, reachableBy: 10.0.0.254}
                        """,
                        "in.yaml"))
        .isInstanceOf(MigrationException.class)
        .hasMessageEndingWith(
            "\nin.yaml: document 2 (BGPPeer \"rr\"): field spec.reachableBy is not a known field"
                + " (known: asNumber, filters, keepOriginalNextHop, keepaliveTime, maxRestartTime,"
                + " nextHopMode, node, nodeSelector, numAllowedLocalASNumbers, password, peerIP,"
                + " peerSelector, sourceAddress, ttlSecurity)");
  }
}
