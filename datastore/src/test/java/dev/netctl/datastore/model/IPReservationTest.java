package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IPReservationTest {

  private static final ResourceCodec CODEC = new ResourceCodec();

  /** The sample of Calico's IPReservation reference page. */
  private static final String CALICO_SAMPLE =
      """
      apiVersion: projectcalico.org/v3
      kind: IPReservation
      metadata:
        name: my-ipreservation-1
      spec:
        reservedCIDRs:
          - 192.168.2.3
          - 10.0.2.3/32
          - cafe:f00d::/123
      """;

  private static IPReservation reservation(String cidrs) {
    return (IPReservation)
        CODEC.readOne(
            "apiVersion: projectcalico.org/v3\nkind: IPReservation\nmetadata: {name: r}\n"
                + "spec: {reservedCIDRs: ["
                + cidrs
                + "]}\n");
  }

  @Test
  void calicosSampleReadsAsAValidClusterScopedReservation() {
    IPReservation r = (IPReservation) CODEC.readOne(CALICO_SAMPLE);

    assertThat(Validator.validate(r)).isEmpty();
    assertThat(r.name()).isEqualTo("my-ipreservation-1");
    assertThat(r.kind().namespaced()).isFalse();
    assertThat(r.spec().reservedCIDRs())
        .containsExactly("192.168.2.3", "10.0.2.3/32", "cafe:f00d::/123");
  }

  @Test
  void ipv6IsKeptInRfc5952FormAndTheYamlRoundTrips() {
    IPReservation r = reservation("'FD00:0:0:0::/120', 'fd00::0:1'");

    assertThat(r.spec().reservedCIDRs()).containsExactly("fd00::/120", "fd00::1");
    assertThat(CODEC.readOne(CODEC.toYaml(r))).isEqualTo(r);
    assertThat(CODEC.toYaml(r)).contains("apiVersion: netctl.dev/v1", "kind: IPReservation");
  }

  @Test
  void calicoctlNamesFindTheKind() {
    for (String alias :
        new String[] {"ipreservation", "ipreservations", "reservation", "reservations"}) {
      assertThat(Kind.lookup(alias)).contains(Kind.IP_RESERVATION);
    }
    assertThat(Kind.all()).contains(Kind.IP_RESERVATION);
  }

  @Test
  void wideViewListsTheRanges() {
    IPReservation r = IPReservation.of("edge", "10.0.0.0/30", "fd00::1");
    assertThat(Kind.IP_RESERVATION.headers(true)).containsExactly("NAME", "CIDRS");
    assertThat(Kind.IP_RESERVATION.row(r, true)).containsExactly("edge", "10.0.0.0/30,fd00::1");
  }

  @Test
  void anEmptyListReservesNothingAndIsValid() {
    assertThat(Validator.validate(IPReservation.of("none"))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "10.0.0.300 | must be an IPv4 or IPv6 address or CIDR",
        "10.0.0.0/33 | must be an IPv4 or IPv6 address or CIDR",
        "fd00::/129 | must be an IPv4 or IPv6 address or CIDR",
        "example.com | must be an IPv4 or IPv6 address or CIDR",
        "'' | must be an IPv4 or IPv6 address or CIDR",
        "10.0.0.5/24 | must have all host bits zero (did you mean 10.0.0.0/24 or the single"
            + " address 10.0.0.5?)",
        "fd00::5/120 | must have all host bits zero (did you mean fd00::/120",
      })
  void badEntriesAreRefusedNamingResourceFieldValueAndRule(String value, String rule) {
    IPReservation r = IPReservation.of("bad", "10.1.0.0/16", value);

    assertThat(Validator.validate(r))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.kind()).isEqualTo("IPReservation");
              assertThat(v.name()).isEqualTo("bad");
              assertThat(v.field()).isEqualTo("spec.reservedCIDRs[1]");
              assertThat(v.value()).isEqualTo(value);
              assertThat(v.rule()).startsWith(rule);
            });
  }

  @Test
  void anEmptyYamlItemIsNamedNotThrown() {
    assertThatThrownBy(() -> reservation("10.0.0.1, null"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("IPReservation \"r\"")
        .hasMessageContaining("spec.reservedCIDRs[1]")
        .hasMessageContaining("empty list entry");
  }

  @Test
  void aNamespaceIsRefusedForTheClusterScopedKind() {
    IPReservation r =
        new IPReservation(
            ObjectMeta.named("r").withNamespace("default"),
            IPReservation.of("r", "10.0.0.1").spec());

    assertThat(Validator.validate(r))
        .extracting(Violation::field)
        .containsExactly("metadata.namespace");
  }
}
