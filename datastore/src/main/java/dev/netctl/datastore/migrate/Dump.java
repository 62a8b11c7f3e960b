package dev.netctl.datastore.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.model.CodecException;
import dev.netctl.datastore.model.ResourceCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A datastore's objects as one multi-document YAML file ({@code netctl datastore migrate export}).
 *
 * <p>The first document is a header: the format and how many objects of each kind follow, so an
 * import notices a truncated file. Every other document is one stored object, generic over kinds:
 *
 * <pre>
 * kind: IPAMBlock
 * name: 10-0-0-0-26
 * value:
 *   cidr: 10.0.0.0/26
 *   ...
 * </pre>
 *
 * {@code value} is the stored JSON as YAML; reading it back gives the same JSON tree, so an export
 * of an imported dump is identical to the dump. Entries are sorted by kind (in the order of the
 * kind list) and name.
 *
 * @param entries the objects, in file order
 */
public record Dump(List<DumpEntry> entries) {

  /** The header's {@code format} value; a future incompatible layout gets a new one. */
  public static final String FORMAT = "netctl-datastore-export/v1";

  public Dump {
    entries = List.copyOf(entries);
  }

  /** Objects per kind, in first-seen order. */
  public Map<String, Integer> counts() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (DumpEntry e : entries) out.merge(e.key().kind(), 1, Integer::sum);
    return out;
  }

  /** The dump as YAML documents separated by {@code ---}. */
  public String toYaml(ResourceCodec codec) {
    StringBuilder out = new StringBuilder();
    ObjectNode header = JsonNodeFactory.instance.objectNode();
    header.put("format", FORMAT);
    ObjectNode kinds = header.putObject("kinds");
    counts().forEach(kinds::put);
    out.append(codec.treeToYaml(header));
    for (DumpEntry e : entries) {
      ObjectNode doc = JsonNodeFactory.instance.objectNode();
      doc.put("kind", e.key().kind());
      doc.put("name", e.key().name());
      doc.set("value", codec.readJsonTree(e.value()));
      out.append("---\n").append(codec.treeToYaml(doc));
    }
    return out.toString();
  }

  /**
   * Reads a dump written by {@link #toYaml}.
   *
   * @param source names the input in errors ({@code dump.yaml}, {@code <stdin>})
   * @throws MigrationException (INVALID_INPUT) naming the document and field of the first problem
   */
  public static Dump parse(String text, String source, ResourceCodec codec) {
    List<JsonNode> docs;
    try {
      docs = codec.readTrees(text, source);
    } catch (CodecException e) {
      throw invalid(e.getMessage());
    }
    if (docs.isEmpty()) throw invalid(source + ": is empty, expected a header document");
    JsonNode header = docs.getFirst();
    if (!FORMAT.equals(header.path("format").asText(null))) {
      throw invalid(
          source
              + ": document 1: field \"format\" must be \""
              + FORMAT
              + "\" (is "
              + header.path("format")
              + "): not a netctl datastore export");
    }
    Map<String, Integer> declared = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = header.path("kinds").fields();
    while (it.hasNext()) {
      var k = it.next();
      if (!k.getValue().canConvertToInt() || k.getValue().asInt() < 0) {
        throw invalid(
            source
                + ": document 1: field \"kinds."
                + k.getKey()
                + "\" must be a non-negative count, is "
                + k.getValue());
      }
      declared.put(k.getKey(), k.getValue().asInt());
    }
    List<DumpEntry> entries = new ArrayList<>();
    Set<Key> seen = new HashSet<>();
    for (int i = 1; i < docs.size(); i++) {
      String where = source + ": document " + (i + 1);
      JsonNode d = docs.get(i);
      String kind = text(d, "kind", where);
      String name = text(d, "name", where);
      JsonNode value = d.path("value");
      if (!value.isObject()) {
        throw invalid(
            where + " (" + kind + " \"" + name + "\"): field \"value\" must be an object");
      }
      Iterator<String> fields = d.fieldNames();
      while (fields.hasNext()) {
        String f = fields.next();
        if (!Set.of("kind", "name", "value").contains(f)) {
          throw invalid(where + ": field \"" + f + "\" is not a field of a dump entry");
        }
      }
      Key key;
      try {
        key = new Key(kind, name);
      } catch (IllegalArgumentException e) {
        throw invalid(where + ": " + e.getMessage());
      }
      if (!seen.add(key)) throw invalid(where + ": " + key + " appears twice");
      entries.add(new DumpEntry(key, codec.toJsonBytes(value)));
    }
    Dump dump = new Dump(entries);
    Map<String, Integer> actual = dump.counts();
    Set<String> kinds = new HashSet<>(declared.keySet());
    kinds.addAll(actual.keySet());
    for (String k : kinds) {
      int want = declared.getOrDefault(k, 0);
      int got = actual.getOrDefault(k, 0);
      if (want != got) {
        throw invalid(
            source
                + ": the header declares "
                + want
                + " "
                + k
                + " object(s) but "
                + got
                + " follow: the file is truncated or was edited");
      }
    }
    return dump;
  }

  private static String text(JsonNode d, String field, String where) {
    JsonNode n = d.path(field);
    if (!n.isTextual() || n.asText().isEmpty()) {
      throw invalid(where + ": field \"" + field + "\" must be a non-empty string");
    }
    return n.asText();
  }

  private static MigrationException invalid(String message) {
    return new MigrationException(MigrationException.Reason.INVALID_INPUT, message);
  }
}
