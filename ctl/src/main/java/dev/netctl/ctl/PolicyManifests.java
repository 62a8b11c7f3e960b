package dev.netctl.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.netctl.agent.policy.Endpoint;
import dev.netctl.agent.policy.Labels;
import dev.netctl.agent.policy.NamedPort;
import dev.netctl.agent.policy.PolicySnapshot;
import dev.netctl.agent.policy.Protocols;
import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.CodecException;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.datastore.model.Profile;
import dev.netctl.datastore.model.ProfileSpec;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.datastore.model.Validator;
import dev.netctl.datastore.model.Violation;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code policy explain/matrix -f} input: netctl's and Calico's kinds through the codec, and
 * Kubernetes {@code v1} Pod, Namespace and ServiceAccount manifests here (labels, container ports,
 * {@code status.podIP}, {@code spec.serviceAccountName}). A pod without an address gets a synthetic
 * one from 198.18.0.0/15 (the benchmarking range), so it can still be explained by name.
 */
final class PolicyManifests {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final JsonMapper JSON = new JsonMapper();

  private final List<Resource> resources = new ArrayList<>();
  private final List<Endpoint> pods = new ArrayList<>();
  private final Map<String, Map<String, String>> namespaces = new LinkedHashMap<>();
  private final List<String> synthetic = new ArrayList<>();
  private int nextSynthetic = 1;

  /** Why an object of the input could not be read, one line each, in input order. */
  private final List<String> unreadable = new ArrayList<>();

  /**
   * Reads every source. An object that cannot be read does not hide the others: every such object
   * is named, with the rules the readable ones break, as apply names them.
   */
  static PolicyManifests read(List<FileOptions.Source> sources, ResourceCodec codec) {
    PolicyManifests m = new PolicyManifests();
    for (FileOptions.Source s : sources) m.readOne(s, codec);
    // the same rules apply/create enforce: a policy that would be refused is not explained
    List<Violation> violations = new ArrayList<>();
    // as a write would be checked (apply refuses these manifests), not as a stored object is read
    for (Resource r : m.resources) violations.addAll(Validator.validate(r, null, List.of()));
    if (!m.unreadable.isEmpty()) {
      List<String> lines = new ArrayList<>(m.unreadable);
      violations.forEach(v -> lines.add(v.message()));
      throw new CliException(ExitCode.INVALID, String.join("\n", lines));
    }
    Validator.throwIfAny(violations);
    return m;
  }

  PolicySnapshot snapshot() {
    return PolicySnapshot.of(resources, pods, namespaces);
  }

  /** The pods that got a synthetic address. */
  List<String> synthetic() {
    return synthetic;
  }

  private void readOne(FileOptions.Source s, ResourceCodec codec) {
    String text = s.text();
    boolean json = text.stripLeading().startsWith("{") || text.stripLeading().startsWith("[");
    int doc = 0;
    try (MappingIterator<JsonNode> it =
        (json ? JSON : YAML).readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNextValue()) {
        JsonNode node = it.nextValue();
        doc++;
        if (node == null || node.isNull() || node.isMissingNode()) continue;
        String where = s.name() + ": document " + doc;
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) node.forEach(items::add);
        else if (node.path("kind").asText("").endsWith("List") && node.has("items"))
          node.get("items").forEach(items::add);
        else items.add(node);
        for (JsonNode item : items) {
          try {
            item(item, where, codec);
          } catch (CodecException | CliException e) {
            unreadable.add(e.getMessage());
          }
        }
      }
    } catch (JsonProcessingException e) {
      throw new CliException(
          ExitCode.INVALID, s.name() + ": is not valid YAML/JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CliException(ExitCode.USAGE, s.name() + ": " + e.getMessage());
    }
  }

  private void item(JsonNode n, String where, ResourceCodec codec) throws JsonProcessingException {
    String api = n.path("apiVersion").asText("");
    String kind = n.path("kind").asText("");
    if (api.equals("v1") && kind.equals("Namespace")) {
      String name = required(n, "metadata.name", where);
      if (!ObjectMeta.isNamespaceName(name)) {
        throw new CliException(
            ExitCode.INVALID,
            where
                + " (Namespace \""
                + name
                + "\"): metadata.name \""
                + name
                + "\" must be a lower-case DNS-1123 label");
      }
      namespaces.put(name, labels(n.path("metadata").path("labels")));
    } else if (api.equals("v1") && kind.equals("Pod")) {
      pods.add(pod(n, where));
    } else if (api.equals("v1") && kind.equals("ServiceAccount")) {
      resources.add(serviceAccount(n, where));
    } else {
      try {
        // As apply reads them: a kubectl or calicoctl export keeps its status and server metadata.
        resources.addAll(codec.readManifests(JSON.writeValueAsString(n), null));
      } catch (CodecException e) {
        // decoded alone, the object is "document 1": name its place in the file instead
        String name = n.path("metadata").path("name").asText("");
        throw new CodecException(
            where + " (" + kind + " \"" + name + "\")", e.field(), e.problem(), e);
      }
    }
  }

  /**
   * A ServiceAccount's labels, as the {@code ksa.<ns>.<name>} Profile the agent reads them from;
   * refused as the API server would refuse it, naming the ServiceAccount's own fields (not the
   * Profile it becomes, which the user never wrote).
   */
  private static Profile serviceAccount(JsonNode n, String where) {
    String name = required(n, "metadata.name", where);
    String ns = n.path("metadata").path("namespace").asText("");
    if (ns.isEmpty()) ns = dev.netctl.datastore.model.Kind.DEFAULT_NAMESPACE;
    where = where + " (ServiceAccount \"" + ns + "/" + name + "\")";
    List<String> problems = new ArrayList<>();
    if (!Validator.isDnsSubdomain(name)) {
      problems.add(where + ": metadata.name \"" + name + "\" must be a DNS-1123 subdomain");
    }
    if (!ObjectMeta.isNamespaceName(ns)) {
      problems.add(
          where + ": metadata.namespace \"" + ns + "\" must be a lower-case DNS-1123 label");
    }
    Profile p =
        new Profile(
            ObjectMeta.named(Profile.SERVICE_ACCOUNT_PREFIX + ns + "." + name),
            new ProfileSpec(labels(n.path("metadata").path("labels"))));
    if (problems.isEmpty()) {
      for (Violation v : Validator.validate(p)) {
        problems.add(
            where
                + ": "
                + v.field().replace("spec.labelsToApply", "metadata.labels")
                + " \""
                + v.value()
                + "\" "
                + v.rule());
      }
    }
    if (!problems.isEmpty()) throw new CliException(ExitCode.INVALID, String.join("\n", problems));
    return p;
  }

  private Endpoint pod(JsonNode n, String where) {
    String name = required(n, "metadata.name", where);
    String ns = n.path("metadata").path("namespace").asText("default");
    where = where + " (Pod \"" + name + "\")";
    // named as the API server would let it be: "X/Bad_Pod" could never be a pod to explain
    if (!Validator.isDnsSubdomain(name)) {
      throw new CliException(
          ExitCode.INVALID,
          where + ": metadata.name \"" + name + "\" must be a DNS-1123 subdomain");
    }
    if (!ObjectMeta.isNamespaceName(ns)) {
      throw new CliException(
          ExitCode.INVALID,
          where + ": metadata.namespace \"" + ns + "\" must be a lower-case DNS-1123 label");
    }
    List<NamedPort> ports = new ArrayList<>();
    for (JsonNode c : n.path("spec").path("containers")) {
      for (JsonNode p : c.path("ports")) {
        if (!p.hasNonNull("name")) continue;
        int port = p.path("containerPort").asInt(-1);
        if (port < 1 || port > 65535) {
          throw new CliException(
              ExitCode.INVALID,
              where
                  + ": spec.containers[].ports[].containerPort \""
                  + p.path("containerPort").asText()
                  + "\" must be 1-65535");
        }
        String proto = p.path("protocol").asText("TCP");
        try {
          ports.add(new NamedPort(p.get("name").asText(), Protocols.parse(proto), port));
        } catch (IllegalArgumentException e) {
          throw new CliException(
              ExitCode.INVALID,
              where
                  + ": spec.containers[].ports[].protocol \""
                  + proto
                  + "\" must be TCP, UDP or SCTP");
        }
      }
    }
    // dual stack: podIP is the first of podIPs; keep every address, each family once evaluated
    java.util.LinkedHashSet<String> ips = new java.util.LinkedHashSet<>();
    String first = n.path("status").path("podIP").asText(null);
    if (first != null) ips.add(first);
    for (JsonNode p : n.path("status").path("podIPs")) {
      String ip = p.path("ip").asText(null);
      if (ip != null) ips.add(ip);
    }
    List<InetAddress> addrs = new java.util.ArrayList<>();
    if (ips.isEmpty()) {
      int k = nextSynthetic++;
      addrs.add(Cidr.parseAddress("198.18." + (k >> 8) + "." + (k & 0xff)));
      synthetic.add(ns + "/" + name);
    }
    for (String ip : ips) {
      try {
        addrs.add(Cidr.parseAddress(ip));
      } catch (IllegalArgumentException e) {
        throw new CliException(
            ExitCode.INVALID, where + ": status.podIP(s) \"" + ip + "\" must be an IP address");
      }
    }
    namespaces.computeIfAbsent(ns, k -> new HashMap<>());
    Map<String, String> labels = labels(n.path("metadata").path("labels"));
    // the API server gives a pod without one the namespace's account "default"
    labels.put(Labels.SERVICE_ACCOUNT, n.path("spec").path("serviceAccountName").asText("default"));
    return new Endpoint(ns, name, labels, addrs, null, null, ports);
  }

  private static String required(JsonNode n, String path, String where) {
    JsonNode v = n;
    for (String p : path.split("\\.")) v = v.path(p);
    if (!v.isTextual() || v.asText().isEmpty()) {
      throw new CliException(ExitCode.INVALID, where + ": " + path + " is required");
    }
    return v.asText();
  }

  private static Map<String, String> labels(JsonNode n) {
    Map<String, String> out = new HashMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }
}
