package dev.netctl.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.model.EndpointNames;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.KubernetesNetworkPolicy;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.datastore.model.Profile;
import dev.netctl.datastore.model.ProfileSpec;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.datastore.model.WorkloadEndpoint;
import dev.netctl.datastore.model.WorkloadEndpointSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The netctl kinds that, on Kubernetes, are views of Kubernetes' own objects, as Calico's KDD mode
 * has them: a {@code WorkloadEndpoint} per running Pod with an address, a Profile {@code kns.<ns>}
 * per Namespace and {@code ksa.<ns>.<name>} per ServiceAccount (its labels, which a policy's {@code
 * serviceAccountSelector} matches as {@code pcsa.} labels), a {@code KubernetesNetworkPolicy} per
 * {@code networking.k8s.io/v1} NetworkPolicy. Pure: Kubernetes JSON in, datastore entries out.
 *
 * <p>Each derived entry's revision is its object's resourceVersion: on an etcd-backed API server
 * Pods, Namespaces, NetworkPolicies and netctl's custom resources share etcd's revision counter, so
 * revisions of derived and stored kinds compare as the contract needs.
 */
final class CoreKinds {

  /** Calico's pod annotations the CNI side writes (as Calico's KDD endpoint client does). */
  static final String POD_IPS = "cni.projectcalico.org/podIPs";

  static final String POD_IP = "cni.projectcalico.org/podIP";
  static final String CONTAINER_ID = "cni.projectcalico.org/containerID";

  /** Labels Calico adds to every pod's endpoint. */
  static final String NAMESPACE_LABEL = "projectcalico.org/namespace";

  static final String ORCHESTRATOR_LABEL = "projectcalico.org/orchestrator";
  static final String SERVICE_ACCOUNT_LABEL = "projectcalico.org/serviceaccount";

  private static final ResourceCodec CODEC = new ResourceCodec();
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A Kubernetes collection one derived kind is read from.
   *
   * @param kind the netctl storage kind
   * @param group the API group ("" for the core group)
   * @param plural the resource
   * @param objectKind the Kubernetes kind of its objects
   * @param namespaced whether its objects live in namespaces
   */
  record Source(String kind, String group, String plural, String objectKind, boolean namespaced) {
    /** The collection across all namespaces, e.g. {@code /api/v1/pods}. */
    String collectionPath() {
      return prefix() + "/" + plural;
    }

    /** One object's path. */
    String objectPath(String namespace, String name) {
      return prefix() + (namespaced ? "/namespaces/" + namespace : "") + "/" + plural + "/" + name;
    }

    String apiVersion() {
      return group.isEmpty() ? "v1" : group + "/v1";
    }

    private String prefix() {
      return group.isEmpty() ? "/api/v1" : "/apis/" + group + "/v1";
    }
  }

  static final Source PODS =
      new Source(Kind.WORKLOAD_ENDPOINT.storageKind(), "", "pods", "Pod", true);
  static final Source NAMESPACES =
      new Source(Kind.PROFILE.storageKind(), "", "namespaces", "Namespace", false);
  static final Source NETWORK_POLICIES =
      new Source(
          Kind.KUBERNETES_NETWORK_POLICY.storageKind(),
          "networking.k8s.io",
          "networkpolicies",
          "NetworkPolicy",
          true);

  static final Source SERVICE_ACCOUNTS =
      new Source(Kind.PROFILE.storageKind(), "", "serviceaccounts", "ServiceAccount", true);

  private static final List<Source> ALL =
      List.of(PODS, NAMESPACES, SERVICE_ACCOUNTS, NETWORK_POLICIES);

  private CoreKinds() {}

  /** The first Kubernetes collection a storage kind is derived from, if it is a derived one. */
  static Optional<Source> source(String kind) {
    for (Source s : ALL) if (s.kind().equals(kind)) return Optional.of(s);
    return Optional.empty();
  }

  /** Every collection a storage kind is derived from (Profiles: Namespaces and ServiceAccounts). */
  static List<Source> sources(String kind) {
    return ALL.stream().filter(s -> s.kind().equals(kind)).toList();
  }

  /** The collection that holds the entry of {@code key}, when one can. */
  static Optional<Source> sourceOf(Key key) {
    if (key.kind().equals(Kind.PROFILE.storageKind())) {
      if (key.name().startsWith(Profile.NAMESPACE_PREFIX)) return Optional.of(NAMESPACES);
      if (key.name().startsWith(Profile.SERVICE_ACCOUNT_PREFIX)) {
        return Optional.of(SERVICE_ACCOUNTS);
      }
      return Optional.empty();
    }
    return source(key.kind());
  }

  /** Every collection read. */
  static List<Source> all() {
    return ALL;
  }

  /**
   * The object ({namespace, name}) that holds the entry of a key, or empty when no object can: a
   * WorkloadEndpoint name is Calico's {@code <node>-k8s-<pod>-eth0} in the pod's namespace, a
   * Profile name {@code kns.<namespace>}, a policy's {@code <namespace>/<name>}. For an endpoint
   * name that {@link EndpointNames#mayBeShortened may be shortened} the pod found here is only the
   * name's workload part, not necessarily the pod: {@link CoreView} looks the pod up instead.
   */
  static Optional<String[]> objectOf(Key key) {
    String name = key.name();
    int slash = name.indexOf('/');
    if (key.kind().equals(NAMESPACES.kind())) {
      if (name.startsWith(Profile.NAMESPACE_PREFIX)) {
        return Optional.of(new String[] {null, name.substring(Profile.NAMESPACE_PREFIX.length())});
      }
      if (!name.startsWith(Profile.SERVICE_ACCOUNT_PREFIX)) return Optional.empty();
      // ksa.<namespace>.<name>: a namespace holds no dot, so the first one ends it
      String rest = name.substring(Profile.SERVICE_ACCOUNT_PREFIX.length());
      int dot = rest.indexOf('.');
      if (dot <= 0 || dot == rest.length() - 1) return Optional.empty();
      return Optional.of(new String[] {rest.substring(0, dot), rest.substring(dot + 1)});
    }
    if (slash <= 0) return Optional.empty();
    String ns = name.substring(0, slash);
    String local = name.substring(slash + 1);
    if (key.kind().equals(NETWORK_POLICIES.kind())) return Optional.of(new String[] {ns, local});
    return EndpointNames.parse(local)
        .filter(p -> p.get(1).equals("k8s") && p.get(3).equals("eth0"))
        .map(p -> new String[] {ns, p.get(2)});
  }

  /** The entry {@code obj} of {@code source} stands for, or empty when it stands for none. */
  static Optional<Entry> entry(Source source, JsonNode obj, String address) {
    long rv =
        ObjectMapping.revision(obj.path("metadata").path("resourceVersion").asText(), address);
    return switch (source.plural()) {
      case "pods" -> endpoint(obj).map(w -> stored(source, w, rv));
      case "namespaces" -> Optional.of(stored(source, profile(obj), rv));
      case "serviceaccounts" -> Optional.of(stored(source, serviceAccountProfile(obj), rv));
      default -> key(source, obj).map(k -> new Entry(k, policy(obj), rv));
    };
  }

  private static Entry stored(Source source, Resource r, long rv) {
    return new Entry(new Key(source.kind(), r.storageName()), CODEC.toStorage(r), rv);
  }

  /**
   * The key {@code obj} would have, when it has one: for a Pod, only a scheduled one (the name
   * holds the node).
   */
  static Optional<Key> key(Source source, JsonNode obj) {
    JsonNode meta = obj.path("metadata");
    String ns = meta.path("namespace").asText();
    String name = meta.path("name").asText();
    return switch (source.plural()) {
      case "pods" -> {
        String node = obj.path("spec").path("nodeName").asText("");
        yield node.isEmpty()
            ? Optional.empty()
            : Optional.of(new Key(source.kind(), ns + "/" + endpointName(node, name)));
      }
      case "namespaces" -> Optional.of(new Key(source.kind(), Profile.NAMESPACE_PREFIX + name));
      case "serviceaccounts" ->
          Optional.of(new Key(source.kind(), serviceAccountProfileName(ns, name)));
      default -> Optional.of(new Key(source.kind(), ns + "/" + name));
    };
  }

  /** Calico's endpoint name of a pod's eth0 on {@code node}. */
  static String endpointName(String node, String pod) {
    return EndpointNames.endpointName(node, "k8s", pod, "eth0");
  }

  /**
   * A Pod's WorkloadEndpoint: scheduled, not on the host network, not finished, with an address
   * (the CNI side's annotation first, as Calico: the kubelet reports {@code status.podIPs} only
   * after the CNI ADD returned).
   */
  static Optional<WorkloadEndpoint> endpoint(JsonNode pod) {
    JsonNode meta = pod.path("metadata");
    JsonNode spec = pod.path("spec");
    String node = spec.path("nodeName").asText("");
    String phase = pod.path("status").path("phase").asText("");
    if (node.isEmpty()
        || spec.path("hostNetwork").asBoolean(false)
        || phase.equals("Succeeded")
        || phase.equals("Failed")) {
      return Optional.empty();
    }
    Map<String, String> annotations = strings(meta.path("annotations"));
    List<String> nets = addresses(annotations, pod.path("status"));
    if (nets.isEmpty()) return Optional.empty();
    String ns = meta.path("namespace").asText();
    String name = meta.path("name").asText();
    String sa = spec.path("serviceAccountName").asText("");
    Map<String, String> labels = new LinkedHashMap<>(strings(meta.path("labels")));
    labels.put(NAMESPACE_LABEL, ns);
    labels.put(ORCHESTRATOR_LABEL, "k8s");
    List<String> profiles = new ArrayList<>(List.of(Profile.NAMESPACE_PREFIX + ns));
    if (!sa.isEmpty()) {
      labels.put(SERVICE_ACCOUNT_LABEL, sa);
      profiles.add(serviceAccountProfileName(ns, sa));
    }
    List<WorkloadEndpointSpec.EndpointPort> ports = new ArrayList<>();
    for (JsonNode c : spec.path("containers")) {
      for (JsonNode p : c.path("ports")) {
        if (!p.hasNonNull("name")) continue;
        ports.add(
            new WorkloadEndpointSpec.EndpointPort(
                p.path("name").asText(),
                p.path("protocol").asText("TCP"),
                p.path("containerPort").asInt(),
                p.path("hostPort").asInt(0)));
      }
    }
    ObjectMeta m =
        new ObjectMeta(
            endpointName(node, name),
            ns,
            labels,
            null,
            null,
            textOrNull(meta, "uid"),
            textOrNull(meta, "creationTimestamp"));
    String containerId = annotations.get(CONTAINER_ID);
    return Optional.of(
        new WorkloadEndpoint(
            m,
            new WorkloadEndpointSpec(
                "k8s",
                null,
                node,
                containerId == null || containerId.isEmpty() ? null : containerId,
                name,
                "eth0",
                sa.isEmpty() ? null : sa,
                nets,
                null,
                null,
                profiles,
                EndpointNames.hostInterface(ns + "." + name),
                null,
                ports)));
  }

  private static List<String> addresses(Map<String, String> annotations, JsonNode status) {
    List<String> out = new ArrayList<>();
    String annotated = annotations.getOrDefault(POD_IPS, annotations.get(POD_IP));
    if (annotated != null && !annotated.isBlank()) {
      for (String s : annotated.split(",")) if (!s.isBlank()) out.add(hostCidr(s.strip()));
      return out;
    }
    for (JsonNode ip : status.path("podIPs")) {
      String a = ip.path("ip").asText("");
      if (!a.isEmpty()) out.add(hostCidr(a));
    }
    if (out.isEmpty() && !status.path("podIP").asText("").isEmpty()) {
      out.add(hostCidr(status.path("podIP").asText()));
    }
    return out;
  }

  /** {@code 10.0.0.5} or {@code 10.0.0.5/32} → {@code 10.0.0.5/32}; {@code /128} for IPv6. */
  private static String hostCidr(String address) {
    String a = address.contains("/") ? address.substring(0, address.indexOf('/')) : address;
    return a + (a.contains(":") ? "/128" : "/32");
  }

  /** A Namespace's Profile: its labels, which namespace selectors match (unprefixed; see docs). */
  static Profile profile(JsonNode ns) {
    JsonNode meta = ns.path("metadata");
    return labelsProfile(Profile.NAMESPACE_PREFIX + meta.path("name").asText(), meta);
  }

  /**
   * A ServiceAccount's Profile {@code ksa.<ns>.<name>}: its labels, unprefixed as the etcd and
   * embedded stores hold them (the policy package adds {@code pcsa.} and Calico's {@code
   * pcsa.projectcalico.org/name} itself, agent.policy.Labels).
   */
  static Profile serviceAccountProfile(JsonNode sa) {
    JsonNode meta = sa.path("metadata");
    return labelsProfile(
        serviceAccountProfileName(meta.path("namespace").asText(), meta.path("name").asText()),
        meta);
  }

  // A Profile named {@code name} carrying the labels of the object whose metadata is {@code meta}.
  private static Profile labelsProfile(String name, JsonNode meta) {
    return new Profile(
        new ObjectMeta(
            name, null, null, null, textOrNull(meta, "uid"), textOrNull(meta, "creationTimestamp")),
        new ProfileSpec(strings(meta.path("labels"))));
  }

  static String serviceAccountProfileName(String namespace, String name) {
    return Profile.SERVICE_ACCOUNT_PREFIX + namespace + "." + name;
  }

  /**
   * A NetworkPolicy as the stored value of a KubernetesNetworkPolicy: the manifest netctl reads,
   * with the spec verbatim. Readers decode and validate it as any stored value (the agent skips one
   * it cannot read, naming it).
   */
  static byte[] policy(JsonNode np) {
    JsonNode meta = np.path("metadata");
    ObjectNode out = JSON.createObjectNode();
    out.put("apiVersion", KubernetesNetworkPolicy.API_VERSION);
    out.put("kind", KubernetesNetworkPolicy.MANIFEST_KIND);
    ObjectNode m = out.putObject("metadata");
    m.put("name", meta.path("name").asText());
    m.put("namespace", meta.path("namespace").asText());
    if (meta.path("labels").size() > 0) m.set("labels", meta.path("labels"));
    for (String f : List.of("uid", "creationTimestamp")) {
      if (textOrNull(meta, f) != null) m.put(f, meta.path(f).asText());
    }
    out.set("spec", np.path("spec").isObject() ? np.path("spec") : JSON.createObjectNode());
    return ObjectMapping.bytes(out);
  }

  static Map<String, String> strings(JsonNode map) {
    Map<String, String> out = new LinkedHashMap<>();
    map.fields()
        .forEachRemaining(
            e -> {
              if (!e.getValue().isNull()) out.put(e.getKey(), e.getValue().asText());
            });
    return out;
  }

  private static String textOrNull(JsonNode meta, String field) {
    String s = meta.path(field).asText("");
    return s.isEmpty() ? null : s;
  }
}
