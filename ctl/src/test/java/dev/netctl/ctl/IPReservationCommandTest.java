package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPReservation through the real command: the verbs and calicoctl's names for the kind, a bad entry
 * refused with nothing written, and IPAM honouring the reservation (automatic assignment, show,
 * check, an explicit address).
 */
@Timeout(120)
class IPReservationCommandTest {
  @TempDir Path dir;
  IpamCluster cluster;

  private static final String RESERVATION =
      """
      apiVersion: projectcalico.org/v3
      kind: IPReservation
      metadata:
        name: gateways
      spec:
        reservedCIDRs:
          - 10.10.0.0/30
          - 10.10.0.77
          - FD00:10:0:0::/124
      """;

  @BeforeEach
  void seed() {
    cluster = IpamCluster.embedded(dir).standard();
  }

  private String file(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f.toString();
  }

  @Test
  void createGetApplyReplaceAndDeleteWithCalicoctlsNames() throws IOException {
    String f = file("r.yaml", RESERVATION);

    assertThat(cluster.ok("create", "-f", f).out())
        .isEqualTo("ipreservation.netctl.dev/gateways created\n");
    assertThat(cluster.ok("get", "ipreservations").lines()).containsExactly("NAME", "gateways");
    assertThat(cluster.ok("get", "reservation", "gateways", "-o", "wide").out())
        .containsPattern("NAME +CIDRS")
        .containsPattern("gateways +10\\.10\\.0\\.0/30,10\\.10\\.0\\.77,fd00:10::/124");
    assertThat(cluster.ok("get", "ipreservation", "gateways", "-o", "yaml").out())
        .contains("kind: IPReservation")
        .contains("reservedCIDRs:\n  - 10.10.0.0/30\n  - 10.10.0.77\n  - fd00:10::/124");
    assertThat(cluster.ok("get", "reservations", "-o", "json").out())
        .containsPattern(
            "\"reservedCIDRs\": \\[\\s*\"10\\.10\\.0\\.0/30\",\\s*\"10\\.10\\.0\\.77\",\\s*\"fd00:10::/124\"\\s*]");
    assertThat(cluster.ok("apply", "-f", f).out())
        .isEqualTo("ipreservation.netctl.dev/gateways unchanged\n");

    String changed = file("r2.yaml", RESERVATION.replace("    - 10.10.0.77\n", ""));
    cluster.ok("replace", "-f", changed);
    assertThat(cluster.ok("get", "ipreservations", "-o", "wide").out())
        .contains("10.10.0.0/30,fd00:10::/124")
        .doesNotContain("10.10.0.77");

    cluster.ok("delete", "ipreservation", "gateways");
    assertThat(cluster.ok("get", "ipreservations", "-o", "name").out()).isEmpty();
  }

  @Test
  void aBadEntryIsRefusedNamingResourceFieldValueAndRuleWithNothingWritten() throws IOException {
    String f = file("bad.yaml", RESERVATION.replace("10.10.0.77", "10.10.0.7/24"));

    IpamCluster.Run r = cluster.run("apply", "-f", f);

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.err())
        .contains("IPReservation \"gateways\"")
        .contains("spec.reservedCIDRs[1]")
        .contains("\"10.10.0.7/24\"")
        .contains("must have all host bits zero (did you mean 10.10.0.0/24");
    assertThat(cluster.ok("get", "ipreservations", "-o", "name").out()).isEmpty();
  }

  @Test
  void ipamHonoursTheReservationInAssignShowAndCheck() throws IOException {
    cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "early", "--ip", "10.10.0.78");
    // Reserve all of pool-a but .200, .78 (in use already) too, some of it twice: one left.
    String all =
        """
        apiVersion: projectcalico.org/v3
        kind: IPReservation
        metadata: {name: most}
        spec:
          reservedCIDRs: [10.10.0.0/26, 10.10.0.64/28, 10.10.0.78, 10.10.0.80/28, 10.10.0.96/27,
                          10.10.0.128/26, 10.10.0.192/29, 10.10.0.201, 10.10.0.202/31,
                          10.10.0.204/30, 10.10.0.208/28, 10.10.0.224/27]
        """;
    cluster.ok("create", "-f", file("most.yaml", all));

    List<String> got =
        cluster.ok("ipam", "assign", "--node", "node-2", "--handle", "auto", "--ipv4", "1").lines();
    assertThat(got).containsExactly("10.10.0.200");
    IpamCluster.Run none =
        cluster.run("ipam", "assign", "--node", "node-2", "--handle", "more", "--ipv4", "1");
    assertThat(none.exitCode()).isNotZero();
    assertThat(none.err())
        .contains("only 0 available")
        .contains("IPReservations keep 255 of their 256 addresses out");

    // As calicoctl: .78 counts as in use and reserved; free is what is neither.
    List<String> show = cluster.ok("ipam", "show").lines();
    assertThat(IpamShowCommandTest.cells(show.get(0))).contains("IPS RESERVED");
    assertThat(IpamShowCommandTest.cells(show.get(1)))
        .containsExactly("IP Pool", "10.10.0.0/24", "256", "2 (1%)", "255 (100%)", "0 (0%)");
    assertThat(cluster.ok("ipam", "show", "--ip", "10.10.0.78").out())
        .startsWith("IP 10.10.0.78 is in use (reserved by an IPReservation)");
    assertThat(cluster.ok("ipam", "show", "--ip", "10.10.0.201").out())
        .isEqualTo("IP 10.10.0.201 is not currently assigned (reserved by an IPReservation)\n");

    // An address asked for by name is assigned, reserved or not, as the CNI's ipAddrs is.
    IpamCluster.Run explicit =
        cluster.run("ipam", "assign", "--node", "node-1", "--handle", "db-0", "--ip", "10.10.0.5");
    assertThat(explicit.exitCode()).isZero();
    assertThat(explicit.out()).isEqualTo("10.10.0.5\n");
    assertThat(explicit.err()).contains("10.10.0.5 is reserved by an IPReservation");

    IpamCluster.Run check = cluster.run("ipam", "check");
    assertThat(check.exitCode()).as("%s", check).isZero();
  }
}
