package dev.netctl.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void readsEveryValueKindAndWritesItBackUnchanged() {
    String text =
        "{\"s\":\"a\\\"b\\\\c\\n\\u00e9\",\"i\":-12,\"d\":1.5,\"t\":true,\"f\":false,\"n\":null,"
            + "\"l\":[1,\"x\",[]],\"o\":{}}";
    Map<String, Object> m = Json.parseObject(text);
    assertThat(m.get("s")).isEqualTo("a\"b\\c\né");
    assertThat(m.get("i")).isEqualTo(-12L);
    assertThat(m.get("d")).isEqualTo(1.5);
    assertThat(m).containsEntry("t", true).containsEntry("f", false).containsEntry("n", null);
    assertThat(m.get("l")).isEqualTo(List.of(1L, "x", List.of()));
    assertThat(m.keySet()).containsExactly("s", "i", "d", "t", "f", "n", "l", "o");
    assertThat(Json.parseObject(Json.write(m))).isEqualTo(m);
  }

  @Test
  void escapesControlCharactersWhenWriting() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("k", "a\u0001\t\"");
    assertThat(Json.write(m)).isEqualTo("{\"k\":\"a\\u0001\\t\\\"\"}");
  }

  @Test
  void malformedInputIsAParseErrorWithItsOffset() {
    for (String bad : List.of("{", "{\"a\":}", "[1,]", "{\"a\":1} x", "\"\\q\"", "tru", "{1:2}")) {
      assertThatThrownBy(() -> Json.parse(bad))
          .as(bad)
          .isInstanceOf(Json.ParseException.class)
          .hasMessageContaining("offset");
    }
  }

  @Test
  void deepNestingIsRefusedNotAStackOverflow() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    assertThatThrownBy(() -> Json.parse(deep))
        .isInstanceOf(Json.ParseException.class)
        .hasMessageContaining("nested");
  }
}
