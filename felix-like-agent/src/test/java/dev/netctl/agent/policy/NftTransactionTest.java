package dev.netctl.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a message shows of a transaction: its first commands, cut short. */
class NftTransactionTest {

  @Test
  void anExcerptShowsTheFirstCommandsCutShortNotTheWholeScript() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) many.add("10.0." + i / 256 + "." + i % 256);
    NftTransaction tx =
        new NftTransaction(
            "inet",
            "t",
            List.of(new NftOp.AddTable(), new NftOp.Elements(true, "s", "ipv4_addr", many)));
    assertThat(tx.text()).hasSizeGreaterThan(100_000);
    assertThat(tx.excerpt())
        .startsWith("add table inet t\nadd element inet t s { 10.0.0.0, 10.0.0.1")
        .endsWith("…")
        .hasSize(NftTransaction.SHOWN + 1);
    NftTransaction small = new NftTransaction("inet", "t", List.of(new NftOp.AddTable()));
    assertThat(small.excerpt()).isEqualTo("add table inet t");
  }
}
