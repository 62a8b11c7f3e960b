package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BGPFilterTest {

  private static final ResourceCodec CODEC = new ResourceCodec();

  private static final String CALICO_SAMPLE =
      """
      apiVersion: projectcalico.org/v3
      kind: BGPFilter
      metadata:
        name: my-filter
      spec:
        exportV4:
          - action: Accept
            matchOperator: In
            cidr: 77.0.0.0/16
            source: RemotePeers
          - action: Reject
            interface: '*.calico'
        importV4:
          - action: Accept
            matchOperator: In
            cidr: 55.0.0.0/16
            prefixLength:
              min: 30
          - action: Reject
            matchOperator: NotIn
            cidr: 44.0.0.0/16
        exportV6:
          - action: Reject
            source: RemotePeers
        importV6:
          - action: Accept
            matchOperator: Equal
            cidr: 5000::/64
          - action: Reject
      """;

  private static BGPFilter filter(String list, String rule) {
    return (BGPFilter)
        CODEC.readOne(
            "apiVersion: netctl.dev/v1\nkind: BGPFilter\nmetadata: {name: f}\nspec: {"
                + list
                + ": ["
                + rule
                + "]}\n");
  }

  @Test
  void calicosSampleReadsWithEveryField() {
    BGPFilter f = (BGPFilter) CODEC.readOne(CALICO_SAMPLE);

    assertThat(Validator.validate(f)).isEmpty();
    BGPFilterRule first = f.spec().exportV4().getFirst();
    assertThat(first.action()).isEqualTo(BGPFilterRule.Action.ACCEPT);
    assertThat(first.matchOperator()).isEqualTo(BGPFilterRule.MatchOperator.IN);
    assertThat(first.cidr()).isEqualTo("77.0.0.0/16");
    assertThat(first.source()).isEqualTo(BGPFilterRule.Source.REMOTE_PEERS);
    assertThat(f.spec().exportV4().get(1).interfaceName()).isEqualTo("*.calico");
    assertThat(f.spec().importV4().getFirst().prefixLength())
        .isEqualTo(new BGPFilterRule.PrefixLength(30, null));
    assertThat(f.spec().importV6()).hasSize(2);
    assertThat(f.spec().rules(true, true)).isEqualTo(f.spec().exportV6());
    assertThat(f.spec().rules(false, false)).isEqualTo(f.spec().importV4());
  }

  @Test
  void ruleCidrsAreKeptInRfc5952FormWhateverTheManifestSpelledThem() {
    BGPFilter f =
        filter("importV6", "{action: Accept, matchOperator: In, cidr: '9001:0DB8:0:0:0:0:0:0/64'}");

    assertThat(f.spec().importV6().getFirst().cidr()).isEqualTo("9001:db8::/64");
    assertThat(CODEC.toYaml(f)).contains("cidr: 9001:db8::/64");
  }

  @Test
  void roundTripsThroughTheStorageForm() {
    BGPFilter f = (BGPFilter) CODEC.readOne(CALICO_SAMPLE);

    String yaml = CODEC.toYaml(f);

    assertThat(yaml).contains("interface: '*.calico'").contains("matchOperator: NotIn");
    assertThat(CODEC.readOne(yaml)).isEqualTo(f);
  }

  @Test
  void isAFirstClassKind() {
    assertThat(Kind.lookup("bgpfilters")).contains(Kind.BGP_FILTER);
    assertThat(Kind.lookup("BGPFilter")).contains(Kind.BGP_FILTER);
    assertThat(Kind.all()).contains(Kind.BGP_FILTER);
    BGPFilter f = (BGPFilter) CODEC.readOne(CALICO_SAMPLE);
    assertThat(Kind.BGP_FILTER.row(f, true)).containsExactly("my-filter", "2", "2", "1", "2");
  }

  // The value is what the user wrote ({max: 24}, not {min: null, max: 24}); the family rule
  // names the lists rather than "a IPv4 list".
  @ParameterizedTest(name = "[{index}] {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "exportV4|{action: Accept, matchOperator: In, cidr: 'fd00::/64'}|spec.exportV4[0].cidr|fd00::/64|must be an IPv4 CIDR: exportV4 and importV4 hold IPv4 rules",
        "importV6|{action: Accept, matchOperator: In, cidr: 10.0.0.0/8}|spec.importV6[0].cidr|10.0.0.0/8|must be an IPv6 CIDR: exportV6 and importV6 hold IPv6 rules",
        "importV4|{action: Accept, matchOperator: In, cidr: 10.0.0.1/8}|spec.importV4[0].cidr|10.0.0.1/8|must have all host bits zero",
        "importV4|{action: Accept, matchOperator: In, cidr: 10.0.0.0}|spec.importV4[0].cidr|10.0.0.0|must be a CIDR",
        "importV4|{action: Accept, cidr: 10.0.0.0/8}|spec.importV4[0].matchOperator|<none>|is required when cidr is set",
        "importV4|{action: Accept, matchOperator: Equal}|spec.importV4[0].cidr|<none>|is required when matchOperator is set",
        "importV4|{matchOperator: Equal, cidr: 10.0.0.0/8}|spec.importV4[0].action|<none>|is required",
        "exportV4|{action: Reject, matchOperator: In, cidr: 10.0.0.0/8, prefixLength: {min: 33}}|spec.exportV4[0].prefixLength.min|33|must be 0-32 for IPv4",
        "exportV6|{action: Reject, matchOperator: In, cidr: 'fd00::/48', prefixLength: {max: 129}}|spec.exportV6[0].prefixLength.max|129|must be 0-128 for IPv6",
        "exportV4|{action: Reject, matchOperator: In, cidr: 10.0.0.0/8, prefixLength: {min: 28, max: 24}}|spec.exportV4[0].prefixLength|{min: 28, max: 24}|min must not be greater than max",
        "exportV4|{action: Reject, matchOperator: In, cidr: 10.0.0.0/16, prefixLength: {max: 8}}|spec.exportV4[0].prefixLength.max|8|must be at least the cidr's length 16",
        "exportV4|{action: Reject, matchOperator: Equal, cidr: 10.0.0.0/16, prefixLength: {max: 24}}|spec.exportV4[0].prefixLength|{max: 24}|applies only with matchOperator In or NotIn",
        "exportV4|{action: Reject, prefixLength: {max: 24}}|spec.exportV4[0].prefixLength|{max: 24}|needs cidr",
        "exportV4|{action: Reject, interface: 'eth0 or so'}|spec.exportV4[0].interface|eth0 or so|must be an interface name or glob",
      })
  void badRuleIsReportedWithResourceFieldValueAndRule(
      String list, String rule, String field, String value, String message) {
    BGPFilter f = filter(list, rule);

    assertThatThrownBy(() -> Validator.check(f))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("BGPFilter \"f\"")
        .hasMessageContaining(field)
        .hasMessageContaining("\"" + value + "\"")
        .hasMessageContaining(message);
  }

  @Test
  void anOutOfRangeLengthIsNamedBesideTheOperatorRuleItAlsoBreaks() {
    // Fixing only the reported operator would have met the range error on the next try.
    BGPFilter f =
        filter(
            "exportV4",
            "{action: Reject, matchOperator: Equal, cidr: 10.0.0.0/16, prefixLength: {min: 200}}");

    assertThat(Validator.validate(f))
        .extracting(Violation::message)
        .containsExactlyInAnyOrder(
            "BGPFilter \"f\": spec.exportV4[0].prefixLength.min \"200\" must be 0-32 for IPv4",
            "BGPFilter \"f\": spec.exportV4[0].prefixLength \"{min: 200}\" applies only with"
                + " matchOperator In or NotIn (Equal compares one exact prefix)");
    assertThat(Validator.validate(filter("exportV6", "{action: Reject, prefixLength: {max: 200}}")))
        .extracting(Violation::field)
        .containsExactlyInAnyOrder(
            "spec.exportV6[0].prefixLength.max", "spec.exportV6[0].prefixLength");
  }

  @Test
  void unknownActionNamesTheAcceptedValues() {
    assertThatThrownBy(() -> filter("exportV4", "{action: Drop}"))
        .hasMessageContaining("spec.exportV4")
        .hasMessageContaining("Drop")
        .hasMessageContaining("Accept, Reject");
  }

  @Test
  void aRuleWithOnlyAnActionIsValid() {
    assertThat(Validator.validate(filter("exportV6", "{action: Reject}"))).isEmpty();
    assertThat(
            Validator.validate(
                BGPFilter.of(
                    "f",
                    new BGPFilterSpec(
                        List.of(
                            new BGPFilterRule(
                                BGPFilterRule.Action.ACCEPT,
                                BGPFilterRule.MatchOperator.NOT_IN,
                                "10.0.0.0/8",
                                new BGPFilterRule.PrefixLength(8, 24),
                                null,
                                null)),
                        null,
                        null,
                        null))))
        .isEmpty();
  }

  @Test
  void reflectorClientRangesRoundTripAndApplyPerNode() {
    BGPConfiguration c =
        (BGPConfiguration)
            CODEC.readOne(
                "apiVersion: netctl.dev/v1\nkind: BGPConfiguration\nmetadata: {name: default}\n"
                    + "spec: {nodeToNodeMeshEnabled: false, routeReflectorClientRanges: [{cidr:"
                    + " 10.0.0.0/16, limit: 50}, {cidr: 'fd00::/64'}]}\n");

    assertThat(Validator.validate(c)).isEmpty();
    assertThat(c.spec().routeReflectorClientRanges())
        .containsExactly(
            new BGPConfigurationSpec.ReflectorClientRange("10.0.0.0/16", 50),
            new BGPConfigurationSpec.ReflectorClientRange("fd00::/64", null));
    assertThat(c.spec().routeReflectorClientRanges().get(1).effectiveLimit()).isEqualTo(1000);
    assertThat(CODEC.readOne(CODEC.toYaml(c))).isEqualTo(c);
    // Every other "with" keeps them.
    assertThat(c.spec().withListenPort(1790).withDefaults().routeReflectorClientRanges())
        .hasSize(2);
  }
}
