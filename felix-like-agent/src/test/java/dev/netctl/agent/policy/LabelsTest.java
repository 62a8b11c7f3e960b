package dev.netctl.agent.policy;

import static dev.netctl.agent.policy.PolicyCases.knp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.selector.Selector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Effective labels: the one place namespace labels are normalised. */
class LabelsTest {
  private final Fixture f = new Fixture();

  @Test
  void theNamespaceNameLabelIsAlwaysTheNamespacesName() {
    Endpoint xa = f.endpoints.getFirst();
    assertThat(Labels.effective(xa, Map.of("ns", "x"), Map.of()))
        .containsEntry("pcns.kubernetes.io/metadata.name", "x")
        .containsEntry("pcns.ns", "x")
        .containsEntry(Labels.NAMESPACE, "x")
        .containsEntry("pod", "a");
    assertThat(Labels.effective(xa, Map.of(Labels.NAME_LABEL, "other"), Map.of()))
        .as("the API server forces it to the name")
        .containsEntry("pcns.kubernetes.io/metadata.name", "x");
  }

  @Test
  void theDataplanesSetsAndTheEvaluatorAgreeOnANameSelectorNoNamespaceLabelGave() {
    // the fixture's namespaces carry only "ns"
    RecordingNft nft = new RecordingNft();
    PolicyManager m = new PolicyManager(null, "cali", nft);
    f.namespaces.forEach(m::onNamespace);
    f.endpoints.forEach(e -> m.onEndpointUpdate(e.id(), e));
    List<Resource> policy =
        Fixture.CODEC.read(
            knp(
                "x",
                "by-name",
                "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: z}}"));
    policy.forEach(m::onUpdate);
    m.apply();
    String set =
        new NftSet.Addresses(
                Labels.namespaceSelector(new Selector.Equals(Labels.NAME_LABEL, "z")), IpFamily.V4)
            .name();
    String elements =
        nft.last()
            .lines()
            .filter(l -> l.startsWith("add element inet netctl " + set + " "))
            .findFirst()
            .orElseThrow();
    assertThat(elements.replaceAll(".*\\{ | }", "").split(", "))
        .as("z's pods are in the set")
        .containsExactlyInAnyOrder("10.0.0.7", "10.0.0.8", "10.0.0.9");
    Evaluator snapshot = PolicySnapshot.of(policy, f.endpoints, f.namespaces).evaluator();
    for (Evaluator ev : List.of(m.evaluator(), snapshot)) {
      assertThat(f.tcp(ev, "z/c", "x/a", 80).allowed()).isTrue();
      assertThat(f.tcp(ev, "y/c", "x/a", 80).allowed()).isFalse();
    }
  }
}
