package dev.netctl.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netctl.datastore.ClusterNodes;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.DerivedKinds;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Listing;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;
import dev.netctl.datastore.Write;
import dev.netctl.datastore.lease.LeaseSource;
import dev.netctl.datastore.lease.LeaseStore;
import dev.netctl.datastore.status.StatusRecorder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The datastore contract on the Kubernetes API server: one custom resource per object, in the CRD
 * of its kind ({@link StoredKinds}), named by {@link ObjectNames}, holding its value as {@link
 * ObjectMapping} says.
 *
 * <ul>
 *   <li>revision = {@code metadata.resourceVersion}, read as an integer. On an etcd-backed API
 *       server (every real one) it is the etcd revision of the object's last write: store-wide,
 *       increasing, comparable across kinds, which is what the contract needs. Kubernetes calls
 *       resourceVersions opaque; netctl depends on this implementation property and says so.
 *   <li>compare-and-swap = PUT carrying the expected resourceVersion, DELETE with a resourceVersion
 *       precondition; HTTP 409 becomes {@link DatastoreException.Conflict} with the entry a
 *       follow-up GET finds (the API server does not return it with the 409).
 *   <li>{@link #commit} takes one write: the API server has no multi-object transaction, so {@link
 *       #maxOpsPerCommit()} is 1 and callers take their crash-safe single-write paths.
 *   <li>list reports the list's resourceVersion; watch asks for bookmarks and turns 410 Gone into
 *       {@link WatchEvent.ResyncNeeded} ({@link KubeWatch}).
 * </ul>
 *
 * <p>Requests go through fabric8's HTTP client (the JDK one), which carries the kubeconfig's or the
 * service account's credentials; watches use fabric8's watch, which reconnects with backoff.
 */
public final class KubernetesDatastore
    implements Datastore, LeaseSource, StatusRecorder.Source, DerivedKinds, ClusterNodes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final HttpClient http;
  private final String base;
  private final String address;
  private final Pager pager;
  private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
  private final MergedWatch.Marks listingMarks = new MergedWatch.Marks();
  // Plurals of readableLater collections RBAC refused, each warned about once.
  private final Set<String> forbidden = ConcurrentHashMap.newKeySet();
  private static final System.Logger WARNINGS = System.getLogger("netctl.kube");
  // Pods, Namespaces and NetworkPolicies seen as WorkloadEndpoints, Profiles and policies.
  private final CoreView core;
  private volatile boolean closed;

  /** A store on the API server {@code client} talks to; closing the store closes the client. */
  public KubernetesDatastore(KubernetesClient client) {
    this(client, Pager.PAGE);
  }

  /** As above, listing {@code pageSize} objects a request (tests page small lists). */
  KubernetesDatastore(KubernetesClient client, int pageSize) {
    this.client = client;
    this.pager = new Pager(this, pageSize);
    this.http = client.getHttpClient();
    String url = client.getMasterUrl().toString();
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.address = "kubernetes " + base;
    this.core = new CoreView(this);
  }

  /**
   * The Kubernetes backend under {@code store} (as opened, behind its wrappers).
   *
   * @throws IllegalArgumentException when {@code store} is not on Kubernetes
   */
  public static KubernetesDatastore of(Datastore store) {
    return store
        .capability(KubernetesDatastore.class)
        .orElseThrow(() -> new IllegalArgumentException(store.address() + " is not on Kubernetes"));
  }

  /**
   * The kinds this backend derives from Kubernetes' own objects instead of storing them
   * (WorkloadEndpoint from Pods, Profile from Namespaces, KubernetesNetworkPolicy from
   * NetworkPolicies): a copy of another store's objects of these kinds cannot be written here.
   */
  @Override
  public Set<String> derivedKinds() {
    Set<String> out = new java.util.TreeSet<>();
    for (CoreKinds.Source s : CoreKinds.all()) out.add(s.kind());
    return out;
  }

  /** Every capability is an interface this class implements. */
  @Override
  public <T> Optional<T> capability(Class<T> type) {
    return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
  }

  /** The {@code v1} Nodes: on Kubernetes they say which nodes are alive. */
  @Override
  public Set<String> nodeNames() {
    return new KubernetesObjects(this).nodeNames();
  }

  @Override
  public boolean nodeExists(String name) {
    return new KubernetesObjects(this).nodeExists(name);
  }

  /** Reads whole collections in pages. */
  Pager pager() {
    return pager;
  }

  /** The client, for the parts of netctl that read Kubernetes' own objects beside the store. */
  public KubernetesClient client() {
    return client;
  }

  /**
   * Connects with {@code kubeconfig}, or when null the way kubectl would: {@code $KUBECONFIG},
   * {@code ~/.kube/config}, else the in-cluster service account.
   *
   * @throws IllegalArgumentException when the kubeconfig file cannot be read
   */
  public static KubernetesDatastore connect(Path kubeconfig) {
    Config config;
    if (kubeconfig == null) {
      config = Config.autoConfigure(null);
    } else {
      try {
        config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "kubeconfig " + kubeconfig + " cannot be read: " + e.getMessage(), e);
      }
    }
    return connect(config);
  }

  /** A store on the API server of {@code config}, with the watch backoff netctl wants. */
  public static KubernetesDatastore connect(Config config) {
    // Watches reconnect from 200 ms, doubling up to fabric8's cap, for ever: callers see no gap.
    config.setWatchReconnectInterval(200);
    config.setWatchReconnectLimit(-1);
    // A request to an unreachable server fails within a second (fabric8 would retry ten times,
    // for about 20 s): callers see Unavailable soon and decide themselves whether to retry.
    config.setRequestRetryBackoffLimit(2);
    config.setRequestRetryBackoffInterval(100);
    return new KubernetesDatastore(new KubernetesClientBuilder().withConfig(config).build());
  }

  @Override
  public CompletableFuture<Optional<Entry>> get(Key key) {
    if (CoreKinds.source(key.kind()).isPresent()) return core.get(key);
    String path;
    try {
      path = objectPath(key);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(Optional.empty()); // no object can hold that key
    }
    return call("GET", path, null)
        .thenApply(
            r ->
                switch (r.code()) {
                  case 200 -> Optional.of(entry(key.kind(), r.body()));
                  case 404 -> Optional.<Entry>empty();
                  default -> throw unexpected("get " + key, r);
                });
  }

  @Override
  public CompletableFuture<Listing> list(String kind, String namePrefix) {
    List<CoreKinds.Source> sources = CoreKinds.sources(kind);
    if (sources.size() > 1) return listAll(kind, namePrefix, sources);
    return list(
        kind, namePrefix, sources.isEmpty() ? Optional.empty() : Optional.of(sources.get(0)));
  }

  /**
   * A kind derived from several collections (Profiles: Namespaces and ServiceAccounts): each listed
   * in turn, the entries merged. The listing's revision is the oldest of theirs, so a watch from it
   * by any reader misses nothing either collection changed after its own list; the revision of each
   * is kept ({@link MergedWatch.Marks}) so that a watch from this listing starts each collection
   * where it was listed and replays nothing the listing already holds.
   *
   * <p>A collection RBAC does not let us read that is only an upgrade away ({@link #readableLater}:
   * ServiceAccounts, granted by a newer deploy/cluster) is left out with one warning instead of
   * failing the listing: namespace Profiles keep working.
   */
  private CompletableFuture<Listing> listAll(
      String kind, String namePrefix, List<CoreKinds.Source> sources) {
    CompletableFuture<List<Listing>> all = CompletableFuture.completedFuture(new ArrayList<>());
    for (CoreKinds.Source s : sources) {
      all =
          all.thenCompose(
              done ->
                  list(kind, namePrefix, Optional.of(s))
                      .handle(
                          (l, e) -> {
                            if (e == null) {
                              if (readableLater(s)) forbidden.remove(s.plural());
                              done.add(l);
                              return done;
                            }
                            if (!isForbidden(e) || !readableLater(s)) {
                              throw e instanceof CompletionException c
                                  ? c
                                  : new CompletionException(e);
                            }
                            warnForbidden(s);
                            done.add(null);
                            return done;
                          }));
    }
    return all.thenApply(
        parts -> {
          List<Entry> entries = new ArrayList<>();
          long revision = Long.MAX_VALUE;
          for (Listing p : parts) {
            if (p == null) continue;
            entries.addAll(p.entries());
            revision = Math.min(revision, p.revision());
          }
          long[] marks = new long[parts.size()];
          for (int i = 0; i < marks.length; i++) {
            marks[i] =
                parts.get(i) == null ? MergedWatch.Marks.UNREADABLE : parts.get(i).revision();
          }
          listingMarks.put(revision, marks);
          entries.sort(Comparator.comparing(e -> e.key().name()));
          return new Listing(entries, revision);
        });
  }

  /**
   * Whether a refused read of {@code s} is left out rather than failed: ServiceAccounts, which the
   * node agent's role grants only since ServiceAccount Profiles came; a cluster upgraded without
   * reapplying deploy/cluster still refuses them.
   */
  static boolean readableLater(CoreKinds.Source s) {
    return s.equals(CoreKinds.SERVICE_ACCOUNTS);
  }

  private static boolean isForbidden(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof Forbidden) return true;
    return false;
  }

  /** Marks an {@code Unavailable} that RBAC caused (HTTP 403), as its cause. */
  private static final class Forbidden extends RuntimeException {
    Forbidden() {
      super("HTTP 403 Forbidden", null, false, false);
    }
  }

  /** One warning per loss of access (said again only after a read succeeded in between). */
  void warnForbidden(CoreKinds.Source s) {
    if (!forbidden.add(s.plural())) return;
    WARNINGS.log(
        System.Logger.Level.WARNING,
        "no read access to "
            + s.plural()
            + " on "
            + address
            + " (HTTP 403 Forbidden): "
            + s.objectKind()
            + " Profiles (ksa.<namespace>.<name>) are left out, so serviceAccountSelector and"
            + " serviceAccounts.selector match no pod; namespace Profiles are unaffected. Grant"
            + " get/list/watch on "
            + s.plural()
            + " with: kubectl apply -k deploy/cluster");
  }

  private CompletableFuture<Listing> list(
      String kind, String namePrefix, Optional<CoreKinds.Source> source) {
    String path = source.map(CoreKinds.Source::collectionPath).orElse(StoredKinds.path(kind));
    Function<JsonNode, Optional<Entry>> item =
        source.isPresent()
            ? obj -> CoreKinds.entry(source.get(), obj, address)
            // Items of a list carry no kind: the CRD's is implied.
            : obj -> Optional.of(ObjectMapping.toEntry(kind, obj, address));
    return pager
        .list(
            path,
            "list " + kind,
            // a 404 on a custom resource's collection: its CRD is not installed
            r ->
                r.code() == 404 && source.isEmpty()
                    ? crdMissing(kind)
                    : r.code() == 403
                        ? unavailable(
                            "list " + kind + ": HTTP 403 " + r.body().path("message").asText(""),
                            new Forbidden())
                        : unexpected("list " + kind, r))
        .thenApply(
            all -> {
              long revision = ObjectMapping.listRevision(all.resourceVersion(), address);
              List<Entry> matching =
                  all.items().stream()
                      .map(item)
                      .flatMap(Optional::stream)
                      .filter(e -> e.key().name().startsWith(namePrefix))
                      .sorted(Comparator.comparing(e -> e.key().name()))
                      .toList();
              return new Listing(matching, revision);
            });
  }

  @Override
  public CompletableFuture<Entry> create(Key key, byte[] value) {
    if (CoreKinds.source(key.kind()).isPresent()) return core.write(key, value, 0);
    ObjectNode obj;
    String collection;
    try {
      obj = ObjectMapping.toObject(key, value, 0);
      collection = CrdObject.of(key).collectionPath(key.kind());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    return call("POST", collection, obj)
        .thenApply(
            r ->
                switch (r.code()) {
                  case 200, 201 -> entry(key.kind(), r.body());
                  case 409 -> throw new DatastoreException.AlreadyExists(key);
                  // a namespaced object's namespace must exist (NamespaceLifecycle admission)
                  case 404 ->
                      throw isMissingNamespace(r) ? namespaceMissing(r) : crdMissing(key.kind());
                  default -> throw unexpected("create " + key, r);
                });
  }

  @Override
  public CompletableFuture<Entry> update(Key key, byte[] value, long expectedRevision) {
    if (CoreKinds.source(key.kind()).isPresent()) {
      return core.write(key, value, Math.max(expectedRevision, 1));
    }
    ObjectNode obj;
    String path;
    try {
      obj = ObjectMapping.toObject(key, value, Math.max(expectedRevision, 1));
      path = objectPath(key);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    return call("PUT", path, obj)
        .thenCompose(
            r ->
                switch (r.code()) {
                  case 200, 201 -> CompletableFuture.completedFuture(entry(key.kind(), r.body()));
                  case 404 -> throw new DatastoreException.NotFound(key);
                  case 409 -> conflict(key, expectedRevision);
                  default -> throw unexpected("update " + key, r);
                });
  }

  @Override
  public CompletableFuture<Long> delete(Key key, long expectedRevision) {
    if (CoreKinds.source(key.kind()).isPresent()) return core.delete(key, expectedRevision);
    ObjectNode options = JSON.createObjectNode();
    options.put("apiVersion", "v1");
    options.put("kind", "DeleteOptions");
    options.putObject("preconditions").put("resourceVersion", Long.toString(expectedRevision));
    String path;
    try {
      path = objectPath(key);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new DatastoreException.NotFound(key));
    }
    return call("DELETE", path, options)
        .thenCompose(
            r ->
                switch (r.code()) {
                  case 200, 202 -> deletionRevision(key, r.body());
                  case 404 -> throw new DatastoreException.NotFound(key);
                  case 409 -> this.<Long>conflict(key, expectedRevision);
                  default -> throw unexpected("delete " + key, r);
                });
  }

  /**
   * The revision of a delete. For a custom resource the API server answers with the deleted object
   * at the deletion's resourceVersion (etcd's delete revision). Should it answer with a Status
   * instead, the current list revision stands in: it is at least the deletion's, and above every
   * earlier write.
   */
  private CompletableFuture<Long> deletionRevision(Key key, JsonNode body) {
    if (!"Status".equals(body.path("kind").asText())) {
      return CompletableFuture.completedFuture(
          ObjectMapping.revision(body.path("metadata").path("resourceVersion").asText(), address));
    }
    return call("GET", StoredKinds.path(key.kind()) + "?limit=1", null)
        .thenApply(
            r ->
                ObjectMapping.listRevision(
                    r.body().path("metadata").path("resourceVersion").asText(), address));
  }

  private <T> CompletableFuture<T> conflict(Key key, long expectedRevision) {
    return get(key)
        .thenApply(
            current -> {
              throw new DatastoreException.Conflict(key, expectedRevision, current.orElse(null));
            });
  }

  @Override
  public CompletableFuture<List<Long>> commit(List<Write> writes) {
    Write.checkCommit(writes, maxOpsPerCommit(), address);
    CompletableFuture<Long> rev =
        switch (writes.getFirst()) {
          case Write.Create c -> create(c.key(), c.value()).thenApply(Entry::revision);
          case Write.Update u ->
              update(u.key(), u.value(), u.expectedRevision()).thenApply(Entry::revision);
          case Write.Delete d -> delete(d.key(), d.expectedRevision());
        };
    return rev.thenApply(List::of);
  }

  /** 1: the API server writes one object per request and has no multi-object transaction. */
  @Override
  public int maxOpsPerCommit() {
    return 1;
  }

  @Override
  public Watch watch(String kind, long afterRevision, Consumer<WatchEvent> listener) {
    List<CoreKinds.Source> derived = CoreKinds.sources(kind);
    if (derived.size() > 1) return mergedWatch(kind, derived, afterRevision, listener);
    KubeWatch.Source source =
        derived.isEmpty()
            ? KubeWatch.crd(kind, address)
            : CoreView.watchSource(derived.getFirst(), address);
    return watch(source, afterRevision, listener);
  }

  /**
   * One stream over the collections of a derived kind ({@link MergedWatch}): from a listing of this
   * store each collection is watched from where it was listed (one RBAC refused is watched from the
   * listing's revision and ends the stream once it is readable, so the reader lists again);
   * otherwise all from {@code afterRevision}.
   */
  private Watch mergedWatch(
      String kind,
      List<CoreKinds.Source> sources,
      long afterRevision,
      Consumer<WatchEvent> listener) {
    long[] marks = listingMarks.get(afterRevision);
    long[] starts = new long[sources.size()];
    for (int i = 0; i < starts.length; i++) {
      starts[i] =
          marks == null || marks[i] == MergedWatch.Marks.UNREADABLE ? afterRevision : marks[i];
    }
    // The stream can end (and run onEnd) before the constructor returns: then it is not added, or
    // taken out again, rather than kept in watches until the store closes.
    java.util.concurrent.atomic.AtomicReference<MergedWatch> self =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean gone =
        new java.util.concurrent.atomic.AtomicBoolean();
    MergedWatch merged =
        new MergedWatch(
            kind,
            address,
            starts,
            listener,
            (i, part) ->
                watch(
                    CoreView.watchSource(sources.get(i), address),
                    starts[i],
                    part,
                    marks != null && marks[i] == MergedWatch.Marks.UNREADABLE),
            () -> {
              gone.set(true);
              MergedWatch m = self.get();
              if (m != null) watches.remove(m);
            });
    self.set(merged);
    watches.add(merged);
    if (gone.get()) watches.remove(merged);
    if (closed) merged.close();
    return merged;
  }

  private Watch watch(KubeWatch.Source source, long afterRevision, Consumer<WatchEvent> listener) {
    return watch(source, afterRevision, listener, false);
  }

  private Watch watch(
      KubeWatch.Source source,
      long afterRevision,
      Consumer<WatchEvent> listener,
      boolean resyncWhenReadable) {
    KubeWatch w =
        new KubeWatch(
            client, source, afterRevision, listener, address, watches::remove, resyncWhenReadable);
    watches.add(w);
    if (closed) {
      w.close();
    } else {
      w.start();
    }
    return w;
  }

  /**
   * Leader leases are {@code coordination.k8s.io} Leases in the client's namespace (in a pod: its
   * own, from the service account; else the kubeconfig context's, else {@code default}).
   */
  @Override
  public LeaseStore leaseStore(Duration timeout) {
    String ns = client.getNamespace() == null ? "default" : client.getNamespace();
    return new KubeLeaseStore(client, ns, address, timeout);
  }

  /** Conditions in the status subresource, refusals also as Events ({@link KubeStatusRecorder}). */
  @Override
  public StatusRecorder statusRecorder(String component) {
    return new KubeStatusRecorder(
        client,
        component,
        m -> System.getLogger("netctl.kube").log(System.Logger.Level.WARNING, m));
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public void close() {
    closed = true;
    for (Watch w : List.copyOf(watches)) w.close();
    client.close();
  }

  // --- HTTP ------------------------------------------------------------------------------------

  /** A response: status code and parsed JSON body (an empty object when there is none). */
  record Response(int code, JsonNode body) {}

  CompletableFuture<Response> call(String method, String path, JsonNode body) {
    return call(method, path, body, "application/merge-patch+json");
  }

  /**
   * A request; a PATCH body is of {@code patchType} (a JSON merge patch above; a strategic merge
   * patch where a list must be merged by key, such as a Node's conditions).
   */
  CompletableFuture<Response> call(String method, String path, JsonNode body, String patchType) {
    if (closed) return CompletableFuture.failedFuture(unavailable("the store is closed", null));
    HttpRequest.Builder b = http.newHttpRequestBuilder().uri(base + path);
    String text = body == null ? null : body.toString();
    switch (method) {
      case "GET" -> {}
      case "POST" -> b.post("application/json", text);
      case "PUT" -> b.put("application/json", text);
      case "DELETE" -> b.delete("application/json", text);
      case "PATCH" -> b.patch(patchType, text);
      default -> throw new IllegalArgumentException(method);
    }
    CompletableFuture<Response> out = new CompletableFuture<>();
    http.sendAsync(b.build(), byte[].class)
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                out.completeExceptionally(
                    unavailable(
                        method + " " + path + " failed: " + rootMessage(e),
                        e instanceof CompletionException ? e.getCause() : e));
                return;
              }
              try {
                byte[] bytes = r.body();
                JsonNode json =
                    bytes == null || bytes.length == 0
                        ? JSON.createObjectNode()
                        : JSON.readTree(bytes);
                out.complete(new Response(r.code(), json));
              } catch (IOException | RuntimeException ex) {
                out.completeExceptionally(
                    unavailable(
                        method + " " + path + ": HTTP " + r.code() + " with an unreadable body",
                        ex));
              }
            });
    return out;
  }

  private Entry entry(String kind, JsonNode obj) {
    return ObjectMapping.toEntry(kind, obj, address);
  }

  private static String objectPath(Key key) {
    return CrdObject.of(key).path(key.kind());
  }

  DatastoreException unavailable(String message, Throwable cause) {
    return new DatastoreException.Unavailable(address, message, cause);
  }

  private static boolean isMissingNamespace(Response r) {
    return "namespaces".equals(r.body().path("details").path("kind").asText());
  }

  /** {@code Namespace "x" not found}: the namespace a namespaced object was written to. */
  private static DatastoreException namespaceMissing(Response r) {
    return new DatastoreException.NotFound(
        new Key("Namespace", r.body().path("details").path("name").asText()));
  }

  private DatastoreException crdMissing(String kind) {
    return new DatastoreException.Unavailable(
        address,
        "no resource "
            + StoredKinds.plural(kind)
            + "."
            + StoredKinds.GROUP
            + " (HTTP 404): is the CRD for kind "
            + kind
            + " installed? kubectl apply -k deploy/crds",
        null,
        kind);
  }

  DatastoreException unexpected(String what, Response r) {
    String message = r.body().path("message").asText("");
    return unavailable(
        what + ": HTTP " + r.code() + (message.isEmpty() ? "" : " " + message), null);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
