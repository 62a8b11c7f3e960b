package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTableTest {
  private static final List<Result> RESULTS =
      List.of(
          new Result("bird", "bulk", 2, 1000, 0.0123, Double.NaN, 1.5, 2048, 0.25, ""),
          Result.failed("gobgp", Scenario.BULK, 2, 1000, "timed out, \"badly\""));

  @Test
  void csvHasOneLinePerResultWithEmptyCellsForMissingValuesAndQuotedErrors() {
    List<String> lines = ResultTable.csv(RESULTS).lines().toList();
    assertThat(lines)
        .containsExactly(
            "dut,scenario,sessions,prefixes,setup_s,load_s,converge_s,peak_rss_mib,cpu_s,error",
            "bird,bulk,2,1000,0.012,,1.500,2.0,0.25,\"\"",
            "gobgp,bulk,2,1000,,,,,,\"timed out, \"\"badly\"\"\"");
  }

  @Test
  void csvReadsBackToTheSameResults() {
    List<Result> back = ResultTable.parseCsv(ResultTable.csv(RESULTS));
    assertThat(back).hasSize(2);
    assertThat(back.get(0).dut()).isEqualTo("bird");
    assertThat(back.get(0).setupSeconds()).isEqualTo(0.012);
    assertThat(back.get(0).loadSeconds()).isNaN();
    assertThat(back.get(0).peakRssKb()).isEqualTo(2048);
    assertThat(back.get(0).ok()).isTrue();
    assertThat(back.get(1).error()).isEqualTo("timed out, \"badly\"");
    assertThat(back.get(1).peakRssKb()).isEqualTo(-1);
  }

  @Test
  void textTableShowsFailuresWithTheirReason() {
    String text = ResultTable.text(RESULTS);
    assertThat(text.lines()).hasSize(3);
    assertThat(text).contains("timed out, \"badly\"");
  }
}
