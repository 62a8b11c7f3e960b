package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BgpBenchTest {
  @Test
  void churnRoundsDefaultToOneAndAreParsed() {
    assertThat(BgpBench.Options.parse().churnRounds()).isEqualTo(1);
    BgpBench.Options o =
        BgpBench.Options.parse("--scenario", "churn", "--churn-rounds", "5", "--timeout", "60");
    assertThat(o.churnRounds()).isEqualTo(5);
    assertThat(o.scenarios()).containsExactly(Scenario.CHURN);
    assertThat(o.timeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.churnFreshSets()).isFalse();
    assertThat(BgpBench.Options.parse("--churn-rounds", "3", "--churn-fresh-sets").churnFreshSets())
        .isTrue();
  }

  @Test
  void aBadChurnRoundCountIsNamedWithItsRule() {
    assertThatThrownBy(() -> BgpBench.Options.parse("--churn-rounds", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--churn-rounds value '0' must be an integer in 1..1000");
    assertThatThrownBy(() -> BgpBench.Options.parse("--churn-rounds"))
        .hasMessage("--churn-rounds needs a value");
  }

  @Test
  void eachRepeatOfAScenarioStartsWithTheNextDut() {
    List<String> duts = List.of("netctl", "bird", "frr");
    assertThat(BgpBench.inTurn(duts, 0)).containsExactly("netctl", "bird", "frr");
    assertThat(BgpBench.inTurn(duts, 1)).containsExactly("bird", "frr", "netctl");
    assertThat(BgpBench.inTurn(duts, 2)).containsExactly("frr", "netctl", "bird");
    assertThat(BgpBench.inTurn(duts, 3)).containsExactly("netctl", "bird", "frr");
    assertThat(BgpBench.inTurn(List.of("bird"), 5)).containsExactly("bird");
    assertThat(duts).containsExactly("netctl", "bird", "frr"); // the options' list is left alone
  }
}
