package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and writes resources as YAML and JSON, the way users and the datastore see them.
 *
 * <p>Input may be multi-document YAML, one or more JSON objects, a JSON array, or a {@code kind:
 * List} (or Calico's {@code IPPoolList}...) with {@code items}. Manifests with {@code apiVersion:
 * projectcalico.org/v3} are accepted and converted to {@value Resource#API_VERSION}: the field
 * names are the same, and Calico's kind {@code IPAMConfiguration} becomes {@code IPAMConfig}.
 * Unknown apiVersions, kinds and fields are rejected with a {@link CodecException} that names the
 * document, the resource and the field.
 *
 * <p>Output keeps field order, omits absent fields and quotes strings only where YAML needs it, so
 * {@code get -o yaml} output reads back into an equal resource. Instances are thread-safe.
 */
public final class ResourceCodec {

  /** Calico's API group/version, accepted on input. */
  public static final String CALICO_API_VERSION = "projectcalico.org/v3";

  /**
   * What another datastore's server writes into an object's metadata ({@code kubectl get -o yaml}
   * and {@code calicoctl get -o yaml} print it): meaningless here, so dropped rather than refused.
   */
  private static final List<String> SERVER_METADATA =
      List.of(
          "resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink");

  private static final Set<String> TOP_LEVEL_FIELDS =
      Set.of("apiVersion", "kind", "metadata", "spec");

  private final YAMLMapper yaml;
  private final JsonMapper json;
  private final ObjectMapper prettyJson;

  /** A codec with netctl's settings. */
  public ResourceCodec() {
    this.yaml =
        YAMLMapper.builder(
                new Yaml11Scalars.Factory(
                    YAMLFactory.builder()
                        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                        // a label value "123" must stay a string when read back
                        .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                        .disable(YAMLGenerator.Feature.SPLIT_LINES)
                        .stringQuotingChecker(new Yaml11SafeQuoting())
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // blockSize: 26.5 is an error, not 26
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            // asdot AS numbers (1.10) must keep their trailing zero on the way to the deserializer
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    this.json =
        JsonMapper.builder()
            // An empty list entry (`nets: [~]`) is named as one, not left to a record's copy of the
            // list to fail with a bare NullPointerException.
            .withConfigOverride(
                List.class, o -> o.setSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL)))
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            // natOutgoing: 1, blockSize: "26" and ipipMode: 1 are errors, as in Calico (Go's JSON)
            // and the CRD schema, not true, 26 and the enum's second constant
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            // labels: {a: 1} is an error, not "1": Kubernetes refuses a number or boolean where
            // a string belongs (the few Calico int-or-string fields say so: NumOrString)
            .withCoercionConfig(
                LogicalType.Textual,
                c ->
                    c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
    this.prettyJson = json.copy().setDefaultPrettyPrinter(printer);
  }

  /**
   * Also quotes strings a YAML 1.1 reader would take for base-60 numbers: community values such as
   * {@code 65000:100} or an all-digit MAC would otherwise reach PyYAML users as integers.
   */
  private static final class Yaml11SafeQuoting extends StringQuotingChecker.Default {
    private static final long serialVersionUID = 1L;
    private static final Pattern SEXAGESIMAL =
        Pattern.compile("[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?");

    @Override
    public boolean needToQuoteValue(String value) {
      return super.needToQuoteValue(value)
          || SEXAGESIMAL.matcher(value).matches()
          || Yaml11Scalars.needsQuotes(value);
    }

    @Override
    public boolean needToQuoteName(String name) {
      // a key such as "on" or "0x1A" is the text "true" or "26" to calicoctl and kubectl
      return super.needToQuoteName(name) || Yaml11Scalars.keyRule(name) != null;
    }
  }

  // ---------------------------------------------------------------- reading

  /**
   * Reads every resource in {@code text} (YAML or JSON); {@code source} names it in errors.
   *
   * @throws CodecException naming every document (or list item) that cannot be read, not only the
   *     first
   */
  public List<Resource> read(String text, String source) {
    Decoded out = new Decoded();
    String prefix = source == null || source.isEmpty() ? "" : source + ": ";
    eachDocument(text, prefix, out, (doc, where) -> readDocument(doc, where, out));
    return out.orThrow();
  }

  /**
   * Reads user manifests as {@link #read(String, String)} does, except that an object written with
   * another apiVersion than {@code netctl.dev/v1} (Calico's {@code projectcalico.org/v3},
   * Kubernetes' {@code networking.k8s.io/v1}) loses its {@code status} and the metadata its server
   * wrote ({@code resourceVersion}, {@code uid}, {@code creationTimestamp}, {@code generation},
   * {@code managedFields}, {@code selfLink}): they were assigned by that other datastore and mean
   * nothing here (a calicoctl export's resourceVersion would make every second apply a conflict).
   */
  public List<Resource> readManifests(String text, String source) {
    return readManifests(text, source, null);
  }

  /**
   * Reads user manifests as {@link #readManifests(String, String)} does; an object of a namespaced
   * kind that names no namespace is put in {@code namespace} (calicoctl's {@code -n}) instead of
   * {@link Kind#DEFAULT_NAMESPACE}. Null keeps that default.
   */
  public List<Resource> readManifests(String text, String source, String namespace) {
    return decodeManifests(text, source, namespace).orThrow();
  }

  /**
   * Reads user manifests as {@link #readManifests(String, String, String)} does, but keeps going
   * past a document (or list item) that cannot be read: the result holds every object that could be
   * read and an error for each one that could not, so a caller can report all of them at once. A
   * syntax error still ends the text (the parser cannot find the next document after it).
   */
  public Decoded decodeManifests(String text, String source, String namespace) {
    Decoded out = new Decoded();
    String prefix = source == null || source.isEmpty() ? "" : source + ": ";
    eachDocument(
        text,
        prefix,
        out,
        (doc, where) -> {
          dropForeignServerFields(doc);
          if (namespace != null) fillNamespace(doc, namespace);
          readDocument(doc, where, out);
        });
    return out;
  }

  private static void fillNamespace(JsonNode doc, String namespace) {
    if (doc == null) return;
    if (doc.isArray() || doc.path("items").isArray()) {
      for (JsonNode item : doc.isArray() ? doc : doc.get("items")) fillNamespace(item, namespace);
      return;
    }
    String kindName = doc.path("kind").asText("");
    boolean namespaced =
        Kind.all().stream()
            .anyMatch(
                k ->
                    k.namespaced()
                        && (k.name().equals(kindName) || k.otherKindNames().contains(kindName)));
    if (namespaced
        && doc.get("metadata") instanceof ObjectNode meta
        && meta.path("namespace").asText("").isEmpty()) {
      meta.put("namespace", namespace);
    }
  }

  private static void dropForeignServerFields(JsonNode doc) {
    if (doc == null) return;
    if (doc.isArray() || doc.path("items").isArray()) {
      for (JsonNode item : doc.isArray() ? doc : doc.get("items")) dropForeignServerFields(item);
      return;
    }
    JsonNode version = doc.get("apiVersion");
    if (version == null || !version.isTextual() || version.asText().equals(Resource.API_VERSION)) {
      return;
    }
    if (doc.get("metadata") instanceof ObjectNode meta) {
      meta.remove(SERVER_METADATA);
    }
    if (doc instanceof ObjectNode o) o.remove("status");
  }

  /** Receives each parsed document with its name in errors ({@code "x.yaml: document 2"}). */
  private interface DocumentSink {
    void accept(JsonNode doc, String where);
  }

  /**
   * Parses {@code text} (JSON when it starts like JSON, else YAML) one document at a time. A
   * document the sink refuses is noted in {@code errors} and the next one is read; a syntax error
   * is noted naming the document it is in, and ends the text.
   */
  private void eachDocument(String text, String prefix, Decoded errors, DocumentSink sink) {
    String trimmed = text.stripLeading();
    boolean isJson = trimmed.startsWith("{") || trimmed.startsWith("[");
    ObjectMapper mapper = isJson ? json : yaml;
    int index = 1; // the document being parsed, 1-based
    try (JsonParser p =
            isJson
                ? mapper.createParser(text)
                : new NoYamlAliases((YAMLParser) mapper.createParser(text));
        MappingIterator<JsonNode> docs = mapper.readValues(p, JsonNode.class)) {
      for (; docs.hasNextValue(); index++) {
        JsonNode doc = docs.nextValue();
        try {
          sink.accept(doc, prefix + "document " + index);
        } catch (CodecException e) {
          errors.add(e);
        }
      }
    } catch (DatabindException | IllegalStateException e) {
      errors.add(syntaxError(prefix + "document " + index, e));
    } catch (JsonProcessingException e) {
      errors.add(syntaxError(prefix + "document " + index, e));
    } catch (RuntimeException e) {
      if (e.getCause() instanceof JsonProcessingException jpe) {
        errors.add(syntaxError(prefix + "document " + index, jpe));
        return;
      }
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads every resource in {@code text} (YAML or JSON). */
  public List<Resource> read(String text) {
    return read(text, "");
  }

  /** Reads exactly one resource. */
  public Resource readOne(String text) {
    List<Resource> all = read(text);
    if (all.size() != 1) {
      throw new CodecException(
          "input", null, "holds " + all.size() + " resources, expected 1", null);
    }
    return all.getFirst();
  }

  /**
   * Reads one document's resources into {@code out}; an item that cannot be read is noted there.
   */
  private void readDocument(JsonNode doc, String where, Decoded out) {
    // an empty document ("---" followed by nothing) arrives as null, missing or ""
    if (doc == null || doc.isNull() || doc.isMissingNode()) return;
    if (doc.isTextual() && doc.asText().isBlank()) return;
    if (doc.isArray()) {
      readItems(doc, where, out);
      return;
    }
    if (!doc.isObject()) {
      throw notAnObject(where, doc);
    }
    String kind = doc.path("kind").asText("");
    if (kind.equals("List") || (kind.endsWith("List") && doc.has("items"))) {
      checkApiVersion(doc, where + " (" + kind + ")", true);
      Iterator<String> names = doc.fieldNames();
      while (names.hasNext()) {
        String f = names.next();
        if (!Set.of("apiVersion", "kind", "items", "metadata").contains(f)) {
          throw new CodecException(
              where + " (" + kind + ")", f, "is not a known field of a List", null);
        }
      }
      JsonNode items = doc.path("items");
      if (!items.isArray()) {
        throw new CodecException(where + " (" + kind + ")", "items", "must be a list", null);
      }
      readItems(items, where, out);
      return;
    }
    out.read(() -> readResource(doc, where));
  }

  /** Each item of a list alone: one wrong item does not hide the errors of the others. */
  private void readItems(JsonNode items, String where, Decoded out) {
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      String itemWhere = where + " item " + (i + 1);
      out.read(() -> readResource(item, itemWhere));
    }
  }

  private Resource readResource(JsonNode node, String where) {
    if (!node.isObject()) {
      throw notAnObject(where, node);
    }
    String kindName = node.path("kind").isTextual() ? node.get("kind").asText() : null;
    String name = node.path("metadata").path("name").asText(null);
    String label =
        where
            + " ("
            + (kindName == null ? "?" : kindName)
            + (name == null ? "" : " \"" + name + "\"")
            + ")";
    if (kindName == null || kindName.isEmpty()) {
      throw new CodecException(where, "kind", "is missing", null);
    }
    // Kubernetes' NetworkPolicy shares Calico's kind name; only its apiVersion tells them apart
    boolean k8sPolicy = isKubernetesNetworkPolicy(node, kindName);
    Kind<?> kind =
        Kind.all().stream()
            .filter(k -> k8sPolicy == (k == Kind.KUBERNETES_NETWORK_POLICY))
            .filter(
                k ->
                    k8sPolicy || k.name().equals(kindName) || k.otherKindNames().contains(kindName))
            .findFirst()
            .orElseThrow(
                () ->
                    new CodecException(
                        label,
                        "kind",
                        "\""
                            + kindName
                            + "\" is not a known kind (one of "
                            + Kind.all().stream().map(Kind::name).collect(Collectors.joining(", "))
                            + ")",
                        null));
    if (!k8sPolicy) checkApiVersion(node, label, false);
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String f = names.next();
      if (!TOP_LEVEL_FIELDS.contains(f)) {
        throw new CodecException(label, f, "is not a known field of " + kind.name(), null);
      }
    }
    JsonNode metaNode = node.path("metadata");
    JsonNode specNode = node.path("spec");
    ObjectMeta meta =
        metaNode.isMissingNode() || metaNode.isNull()
            ? ObjectMeta.named(null)
            : convert(metaNode, ObjectMeta.class, label, "metadata");
    if (kind == Kind.FELIX_CONFIGURATION) notSupportedFelixFields(specNode, label);
    Record spec =
        convert(
            specNode.isMissingNode() || specNode.isNull()
                ? JsonNodeFactory.instance.objectNode()
                : specNode,
            kind.specType(),
            label,
            "spec");
    return kind.create(meta, spec);
  }

  /**
   * Refuses Calico FelixConfiguration fields netctl's agent has no setting for, all of them named
   * at once: Jackson would name only the first, and as an unknown field, when it is a known one
   * netctl chose not to support (an ignored one would look applied).
   */
  private static void notSupportedFelixFields(JsonNode spec, String label) {
    if (!spec.isObject()) return;
    List<String> refused = new java.util.ArrayList<>();
    spec.fieldNames()
        .forEachRemaining(
            f -> {
              if (FelixConfigurationSpec.NOT_SUPPORTED.contains(f)) refused.add("spec." + f);
            });
    if (refused.isEmpty()) return;
    int n = refused.size();
    // One field is named as every error names it; several as a list ("fields a, b and c are").
    throw new CodecException(
        label,
        n == 1 ? refused.getFirst() : null,
        (n == 1
                ? "is a Calico field"
                : "fields "
                    + String.join(", ", refused.subList(0, n - 1))
                    + " and "
                    + refused.getLast()
                    + " are Calico fields")
            + " not supported by netctl (its node agent has no such setting; netctl supports"
            + " vxlanVNI, vxlanPort, vxlanMTU, vxlanMTUV6, ipipMTU, healthEnabled, healthHost,"
            + " healthPort, routeRefreshInterval): remove "
            + (refused.size() == 1 ? "it" : "them"),
        null);
  }

  /** A document or item that is no map: said in YAML's terms, not Jackson's ("STRING"). */
  private static CodecException notAnObject(String where, JsonNode node) {
    String shape =
        node.isArray()
            ? "a list"
            : node.isTextual()
                ? "the text \"" + node.asText() + "\""
                : "the value \"" + node.asText() + "\"";
    return new CodecException(
        where,
        null,
        "must be an object with apiVersion, kind, metadata and spec, not " + shape,
        null);
  }

  private static boolean isKubernetesNetworkPolicy(JsonNode node, String kindName) {
    return (kindName.equals(KubernetesNetworkPolicy.MANIFEST_KIND)
            && node.path("apiVersion").asText("").equals(KubernetesNetworkPolicy.API_VERSION))
        || kindName.equals(Kind.KUBERNETES_NETWORK_POLICY.name());
  }

  /** The {@code kind:} a resource is written with (Kubernetes' NetworkPolicy keeps its own). */
  private static String manifestKind(Resource r) {
    return r instanceof KubernetesNetworkPolicy
        ? KubernetesNetworkPolicy.MANIFEST_KIND
        : r.kind().name();
  }

  private static void checkApiVersion(JsonNode node, String label, boolean list) {
    JsonNode v = node.get("apiVersion");
    if (v == null) {
      if (list) return; // a bare List wrapper may omit it
      throw new CodecException(
          label,
          "apiVersion",
          "is missing (expected " + Resource.API_VERSION + " or " + CALICO_API_VERSION + ")",
          null);
    }
    String s = v.asText();
    if (!s.equals(Resource.API_VERSION)
        && !s.equals(CALICO_API_VERSION)
        && !(list && s.equals("v1"))) {
      throw new CodecException(
          label,
          "apiVersion",
          "\""
              + s
              + "\" is not supported (expected "
              + Resource.API_VERSION
              + " or "
              + CALICO_API_VERSION
              + ")",
          null);
    }
  }

  private <T> T convert(JsonNode node, Class<T> type, String label, String base) {
    try {
      return json.treeToValue(node, type);
    } catch (UnrecognizedPropertyException e) {
      throw new CodecException(
          label,
          path(base, e),
          "is not a known field (known: "
              + e.getKnownPropertyIds().stream()
                  .map(Object::toString)
                  .sorted()
                  .collect(Collectors.joining(", "))
              + ")",
          e);
    } catch (InvalidFormatException e) {
      String rule;
      if (e.getTargetType() != null && e.getTargetType().isEnum()) {
        rule =
            "must be one of "
                + Arrays.stream(e.getTargetType().getEnumConstants())
                    .map(Object::toString)
                    .collect(Collectors.joining(", "));
      } else if (e.getTargetType() == String.class) {
        // a number or boolean where a string belongs (only the coercion config refuses these)
        String field = path(base, e);
        rule =
            "must be a string, not a "
                + (e.getValue() instanceof Boolean ? "boolean" : "number")
                // a label or annotation may be any text, so quoting is the whole fix there; the
                // value is not repeated in the hint, for YAML read "yes" and "0x1a" as true and 26
                + (field.startsWith("metadata.labels.") || field.startsWith("metadata.annotations.")
                    ? " (write it in quotes)"
                    : "");
      } else {
        String reason = reason(e.getOriginalMessage());
        rule =
            reason.startsWith("must ")
                ? reason
                : "must be "
                    + describe(e.getTargetType())
                    + (reason.isEmpty() ? "" : " (" + reason + ")");
      }
      throw new CodecException(label, path(base, e), "\"" + e.getValue() + "\" " + rule, e);
    } catch (InvalidNullException e) {
      throw new CodecException(
          label,
          path(base, e),
          "\"<none>\" is an empty list entry: give it a value or remove it",
          e);
    } catch (MismatchedInputException e) {
      String shape = shapeRule(e.getTargetType(), at(node, e.getPath()));
      if (shape == null) {
        throw new CodecException(
            label, path(base, e), "is invalid: " + firstLine(e.getOriginalMessage()), e);
      }
      throw new CodecException(label, path(base, e), shape, e);
    } catch (JsonMappingException e) {
      throw new CodecException(
          label, path(base, e), "is invalid: " + firstLine(e.getOriginalMessage()), e);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new CodecException(label, base, "is invalid: " + e.getMessage(), e);
    }
  }

  /**
   * The rule a value of the wrong shape broke (one value where a list belongs, a list or map where
   * a string, number, boolean or enum does, a scalar of another type where a number, boolean or
   * enum does, anything but a map where a map does); null for other mismatches, whose Jackson
   * message is kept. Jackson's own words name Java types ("Cannot construct instance of
   * `java.util.ArrayList`"), which say nothing to someone writing YAML.
   */
  static String shapeRule(Class<?> target, JsonNode given) {
    if (target == null || given == null) return null;
    boolean wantsList = java.util.Collection.class.isAssignableFrom(target) || target.isArray();
    if (wantsList && given.isValueNode()) {
      return "\""
          + given.asText()
          + "\" must be a list, not a single value (YAML: [\""
          + given.asText()
          + "\"], or one \"- \" line per entry)";
    }
    boolean scalar =
        target == String.class
            || target.isEnum()
            || target.isPrimitive()
            || Number.class.isAssignableFrom(target)
            || target == Boolean.class;
    if (scalar && given.isContainerNode()) {
      return "must be " + describe(target) + ", not a " + (given.isArray() ? "list" : "map");
    }
    if (scalar && target != String.class && given.isValueNode()) {
      // a scalar of another type: "26" for an integer, 1 for a boolean or an enum
      return "\"" + given.asText() + "\" must be " + describe(target);
    }
    // metadata and spec (records) are maps to the user too
    if ((java.util.Map.class.isAssignableFrom(target) || target.isRecord()) && !given.isObject()) {
      return (given.isArray() ? "" : "\"" + given.asText() + "\" ")
          + "must be a map of key: value entries, not a "
          + (given.isArray() ? "list" : "single value");
    }
    return null;
  }

  /** The node {@code path} leads to from {@code root}, or null when it leads nowhere. */
  private static JsonNode at(JsonNode root, List<JsonMappingException.Reference> path) {
    JsonNode n = root;
    for (JsonMappingException.Reference r : path) {
      if (n == null) return null;
      n = r.getFieldName() != null ? n.get(r.getFieldName()) : n.get(r.getIndex());
    }
    return n;
  }

  private static String path(String base, JsonMappingException e) {
    String p = JsonErrors.path(e);
    return p.isEmpty() || p.startsWith("[") ? base + p : base + "." + p;
  }

  private static String describe(Class<?> type) {
    return JsonErrors.describe(type);
  }

  private static String firstLine(String message) {
    return JsonErrors.firstLine(message);
  }

  /** Jackson's "Cannot deserialize value of type X from String "y": reason" -> "reason". */
  private static String reason(String message) {
    String line = firstLine(message);
    int idx = line.lastIndexOf(": ");
    return idx >= 0 ? line.substring(idx + 2) : "";
  }

  private static CodecException syntaxError(String where, Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Yaml11Scalars.AmbiguousScalar a) {
        return new CodecException(where, a.field().isEmpty() ? null : a.field(), a.problem(), a);
      }
    }
    String msg =
        e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    YamlProblem yamlProblem = YamlProblem.of(msg);
    if (yamlProblem != null) {
      return new CodecException(where, null, "is not valid YAML/JSON " + yamlProblem, e);
    }
    String loc = "";
    if (e instanceof JsonProcessingException jpe
        && jpe.getLocation() != null
        && jpe.getLocation().getLineNr() > 0) {
      loc =
          " at line "
              + jpe.getLocation().getLineNr()
              + " column "
              + jpe.getLocation().getColumnNr();
    }
    return new CodecException(
        where, null, "is not valid YAML/JSON" + loc + ": " + firstLine(msg), e);
  }

  /**
   * What SnakeYAML says is wrong and where. Its message is a context ("while parsing a flow
   * sequence"), the problem ("expected ',' or ']', but got <document start>") and a mark with a
   * source excerpt under each; Jackson's own location is where its parser stood, often lines before
   * the problem. The first line alone named only the context, never the problem.
   *
   * @param problem the problem, with its context in parentheses when there is one
   * @param line the problem's line, 1-based
   * @param column the problem's column, 1-based
   */
  record YamlProblem(String problem, int line, int column) {
    private static final Pattern MARK =
        Pattern.compile("^ in '[^']*', line (\\d+), column (\\d+):$");

    /** The problem {@code message} describes, or null when it is not a SnakeYAML message. */
    static YamlProblem of(String message) {
      if (message == null) return null;
      List<String> text = new ArrayList<>();
      int line = -1;
      int column = -1;
      for (String l : message.lines().toList()) {
        var m = MARK.matcher(l);
        if (m.matches()) {
          line = Integer.parseInt(m.group(1));
          column = Integer.parseInt(m.group(2));
        } else if (!l.isBlank() && !l.startsWith(" ")) {
          text.add(l.strip());
        }
      }
      if (line < 0 || text.isEmpty()) return null;
      String problem = text.getLast().replace("\\t(TAB)", "tab");
      if (text.size() > 1) problem += " (" + text.getFirst() + ")";
      return new YamlProblem(problem, line, column);
    }

    @Override
    public String toString() {
      return "at line " + line + " column " + column + ": " + problem;
    }
  }

  // ---------------------------------------------------------------- writing

  /** The resource as a tree: apiVersion, kind, metadata, spec, in that order. */
  public ObjectNode toTree(Resource r) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("apiVersion", r.apiVersion());
    root.put("kind", manifestKind(r));
    root.set("metadata", json.valueToTree(r.metadata()));
    root.set("spec", json.valueToTree(r.spec()));
    return root;
  }

  /** One resource as a YAML document, without a {@code ---} marker. */
  public String toYaml(Resource r) {
    try {
      return yaml.writeValueAsString(toTree(r));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + r.kind() + " " + r.name(), e);
    }
  }

  /** Several resources as YAML documents separated by {@code ---} (none for a single one). */
  public String toYaml(List<? extends Resource> resources) {
    return resources.stream().map(this::toYaml).collect(Collectors.joining("---\n"));
  }

  /** One resource as indented JSON. */
  public String toJson(Resource r) {
    try {
      return prettyJson.writerWithDefaultPrettyPrinter().writeValueAsString(toTree(r)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + r.kind() + " " + r.name(), e);
    }
  }

  /**
   * Several resources as one indented JSON {@code kind: List} object (what kubectl prints), which
   * {@link #read} accepts back. A single resource is written as itself.
   */
  public String toJson(List<? extends Resource> resources) {
    if (resources.size() == 1) return toJson(resources.getFirst());
    ObjectNode list = JsonNodeFactory.instance.objectNode();
    list.put("apiVersion", Resource.API_VERSION);
    list.put("kind", "List");
    ArrayNode items = list.putArray("items");
    resources.forEach(r -> items.add(toTree(r)));
    try {
      return prettyJson.writerWithDefaultPrettyPrinter().writeValueAsString(list) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write list", e);
    }
  }

  /**
   * The compact JSON stored in the datastore: the whole resource without {@code resourceVersion},
   * which is the entry's revision and so never stored inside the value.
   */
  public byte[] toStorage(Resource r) {
    Resource stripped = r.withMetadata(r.metadata().withResourceVersion(null));
    try {
      return json.writeValueAsString(toTree(stripped)).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + r.kind() + " " + r.name(), e);
    }
  }

  /**
   * Builds ahead what reading objects of {@code kind} needs (Jackson's deserializers of metadata
   * and of the kind's spec, found by reflection on first use), so a caller can do it on another
   * thread before its first read. Reading gives the same results with or without it.
   */
  public void prepare(Kind<?> kind) {
    json.readerFor(ObjectMeta.class);
    json.readerFor(kind.specType());
  }

  /**
   * Reads a stored value of {@code kind}, setting {@code resourceVersion} to {@code revision}.
   *
   * @throws CodecException when the stored value is not a valid object of that kind
   */
  public <R extends Resource> R fromStorage(Kind<R> kind, byte[] value, long revision) {
    String text = new String(value, StandardCharsets.UTF_8);
    Resource r = readOne(text);
    if (r.kind() != kind) {
      throw new CodecException(
          "stored " + kind.name() + " \"" + r.name() + "\"", "kind", "holds a " + r.kind(), null);
    }
    R typed = kind.cast(r);
    @SuppressWarnings("unchecked")
    R withVersion =
        (R) typed.withMetadata(r.metadata().withResourceVersion(Long.toString(revision)));
    return withVersion;
  }

  // ------------------------------------------------------------ raw trees

  /**
   * Any JSON tree as one YAML document, quoted like resources are, so that {@link #readTrees} gives
   * back an equal tree (used by datastore dumps, whose values are not all resources).
   */
  public String treeToYaml(JsonNode tree) {
    try {
      return yaml.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a YAML document", e);
    }
  }

  /** A compact JSON tree read from stored bytes. */
  public JsonNode readJsonTree(byte[] value) {
    try {
      return json.readTree(value);
    } catch (IOException e) {
      throw new CodecException("stored value", null, "is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** A tree as compact JSON bytes, the way values are stored. */
  public byte[] toJsonBytes(JsonNode tree) {
    try {
      return json.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  /**
   * Every document of a YAML (or JSON) text as a tree, empty documents skipped; {@code source}
   * names the input in errors.
   */
  public List<JsonNode> readTrees(String text, String source) {
    List<JsonNode> out = new ArrayList<>();
    Decoded errors = new Decoded();
    eachDocument(
        text,
        source + ": ",
        errors,
        (doc, where) -> {
          if (doc == null || doc.isNull() || doc.isMissingNode()) return;
          if (doc.isTextual() && doc.asText().isBlank()) return;
          out.add(doc);
        });
    errors.orThrow();
    return out;
  }
}
