package dev.netctl.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.WatchEvent;
import dev.netctl.datastore.model.EndpointNames;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.datastore.model.WorkloadEndpoint;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The derived kinds ({@link CoreKinds}) on the API server: reads go to Pods, Namespaces,
 * ServiceAccounts and NetworkPolicies; their watches are those objects' watches, translated.
 *
 * <p>Writes: Profiles and KubernetesNetworkPolicies are read-only here (they are the Namespaces and
 * NetworkPolicies; change those with kubectl). A WorkloadEndpoint write is what Calico's KDD
 * endpoint client does: the CNI side's addresses and container id go into the Pod's annotations
 * ({@code cni.projectcalico.org/podIPs}, {@code podIP}, {@code containerID}) by a merge patch, and
 * the endpoint read back is the one derived from the patched Pod. Deleting it removes those
 * annotations; the endpoint then lasts as long as the Pod reports an address in its status.
 */
final class CoreView {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ResourceCodec CODEC = new ResourceCodec();

  private final KubernetesDatastore store;

  CoreView(KubernetesDatastore store) {
    this.store = store;
  }

  CompletableFuture<Optional<Entry>> get(Key key) {
    Optional<CoreKinds.Source> source = CoreKinds.sourceOf(key);
    if (source.isEmpty()) return CompletableFuture.completedFuture(Optional.empty());
    CoreKinds.Source s = source.get();
    return objectOf(key)
        .thenCompose(
            obj ->
                obj.isEmpty()
                    ? CompletableFuture.completedFuture(Optional.<Entry>empty())
                    : store
                        .call("GET", s.objectPath(obj.get()[0], obj.get()[1]), null)
                        .thenApply(
                            r ->
                                switch (r.code()) {
                                  // A pod on another node than the name says has no endpoint of
                                  // that name.
                                  case 200 ->
                                      CoreKinds.entry(s, r.body(), store.address())
                                          .filter(e -> e.key().equals(key));
                                  case 404 -> Optional.<Entry>empty();
                                  // no read access to ServiceAccounts yet (deploy/cluster not
                                  // reapplied): absent
                                  default -> {
                                    if (r.code() != 403 || !KubernetesDatastore.readableLater(s)) {
                                      throw store.unexpected("get " + key, r);
                                    }
                                    store.warnForbidden(s);
                                    yield Optional.<Entry>empty();
                                  }
                                }));
  }

  /**
   * The object that holds the entry of {@code key} ({@link CoreKinds#objectOf}), but for a
   * WorkloadEndpoint name that {@link EndpointNames#mayBeShortened may be shortened}: its workload
   * part may be a long pod name cut and ended by a digest, which no pod is named, so the pod is the
   * one in the key's namespace whose endpoint has this name. A list of one namespace's pods, only
   * for such names (a pod named near the 253 limit, or one whose name ends in 16 hex digits).
   */
  private CompletableFuture<Optional<String[]>> objectOf(Key key) {
    Optional<String[]> parsed = CoreKinds.objectOf(key);
    if (parsed.isEmpty()
        || !key.kind().equals(CoreKinds.PODS.kind())
        || !EndpointNames.mayBeShortened(key.name().substring(key.name().indexOf('/') + 1))) {
      return CompletableFuture.completedFuture(parsed);
    }
    String ns = parsed.get()[0];
    return store
        .pager()
        .list(
            "/api/v1/namespaces/" + ns + "/pods",
            "list pods in " + ns,
            r -> store.unexpected("list pods in " + ns, r))
        .thenApply(
            all -> {
              for (JsonNode pod : all.items()) {
                if (CoreKinds.key(CoreKinds.PODS, pod).filter(key::equals).isPresent()) {
                  return Optional.of(new String[] {ns, pod.path("metadata").path("name").asText()});
                }
              }
              return Optional.empty();
            });
  }

  /**
   * Creates or updates (with {@code expectedRevision} > 0 as the Pod's resourceVersion
   * precondition) a WorkloadEndpoint by annotating its Pod; refuses every other derived kind.
   */
  CompletableFuture<Entry> write(Key key, byte[] value, long expectedRevision) {
    if (!key.kind().equals(CoreKinds.PODS.kind()))
      return CompletableFuture.failedFuture(readOnly(key));
    if (CoreKinds.objectOf(key).isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "WorkloadEndpoint "
                  + key.name()
                  + ": on the kubernetes datastore an endpoint is a Pod's eth0, named"
                  + " <namespace>/<node>-k8s-<pod>-eth0"));
    }
    WorkloadEndpoint w;
    try {
      w = CODEC.fromStorage(Kind.WORKLOAD_ENDPOINT, value, 0);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    // The pod is the one the endpoint says (spec.pod on spec.node), when it says: a long pod name
    // is not in the (shortened) endpoint name, so the name is only checked against it.
    String ns = key.name().substring(0, key.name().indexOf('/'));
    String local = key.name().substring(ns.length() + 1);
    String podName = w.spec().pod();
    String node = w.spec().node();
    if (podName != null && !podName.isEmpty() && node != null && !node.isEmpty()) {
      String expected = CoreKinds.endpointName(node, podName);
      if (!expected.equals(local)) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException(
                "WorkloadEndpoint "
                    + key.name()
                    + ": spec.pod \""
                    + podName
                    + "\" on spec.node \""
                    + node
                    + "\" has the endpoint name \""
                    + expected
                    + "\" on the kubernetes datastore (an endpoint is a Pod's eth0, named"
                    + " <node>-k8s-<pod>-eth0, shortened past 253 characters)"));
      }
      return annotate(key, new String[] {ns, podName}, w, expectedRevision);
    }
    return objectOf(key)
        .thenCompose(
            obj ->
                obj.isEmpty()
                    ? CompletableFuture.failedFuture(new DatastoreException.NotFound(key))
                    : annotate(key, obj.get(), w, expectedRevision));
  }

  private CompletableFuture<Entry> annotate(
      Key key, String[] pod, WorkloadEndpoint w, long expectedRevision) {
    ObjectNode annotations = JSON.createObjectNode();
    var nets = w.spec().ipNetworks();
    annotations.put(CoreKinds.POD_IP, nets.isEmpty() ? "" : nets.getFirst());
    annotations.put(CoreKinds.POD_IPS, String.join(",", nets));
    if (w.spec().containerID() != null) {
      annotations.put(CoreKinds.CONTAINER_ID, w.spec().containerID());
    }
    return patch(key, pod, annotations, expectedRevision)
        .thenApply(
            patched ->
                CoreKinds.entry(CoreKinds.PODS, patched, store.address())
                    .orElseThrow(() -> new DatastoreException.NotFound(key)));
  }

  /** Removes the CNI annotations from the endpoint's Pod; refuses every other derived kind. */
  CompletableFuture<Long> delete(Key key, long expectedRevision) {
    if (!key.kind().equals(CoreKinds.PODS.kind()))
      return CompletableFuture.failedFuture(readOnly(key));
    ObjectNode annotations = JSON.createObjectNode();
    for (String a : new String[] {CoreKinds.POD_IP, CoreKinds.POD_IPS, CoreKinds.CONTAINER_ID}) {
      annotations.putNull(a);
    }
    return objectOf(key)
        .thenCompose(
            obj ->
                obj.isEmpty()
                    ? CompletableFuture.failedFuture(new DatastoreException.NotFound(key))
                    : patch(key, obj.get(), annotations, expectedRevision))
        .thenApply(
            pod ->
                ObjectMapping.revision(
                    pod.path("metadata").path("resourceVersion").asText(), store.address()));
  }

  private CompletableFuture<JsonNode> patch(
      Key key, String[] pod, ObjectNode annotations, long expectedRevision) {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode meta = body.putObject("metadata");
    meta.set("annotations", annotations);
    // A resourceVersion in a patch is a precondition: 409 when the Pod moved on.
    if (expectedRevision > 0) meta.put("resourceVersion", Long.toString(expectedRevision));
    return store
        .call("PATCH", CoreKinds.PODS.objectPath(pod[0], pod[1]), body)
        .thenCompose(
            r ->
                switch (r.code()) {
                  // the CRUD mock answers 202
                  case 200, 202 -> CompletableFuture.completedFuture(r.body());
                  case 404 -> throw new DatastoreException.NotFound(key);
                  case 409 ->
                      get(key)
                          .thenApply(
                              current -> {
                                throw new DatastoreException.Conflict(
                                    key, expectedRevision, current.orElse(null));
                              });
                  default -> throw store.unexpected("patch pod " + pod[0] + "/" + pod[1], r);
                });
  }

  private static IllegalArgumentException readOnly(Key key) {
    CoreKinds.Source s =
        CoreKinds.sourceOf(key).orElseGet(() -> CoreKinds.source(key.kind()).orElseThrow());
    return new IllegalArgumentException(
        key.kind()
            + " "
            + key.name()
            + ": read-only on the kubernetes datastore, where it is derived from the "
            + s.apiVersion()
            + " "
            + s.objectKind()
            + " of that name; change the "
            + s.objectKind()
            + " with kubectl");
  }

  /**
   * A watch of the Kubernetes collection, as events of the derived kind. A Pod that gains an
   * address gives a Put, one that loses it or finishes a Deleted; a Pod seen without an endpoint in
   * this watch gives nothing until it has one.
   */
  static KubeWatch.Source watchSource(CoreKinds.Source s, String address) {
    ResourceDefinitionContext context =
        new ResourceDefinitionContext.Builder()
            .withGroup(s.group())
            .withVersion("v1")
            .withKind(s.objectKind())
            .withPlural(s.plural())
            .withNamespaced(s.namespaced())
            .build();
    // Whether each key had an entry when this watch last saw it (absent: not seen yet).
    Map<Key, Boolean> known = new ConcurrentHashMap<>();
    return new KubeWatch.Source() {
      @Override
      public String kind() {
        return s.kind();
      }

      @Override
      public ResourceDefinitionContext context() {
        return context;
      }

      @Override
      public WatchEvent event(Watcher.Action action, JsonNode obj) {
        Optional<Key> key = CoreKinds.key(s, obj);
        if (key.isEmpty()) return null; // an unscheduled pod
        long rv =
            ObjectMapping.revision(obj.path("metadata").path("resourceVersion").asText(), address);
        if (action == Watcher.Action.DELETED) {
          Boolean had = known.remove(key.get());
          return Boolean.FALSE.equals(had) ? null : new WatchEvent.Deleted(key.get(), rv);
        }
        if (action != Watcher.Action.ADDED && action != Watcher.Action.MODIFIED) return null;
        Optional<Entry> e = CoreKinds.entry(s, obj, address);
        Boolean had = known.put(key.get(), e.isPresent());
        if (e.isPresent()) {
          return new WatchEvent.Put(
              e.get(), action == Watcher.Action.ADDED || Boolean.FALSE.equals(had));
        }
        // A new object without an entry had none; one changed unseen may have had one.
        boolean hadNone = Boolean.FALSE.equals(had) || action == Watcher.Action.ADDED;
        return hadNone ? null : new WatchEvent.Deleted(key.get(), rv);
      }
    };
  }
}
