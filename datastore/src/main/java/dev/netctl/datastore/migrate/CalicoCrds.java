package dev.netctl.datastore.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.model.CodecException;
import dev.netctl.datastore.model.FelixConfigurationSpec;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.datastore.model.ValidationException;
import dev.netctl.datastore.model.Validator;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads Calico's own objects — what {@code kubectl get ippools.crd.projectcalico.org -o yaml}
 * prints, a {@code List} or separate documents, {@code apiVersion: crd.projectcalico.org/v1} (or
 * calicoctl's {@code projectcalico.org/v3}) — into a {@link Dump} that {@link Migration#importInto}
 * writes.
 *
 * <p>Resource kinds (IPPool, BGPPeer, BGPConfiguration, Node, IPAMConfig) share Calico's v3 spec
 * fields, so their spec is read as a Calico v3 manifest; the metadata keeps name, namespace,
 * labels, annotations, uid and creationTimestamp and drops what the API server assigned
 * (resourceVersion, generation, managedFields...). Kinds stored raw (IPAM's blocks, affinities and
 * handles) are converted by the {@link Converter}s the caller passes, so this module need not know
 * their shapes. Calico kinds without a netctl equivalent (FelixConfiguration, ClusterInformation,
 * KubeControllersConfiguration...) are skipped and listed in {@link Result#skipped()}.
 */
public final class CalicoCrds {

  /** The API group/version of Calico's CRDs. */
  public static final String CRD_API_VERSION = "crd.projectcalico.org/v1";

  private static final Set<String> API_VERSIONS =
      Set.of(CRD_API_VERSION, ResourceCodec.CALICO_API_VERSION);

  /** Annotations Calico or kubectl keep for themselves; they mean nothing to netctl. */
  private static final Set<String> DROPPED_ANNOTATIONS =
      Set.of("projectcalico.org/metadata", "kubectl.kubernetes.io/last-applied-configuration");

  /**
   * Fields of Calico's Node that netctl does not model; dropped (and listed) rather than refusing
   * the node: the orchestrator references and address list are re-derived by Calico's own node
   * agent, and netctl keeps tunnel addresses as IPAM handles, not node fields.
   */
  private static final List<String> DROPPED_NODE_FIELDS =
      List.of("orchRefs", "addresses", "wireguard", "bgp.ipv4IPIPTunnelAddr");

  /** Converts one Calico object of a raw-stored kind into the entry netctl stores for it. */
  @FunctionalInterface
  public interface Converter {
    /**
     * @param object the whole object (apiVersion, kind, metadata, spec)
     * @param where names the object in errors ({@code calico.yaml: item 3 (IPAMBlock "x")})
     * @throws RuntimeException naming the field and rule when the object cannot be converted
     */
    DumpEntry convert(JsonNode object, String where);
  }

  /**
   * @param dump what to import
   * @param skipped one line per object that was not converted, naming its kind and why
   */
  public record Result(Dump dump, List<String> skipped) {}

  private final Map<String, Converter> rawKinds;
  private final Clock clock;
  private final ResourceCodec codec = new ResourceCodec();

  /**
   * @param rawKinds converters of raw-stored kinds, by Calico kind name (their order is the dump's
   *     order after the resource kinds)
   * @param clock the creation time given to objects that carry none
   */
  public CalicoCrds(Map<String, Converter> rawKinds, Clock clock) {
    this.rawKinds = new LinkedHashMap<>(rawKinds);
    this.clock = clock;
  }

  /**
   * @throws MigrationException INVALID_INPUT naming the object and field of every problem
   */
  public Result read(String text, String source) {
    List<JsonNode> objects = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    List<JsonNode> docs;
    try {
      docs = codec.readTrees(text, source);
    } catch (CodecException e) {
      throw new MigrationException(MigrationException.Reason.INVALID_INPUT, e.getMessage());
    }
    int doc = 0;
    for (JsonNode d : docs) {
      doc++;
      if (d.path("kind").asText("").endsWith("List") && d.path("items").isArray()) {
        int item = 0;
        for (JsonNode i : d.path("items")) {
          objects.add(i);
          labels.add(source + ": document " + doc + " item " + ++item);
        }
      } else {
        objects.add(d);
        labels.add(source + ": document " + doc);
      }
    }
    List<DumpEntry> entries = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<Resource> pools = new ArrayList<>();
    Set<Key> seen = new HashSet<>();
    for (int i = 0; i < objects.size(); i++) {
      JsonNode o = objects.get(i);
      String kind = o.path("kind").asText("");
      String name = o.path("metadata").path("name").asText("");
      String where = labels.get(i) + " (" + kind + " \"" + name + "\")";
      if (!API_VERSIONS.contains(o.path("apiVersion").asText(""))) {
        problems.add(
            where
                + ": field \"apiVersion\" is "
                + o.path("apiVersion")
                + ", expected "
                + CRD_API_VERSION);
        continue;
      }
      try {
        DumpEntry e;
        if (resourceKind(kind)) {
          Resource r = toResource(o, where, skipped);
          Validator.check(r, null, r.kind() == Kind.IP_POOL ? pools : List.of());
          if (r.kind() == Kind.IP_POOL) pools.add(r);
          e = new DumpEntry(new Key(r.kind().storageKind(), r.storageName()), codec.toStorage(r));
        } else if (rawKinds.containsKey(kind)) {
          e = rawKinds.get(kind).convert(o, where);
        } else {
          skipped.add(kind + " \"" + name + "\": netctl has no equivalent");
          continue;
        }
        if (!seen.add(e.key())) {
          problems.add(where + ": " + e.key() + " appears twice");
          continue;
        }
        entries.add(e);
      } catch (ValidationException ex) {
        problems.add(where + ": " + ex.getMessage());
      } catch (CodecException ex) {
        // Each object is decoded alone, so the codec's own location is "document 1": say where
        // the object sits in the file instead, once.
        problems.add(where + ": " + ex.detail());
      } catch (RuntimeException ex) {
        problems.add(
            ex.getMessage().startsWith(labels.get(i))
                ? ex.getMessage()
                : where + ": " + ex.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new MigrationException(
          MigrationException.Reason.INVALID_INPUT,
          problems.size()
              + " Calico object(s) cannot be converted; nothing was written:\n"
              + String.join("\n", problems));
    }
    List<String> order = new ArrayList<>();
    Kind.all().forEach(k -> order.add(k.storageKind()));
    order.addAll(rawKinds.keySet());
    entries.sort(
        Comparator.<DumpEntry>comparingInt(e -> kindIndex(order, e.key().kind()))
            .thenComparing(e -> e.key().name()));
    return new Result(new Dump(entries), skipped);
  }

  private static int kindIndex(List<String> order, String kind) {
    int i = order.indexOf(kind);
    return i < 0 ? order.size() : i;
  }

  private static boolean resourceKind(String kind) {
    return Kind.all().stream()
        .anyMatch(k -> k.name().equals(kind) || k.otherKindNames().contains(kind));
  }

  private Resource toResource(JsonNode o, String where, List<String> notes) {
    ObjectNode copy = ((ObjectNode) o).deepCopy();
    copy.put("apiVersion", ResourceCodec.CALICO_API_VERSION);
    copy.remove("status");
    if ("Node".equals(copy.path("kind").asText()) && copy.path("spec").isObject()) {
      for (String field : DROPPED_NODE_FIELDS) {
        ObjectNode parent = (ObjectNode) copy.get("spec");
        String[] path = field.split("\\.");
        for (int i = 0; i < path.length - 1 && parent != null; i++) {
          parent = parent.get(path[i]) instanceof ObjectNode n ? n : null;
        }
        if (parent != null && parent.remove(path[path.length - 1]) != null) {
          notes.add(
              "Node \""
                  + copy.path("metadata").path("name").asText()
                  + "\": dropped spec."
                  + field
                  + " (netctl has no equivalent)");
        }
      }
    }
    // A Calico cluster's FelixConfigurations carry settings of Felix's own dataplane (BPF,
    // iptables, logging...): the ones netctl's agent has are kept, the others dropped and said.
    if ("FelixConfiguration".equals(copy.path("kind").asText())
        && copy.path("spec") instanceof ObjectNode spec) {
      List<String> dropped = new ArrayList<>();
      for (String f : FelixConfigurationSpec.NOT_SUPPORTED) {
        if (spec.remove(f) != null) dropped.add("spec." + f);
      }
      if (!dropped.isEmpty()) {
        notes.add(
            "FelixConfiguration \""
                + copy.path("metadata").path("name").asText()
                + "\": dropped "
                + String.join(", ", dropped)
                + " (not supported by netctl)");
      }
    }
    JsonNode meta = copy.path("metadata");
    if (meta.isObject()) {
      ObjectNode m = (ObjectNode) meta;
      m.retain("name", "namespace", "labels", "annotations", "uid", "creationTimestamp");
      if (m.path("annotations").isObject()) {
        ((ObjectNode) m.get("annotations")).remove(DROPPED_ANNOTATIONS);
      }
    }
    Resource r =
        codec
            .read(
                new String(codec.toJsonBytes(copy), java.nio.charset.StandardCharsets.UTF_8), where)
            .getFirst();
    if (r.metadata().uid() == null || r.metadata().creationTimestamp() == null) {
      r =
          r.withMetadata(
              r.metadata()
                  .withIdentity(
                      r.metadata().uid() != null
                          ? r.metadata().uid()
                          : UUID.randomUUID().toString(),
                      r.metadata().creationTimestamp() != null
                          ? r.metadata().creationTimestamp()
                          : clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()));
    }
    if (r.kind().namespaced()) r = r.kind().create(r.metadata(), r.spec());
    return r;
  }
}
