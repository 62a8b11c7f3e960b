package dev.netctl.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns a stored value into the custom resource that holds it, and back. Pure: no I/O.
 *
 * <ul>
 *   <li>A user-facing kind (IPPool, BGPPeer...) whose value is a netctl resource: the custom
 *       resource <em>is</em> that resource. Its {@code spec} is the Calico-shaped spec, labels and
 *       annotations are the object's own, so {@code kubectl get ippools -o yaml} reads like a
 *       netctl manifest and a pool applied with kubectl is one netctl sees. Reading back gives the
 *       resource with the API server's {@code uid} and {@code creationTimestamp}.
 *   <li>Any other value that is a JSON object (IPAM blocks, affinities, handles, the pool guard):
 *       the object is the custom resource's {@code spec}, verbatim.
 *   <li>Anything else (bytes that are not a JSON object, or JSON that would not come back
 *       byte-identical, such as {@code 1.10}): base64 in a top-level {@code raw} field.
 * </ul>
 *
 * <p>A key name that is not a valid object name is encoded ({@link ObjectNames}) and the original
 * kept in the annotation {@value #NAME_ANNOTATION} for people reading {@code kubectl} output.
 *
 * <p>What comes back from a real API server is the same JSON object but not always the same bytes:
 * it keeps custom resources as Go maps and writes their keys sorted. Nothing in netctl compares
 * stored bytes; the fabric8 mock server used in tests keeps the order.
 */
public final class ObjectMapping {
  /** Holds the key name when the object name had to be encoded. */
  public static final String NAME_ANNOTATION = "netctl.dev/name";

  /**
   * Hold the value's own {@code uid} and {@code creationTimestamp}: the API server assigns its own
   * on create and cannot be told otherwise, but a migrated object must read back as it was
   * exported. An object created with kubectl has neither, and reads back with the server's.
   */
  public static final String UID_ANNOTATION = "netctl.dev/uid";

  public static final String CREATED_ANNOTATION = "netctl.dev/creationTimestamp";

  /**
   * Holds {@code "<apiVersion> <kind>"} of a value whose own differ from the custom resource's (a
   * Kubernetes NetworkPolicy is stored as {@code networking.k8s.io/v1 NetworkPolicy}).
   */
  public static final String MANIFEST_ANNOTATION = "netctl.dev/manifest";

  private static final String RAW = "raw";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ObjectMapping() {}

  /**
   * The custom resource for {@code value} under {@code key}; {@code resourceVersion} is set when
   * positive (an update's precondition).
   */
  public static ObjectNode toObject(Key key, byte[] value, long resourceVersion) {
    ObjectNode obj = NODES.objectNode();
    obj.put("apiVersion", StoredKinds.API_VERSION);
    obj.put("kind", key.kind());
    ObjectNode meta = obj.putObject("metadata");
    CrdObject target = CrdObject.of(key);
    String objectName = target.objectName();
    meta.put("name", objectName);
    if (target.namespace() != null) meta.put("namespace", target.namespace());
    if (resourceVersion > 0) meta.put("resourceVersion", Long.toString(resourceVersion));
    ObjectNode parsed = exactJsonObject(value);
    if (parsed != null && StoredKinds.resourceKind(key.kind()).isPresent() && isResource(parsed)) {
      JsonNode m = parsed.get("metadata");
      copyMap(m.get("labels"), meta, "labels");
      ObjectNode annotations = copyMap(m.get("annotations"), meta, "annotations");
      for (String[] field :
          new String[][] {{"uid", UID_ANNOTATION}, {"creationTimestamp", CREATED_ANNOTATION}}) {
        if (!m.hasNonNull(field[0])) continue;
        if (annotations == null) annotations = meta.putObject("annotations");
        annotations.put(field[1], m.get(field[0]).asText());
      }
      String manifest = parsed.path("apiVersion").asText() + " " + parsed.path("kind").asText();
      if (!manifest.equals(StoredKinds.API_VERSION + " " + key.kind())) {
        if (annotations == null) annotations = meta.putObject("annotations");
        annotations.put(MANIFEST_ANNOTATION, manifest);
      }
      obj.set("spec", parsed.get("spec"));
    } else if (parsed != null && !StoredKinds.resourceKind(key.kind()).isPresent()) {
      obj.set("spec", parsed);
    } else {
      obj.put(RAW, Base64.getEncoder().encodeToString(value));
    }
    if (ObjectNames.isEscaped(objectName)) {
      ObjectNode annotations =
          meta.has("annotations")
              ? (ObjectNode) meta.get("annotations")
              : meta.putObject("annotations");
      annotations.put(NAME_ANNOTATION, target.name());
    }
    return obj;
  }

  /**
   * The entry a custom resource holds.
   *
   * @throws DatastoreException.Unavailable when its resourceVersion is not an integer (the API
   *     server is not backed by etcd, whose revisions netctl relies on)
   */
  public static Entry toEntry(String kind, JsonNode obj, String address) {
    JsonNode meta = obj.path("metadata");
    String name =
        CrdObject.keyName(kind, meta.path("namespace").asText(""), meta.path("name").asText());
    Key key = new Key(kind, name);
    return new Entry(
        key, value(key, obj), revision(meta.path("resourceVersion").asText(), address));
  }

  /**
   * Parses an object's resourceVersion as the store revision it is on an etcd-backed API server.
   */
  public static long revision(String resourceVersion, String address) {
    return parse(resourceVersion, 1, address);
  }

  /**
   * Parses a list's resourceVersion: like an object's, but 0 is allowed (a store nothing was ever
   * written to, which a test server reports; a real one is at revision 1 or more).
   */
  public static long listRevision(String resourceVersion, String address) {
    return parse(resourceVersion, 0, address);
  }

  private static long parse(String resourceVersion, long min, String address) {
    try {
      long rv = Long.parseLong(resourceVersion);
      if (rv >= min) return rv;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new DatastoreException.Unavailable(
        address,
        "resourceVersion \""
            + resourceVersion
            + "\" is not "
            + (min > 0 ? "a positive" : "a non-negative")
            + " integer; netctl compares resourceVersions as etcd revisions",
        null);
  }

  private static byte[] value(Key key, JsonNode obj) {
    JsonNode raw = obj.get(RAW);
    if (raw != null && raw.isTextual()) return Base64.getDecoder().decode(raw.asText());
    JsonNode spec = obj.path("spec");
    if (StoredKinds.resourceKind(key.kind()).isEmpty()) return bytes(spec);
    ObjectNode resource = NODES.objectNode();
    resource.put("apiVersion", StoredKinds.API_VERSION);
    resource.put("kind", key.kind());
    ObjectNode meta = resource.putObject("metadata");
    // a namespaced key is <namespace>/<name>, as the resource client stores it
    int slash = key.name().indexOf('/');
    meta.put("name", slash < 0 ? key.name() : key.name().substring(slash + 1));
    if (slash >= 0) meta.put("namespace", key.name().substring(0, slash));
    JsonNode m = obj.path("metadata");
    copyMap(m.get("labels"), meta, "labels");
    ObjectNode annotations = copyMap(m.get("annotations"), meta, "annotations");
    String uid = m.hasNonNull("uid") ? m.get("uid").asText() : null;
    String created = m.hasNonNull("creationTimestamp") ? m.get("creationTimestamp").asText() : null;
    if (annotations != null) {
      annotations.remove(NAME_ANNOTATION);
      JsonNode ownUid = annotations.remove(UID_ANNOTATION);
      JsonNode ownCreated = annotations.remove(CREATED_ANNOTATION);
      JsonNode manifest = annotations.remove(MANIFEST_ANNOTATION);
      if (manifest != null && manifest.asText().indexOf(' ') > 0) {
        String[] parts = manifest.asText().split(" ", 2);
        resource.put("apiVersion", parts[0]);
        resource.put("kind", parts[1]);
      }
      if (ownUid != null) uid = ownUid.asText();
      if (ownCreated != null) created = ownCreated.asText();
      if (annotations.isEmpty()) meta.remove("annotations");
    }
    if (uid != null) meta.put("uid", uid);
    if (created != null) meta.put("creationTimestamp", created);
    resource.set("spec", spec.isObject() ? spec : NODES.objectNode());
    return bytes(resource);
  }

  private static boolean isResource(ObjectNode o) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("apiVersion")
          && !f.equals("kind")
          && !f.equals("metadata")
          && !f.equals("spec")) {
        return false;
      }
    }
    return o.path("metadata").isObject() && o.path("spec").isObject();
  }

  /** The value as a JSON object when writing it back compactly gives the very same bytes. */
  private static ObjectNode exactJsonObject(byte[] value) {
    if (value.length == 0 || value[0] != '{') return null;
    try {
      JsonNode n = JSON.readTree(value);
      if (n instanceof ObjectNode o && Arrays.equals(bytes(o), value)) return o;
    } catch (java.io.IOException e) {
      // not JSON: stored raw
    }
    return null;
  }

  private static ObjectNode copyMap(JsonNode from, ObjectNode meta, String field) {
    if (from == null || !from.isObject() || from.isEmpty()) return null;
    ObjectNode to = meta.putObject(field);
    for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      to.put(e.getKey(), e.getValue().asText());
    }
    return to;
  }

  static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
