package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * FelixConfiguration: the Calico fields netctl's node agent has are read, validated one by one and
 * written back; every other Calico field is refused by name, never ignored.
 */
class FelixConfigurationTest {
  private static final ResourceCodec CODEC = new ResourceCodec();

  private static FelixConfiguration read(String name, String spec) {
    return (FelixConfiguration)
        CODEC.readOne(
            "apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: "
                + name
                + "}\nspec: "
                + spec
                + "\n");
  }

  @Test
  void calicoFieldsTheAgentHasReadValidateAndRoundTrip() {
    FelixConfiguration f =
        read(
            "default",
            "{vxlanVNI: 4097, vxlanPort: 4790, vxlanMTU: 1400, vxlanMTUV6: 1380, ipipMTU: 1420,"
                + " healthEnabled: true, healthHost: 0.0.0.0, healthPort: 9199,"
                + " routeRefreshInterval: 1m30s}");

    assertThat(Validator.validate(f)).isEmpty();
    assertThat(f.spec())
        .isEqualTo(
            new FelixConfigurationSpec(
                4097, 4790, 1400, 1380, 1420, true, "0.0.0.0", 9199, "1m30s"));
    assertThat(CODEC.readOne(CODEC.toYaml(f))).isEqualTo(f);
    assertThat(CODEC.readOne(CODEC.toJson(f))).isEqualTo(f);
    assertThat(CODEC.toYaml(f)).contains("kind: FelixConfiguration").doesNotContain("null");
    assertThat(Validator.validate(read("node.worker-1", "{vxlanPort: 8472}"))).isEmpty();
  }

  @Test
  void calicoctlNamesFindTheKind() {
    for (String alias :
        List.of("felixconfiguration", "felixconfigurations", "felixconfig", "felixconfigs")) {
      assertThat(Kind.lookup(alias)).as(alias).contains(Kind.FELIX_CONFIGURATION);
    }
    assertThat(Kind.FELIX_CONFIGURATION.namespaced()).isFalse();
  }

  /** Every Calico field netctl does not support is refused, naming it; none passes unnoticed. */
  @Test
  void everyOtherCalicoFieldIsRefusedByNameAsNotSupported() {
    for (String field : FelixConfigurationSpec.NOT_SUPPORTED) {
      assertThatThrownBy(() -> read("default", "{vxlanVNI: 4096, " + field + ": x}"))
          .as(field)
          .isInstanceOf(CodecException.class)
          .hasMessageContaining("FelixConfiguration \"default\"")
          .hasMessageContaining("spec." + field + " is a Calico field not supported by netctl");
    }
    // several at once are named together, so one edit fixes the manifest
    assertThatThrownBy(() -> read("default", "{bpfEnabled: true, logSeverityScreen: Info}"))
        .hasMessageContaining("spec.bpfEnabled and spec.logSeverityScreen are Calico fields")
        .hasMessageContaining("not supported by netctl");
    // a field Calico does not have either is an unknown one, as for every kind
    assertThatThrownBy(() -> read("default", "{vxlanVni: 4096}"))
        .hasMessageContaining("spec.vxlanVni")
        .hasMessageContaining("is not a known field");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "metadata.name|nodes.n1|{}|must be 'default' or 'node.<nodename>'",
        "spec.vxlanVNI|16777216|{vxlanVNI: 16777216}|must be 0-16777215 (24 bits)",
        "spec.vxlanPort|0|{vxlanPort: 0}|must be 1-65535",
        "spec.vxlanMTU|67|{vxlanMTU: 67}|must be 0 (derived) or 68-65535",
        "spec.vxlanMTUV6|1279|{vxlanMTUV6: 1279}|must be 0 (derived) or 1280-65535",
        "spec.ipipMTU|70000|{ipipMTU: 70000}|must be 0 (derived) or 68-65535",
        "spec.healthPort|65536|{healthPort: 65536}|must be 0-65535 (0 = off)",
        "spec.healthHost|' '|{healthHost: ' '}|must be an address or host name",
        "spec.routeRefreshInterval|90|{routeRefreshInterval: '90'}|must be a Go duration",
        "spec.routeRefreshInterval|500ms|{routeRefreshInterval: 500ms}|must be at least 1s",
      })
  void eachBadValueIsNamedWithItsFieldValueAndRule(
      String field, String value, String spec, String rule) {
    String name = field.equals("metadata.name") ? value : "default";
    List<Violation> v = Validator.validate(read(name, spec));
    assertThat(v).hasSize(1);
    assertThat(v.getFirst().toString())
        .contains("FelixConfiguration")
        .contains(field)
        .contains(value.replace("'", ""))
        .contains(rule);
  }

  /** 0 is Felix's "derive the MTU from the parent interface", which a Calico manifest may carry. */
  @Test
  void aZeroMtuIsDerivedAndValid() {
    assertThat(Validator.validate(read("default", "{vxlanMTU: 0, vxlanMTUV6: 0, ipipMTU: 0}")))
        .isEmpty();
    assertThat(Validator.validate(read("default", "{ipipMTU: -1}"))).hasSize(1);
  }

  /** What the agent keeps of an object stored past the checks: its valid fields. */
  @Test
  void withoutUnsetsExactlyTheNamedFields() {
    FelixConfigurationSpec s =
        new FelixConfigurationSpec(4097, 4790, 50, null, null, false, "::", 9199, "500ms");
    assertThat(s.without(java.util.Set.of("spec.vxlanMTU", "spec.routeRefreshInterval")))
        .isEqualTo(
            new FelixConfigurationSpec(4097, 4790, null, null, null, false, "::", 9199, null));
  }

  @Test
  void aNodesObjectOverridesTheDefaultFieldByField() {
    FelixConfigurationSpec global =
        new FelixConfigurationSpec(4097, 4790, null, null, null, null, null, 9199, "60s");
    FelixConfigurationSpec node =
        new FelixConfigurationSpec(null, 8472, 1400, null, null, false, null, null, null);

    assertThat(global.overriddenBy(node))
        .isEqualTo(
            new FelixConfigurationSpec(4097, 8472, 1400, null, null, false, null, 9199, "60s"));
    assertThat(global.overriddenBy(null)).isEqualTo(global);
    assertThat(FelixConfigurationSpec.empty().overriddenBy(global)).isEqualTo(global);
  }
}
