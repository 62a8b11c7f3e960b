package dev.netctl.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386): objects merge member by member, {@code null} removes a member, and
 * anything else (arrays included) replaces the target value whole.
 */
final class MergePatch {
  private MergePatch() {}

  /** The patched document; neither argument is modified. */
  static JsonNode apply(JsonNode target, JsonNode patch) {
    // RFC 7386 section 2: a non-object patch replaces the target entirely.
    if (!patch.isObject()) return patch.deepCopy();
    ObjectNode result =
        target != null && target.isObject()
            ? ((ObjectNode) target).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> f : patch.properties()) {
      if (f.getValue().isNull()) {
        result.remove(f.getKey());
      } else {
        result.set(f.getKey(), apply(result.get(f.getKey()), f.getValue()));
      }
    }
    return result;
  }
}
