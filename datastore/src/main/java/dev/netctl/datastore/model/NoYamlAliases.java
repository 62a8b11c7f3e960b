package dev.netctl.datastore.model;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;

/**
 * Refuses a YAML alias ({@code *name}) where Jackson would read the alias's name as the value: a
 * {@code nodeSelector: *sel} became the selector {@code "sel"}, silently. Kubernetes resolves
 * aliases; until netctl does, a clear refusal beats a wrong object.
 */
final class NoYamlAliases extends JsonParserDelegate {
  private final YAMLParser yaml;

  NoYamlAliases(YAMLParser yaml) {
    super(yaml);
    this.yaml = yaml;
  }

  @Override
  public JsonToken nextToken() throws IOException {
    JsonToken t = super.nextToken();
    if (yaml.isCurrentAlias()) {
      throw new JsonParseException(
          this,
          "the alias *"
              + yaml.getText()
              + " is not supported: write the anchored value out where it is used");
    }
    return t;
  }

  @Override
  public JsonToken nextValue() throws IOException {
    JsonToken t = nextToken();
    return t == JsonToken.FIELD_NAME ? nextToken() : t;
  }
}
