package dev.netctl.bgp.fsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RemoteAsTest {
  @Test
  void keywordsCompareWithOurAs() {
    assertThat(RemoteAs.parse("internal").accepts(65000, 65000)).isTrue();
    assertThat(RemoteAs.parse(" Internal ").accepts(65000, 65001)).isFalse();
    assertThat(RemoteAs.parse("external").accepts(65000, 65001)).isTrue();
    assertThat(RemoteAs.parse("external").accepts(65000, 65000)).isFalse();
  }

  @Test
  void spansAreInclusiveAndListed() {
    RemoteAs r = RemoteAs.parse("64512-65534, 65550,4200000000-4294967295");
    assertThat(r.accepts(1, 64512)).isTrue();
    assertThat(r.accepts(1, 65534)).isTrue();
    assertThat(r.accepts(1, 65535)).isFalse();
    assertThat(r.accepts(1, 64511)).isFalse();
    assertThat(r.accepts(1, 65550)).isTrue();
    assertThat(r.accepts(1, 4294967295L)).isTrue();
    assertThat(r.text()).isEqualTo("64512-65534,65550,4200000000-4294967295");
    assertThat(((RemoteAs.Spans) r).first()).isEqualTo(64512);
  }

  @Test
  void asdotNumbersAndRangesAreTheirPlainValues() {
    RemoteAs r = RemoteAs.parse("1.0-1.10, 0.65000");
    assertThat(r.accepts(1, 65536)).isTrue();
    assertThat(r.accepts(1, 65546)).isTrue();
    assertThat(r.accepts(1, 65547)).isFalse();
    assertThat(r.accepts(1, 65000)).isTrue();
    assertThat(r.text()).isEqualTo("65536-65546,65000");
    assertThatThrownBy(() -> RemoteAs.parse("1.65536")).hasMessageContaining("\"1.65536\"");
    assertThatThrownBy(() -> RemoteAs.parse("0.0")).hasMessageContaining("\"0.0\"");
    assertThatThrownBy(() -> RemoteAs.parse("1.x")).hasMessageContaining("\"1.x\"");
    assertThatThrownBy(() -> RemoteAs.parse("1.2.3")).hasMessageContaining("\"1.2.3\"");
  }

  @Test
  void badTextNamesThePartAndTheRule() {
    assertThatThrownBy(() -> RemoteAs.parse("65000-64512"))
        .hasMessageContaining("\"65000-64512\" ends before it starts");
    assertThatThrownBy(() -> RemoteAs.parse("64512-x"))
        .hasMessageContaining("\"x\" in \"64512-x\" is not an AS number 1..4294967295");
    assertThatThrownBy(() -> RemoteAs.parse("0")).hasMessageContaining("\"0\"");
    assertThatThrownBy(() -> RemoteAs.parse("4294967296")).hasMessageContaining("4294967296");
    assertThatThrownBy(() -> RemoteAs.parse("65001,")).hasMessageContaining("\"\" in \"65001,\"");
    assertThatThrownBy(() -> RemoteAs.parse("ebgp"))
        .hasMessageContaining("write internal, external");
  }
}
