package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonErrorsTest {
  record Peer(long asNumber) {}

  record Config(List<Peer> peers) {}

  @Test
  void thePathNamesFieldsAndIndicesAsWritten() {
    JsonMappingException e =
        catchThrowableOfType(
            JsonMappingException.class,
            () ->
                new ObjectMapper()
                    .readValue(
                        "{\"peers\":[{\"asNumber\":1},{\"asNumber\":\"x\"}]}", Config.class));
    assertThat(JsonErrors.path(e)).isEqualTo("peers[1].asNumber");
  }

  @Test
  void typesAreNamedInTheFilesTermsNotJavas() {
    assertThat(JsonErrors.describe(long.class)).isEqualTo("an integer");
    assertThat(JsonErrors.describe(Boolean.class)).isEqualTo("true or false");
    assertThat(JsonErrors.describe(List.class)).isEqualTo("a list");
    assertThat(JsonErrors.describe(Map.class)).isEqualTo("an object");
    assertThat(JsonErrors.describe(Peer.class)).isEqualTo("an object");
    assertThat(JsonErrors.describe(null)).isEqualTo("a valid value");
  }

  @Test
  void onlyTheFirstLineOfAMessageIsKept() {
    assertThat(JsonErrors.firstLine("bad value\n at [Source: ...]")).isEqualTo("bad value");
    assertThat(JsonErrors.firstLine(null)).isEmpty();
  }
}
