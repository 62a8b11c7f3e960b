package dev.netctl.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * fabric8's CRUD mock server, plus the API-server behaviour the mock does not have and the backend
 * relies on. No kube-apiserver installs on these machines, so each addition below copies what the
 * real one documents, and {@code docs/kubernetes.md} lists them as what the mock cannot prove:
 *
 * <ul>
 *   <li>DELETE honours {@code preconditions.resourceVersion} (409 when stale) and gives the
 *       deletion a new resourceVersion, carried by the response and the DELETED event (etcd's
 *       delete revision). The mock ignores the body and reuses the object's last version.
 *   <li>A watch from a resourceVersion replays the history after it (the watch cache); one older
 *       than the kept history gets an ERROR event with 410 Gone; {@code allowWatchBookmarks} gets a
 *       BOOKMARK after the replay. The mock starts every watch from "now" with synthetic ADDEDs.
 *   <li>{@link #compact} drops history, as etcd compaction does.
 *   <li>{@code v1} Nodes and netctl's Nodes ({@code netctl.dev/v1}, also plural {@code nodes}) are
 *       two collections; the mock, which ignores a core path's missing group, mixes them.
 *   <li>A create or update of a netctl custom resource is pruned by its CRD's structural schema
 *       ({@link StructuralPruning}): undeclared fields are dropped. The mock stores any field.
 *   <li>A list with {@code limit} is served in pages sorted by namespace and name, with a {@code
 *       continue} token; a continued page whose snapshot was compacted ({@link #compact}), or one
 *       {@link #expireContinueTokens} names, answers 410 Gone as the API server does for a continue
 *       token that is too old. The mock ignores {@code limit} and returns everything.
 *   <li>A strategic merge patch of an object's {@code status.conditions} merges them by {@code
 *       type}, as the API server does for Node and Pod conditions (their patch merge key); the mock
 *       refuses the patch type (415). Only that list is merged so; the rest as a merge patch.
 *   <li>{@link #refuse} answers chosen paths with an error status (RBAC's 403, a 500).
 *   <li>A create of a netctl custom resource in a namespace that does not exist is refused with 404
 *       {@code namespaces "x" not found} (the API server's NamespaceLifecycle admission).
 * </ul>
 *
 * Every request is recorded (method, path) so tests can check the API calls against RBAC.
 */
final class ApiServerLike extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final StructuralPruning PRUNING = StructuralPruning.ofDeployedCrds();

  /** One change: the resourceVersion, the event type and the object (at that version). */
  private record Change(long rv, String type, String path, String json) {}

  private final List<Change> history = new ArrayList<>();
  private final Set<Watching> watching = ConcurrentHashMap.newKeySet();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String[]> userAgents = new CopyOnWriteArrayList<>();
  private long compactedThrough;
  private KubernetesMockServer server;

  /** Starts a server with this dispatcher on a free loopback port. */
  static ApiServerLike start() {
    return startOn(0);
  }

  /** Starts a server on {@code port} of 127.0.0.1 (0: a free one). */
  static ApiServerLike startOn(int port) {
    ApiServerLike d = new ApiServerLike();
    d.server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            new HashMap<>(),
            d,
            false);
    d.server.init(java.net.InetAddress.getLoopbackAddress(), port);
    return d;
  }

  /** A client config for this server (plain HTTP on loopback). */
  Config config() {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl("http://127.0.0.1:" + server.getPort() + "/")
        .withRequestTimeout(10_000)
        // as fabric8's own mock clients: the mock cannot upgrade an h2c connection to a websocket
        .withHttp2Disable(true)
        .withConnectionTimeout(5_000)
        .build();
  }

  private final List<String> patchTypes = new CopyOnWriteArrayList<>();

  /**
   * A client that acts as kubectl or the cluster would (creating Pods, Nodes, ...): its requests
   * carry {@link KubernetesDerivedKindsTest#TEST_CLIENT} as User-Agent, so {@link #grants} leaves
   * them out of the backend's calls. The caller closes it.
   */
  io.fabric8.kubernetes.client.KubernetesClient kubectl() {
    Config c = config();
    c.setUserAgent(KubernetesDerivedKindsTest.TEST_CLIENT);
    return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(c).build();
  }

  /** "path content-type" of every PATCH so far. */
  List<String> patchTypes() {
    return List.copyOf(patchTypes);
  }

  /** "METHOD path" of every request so far. */
  List<String> requests() {
    return List.copyOf(requests);
  }

  /**
   * The RBAC permission each request so far needed, but those sent with User-Agent {@code
   * exceptUserAgent}: (group, resource, verb), a namespaced object's resource being its plural.
   */
  Set<ApiAccess.Grant> grants(String exceptUserAgent) {
    Set<ApiAccess.Grant> out = new java.util.HashSet<>();
    for (String[] ua : userAgents) {
      if (ua[0].equals(exceptUserAgent)) continue;
      String r = ua[1];
      String method = r.substring(0, r.indexOf(' '));
      URI uri = URI.create(r.substring(r.indexOf(' ') + 1));
      String[] parts = uri.getPath().split("/");
      boolean core = parts[1].equals("api");
      String group = core ? "" : parts[2];
      int restAt = core ? 3 : 4;
      int plural =
          parts[restAt].equals("namespaces") && parts.length > restAt + 2 ? restAt + 2 : restAt;
      boolean collection = parts.length == plural + 1;
      boolean watch = uri.getRawQuery() != null && uri.getRawQuery().contains("watch=true");
      // an object's subresource (nodes/status) is a resource of its own to RBAC
      String resource =
          parts.length == plural + 3 ? parts[plural] + "/" + parts[plural + 2] : parts[plural];
      out.add(new ApiAccess.Grant(group, resource, ApiAccess.verb(method, collection, watch)));
    }
    return out;
  }

  void stop() {
    dropWatches();
    server.destroy();
  }

  /**
   * Stops the server and starts another on the same port with the same objects and history, as an
   * API server restart looks to clients: connections drop, requests fail until it is back.
   */
  void restart() {
    int port = server.getPort();
    stop();
    sleepMs(300);
    server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            new HashMap<>(),
            this,
            false);
    server.init(java.net.InetAddress.getLoopbackAddress(), port);
  }

  /** Closes every open watch, as a load balancer or an API server going away does. */
  void dropWatches() {
    for (Watching w : watching) {
      if (w.socket != null) w.socket.close(1001, "server going away");
    }
    watching.clear();
  }

  private static void sleepMs(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Forgets history through {@code rv}: a watch from before it gets 410 Gone. */
  synchronized void compact(long rv) {
    compactedThrough = Math.max(compactedThrough, rv);
    history.removeIf(c -> c.rv <= rv);
  }

  private final Map<String, Integer> refusals = new ConcurrentHashMap<>();

  // The mock matches a request to every stored object whose attributes include the request's, and
  // a core path has no API group: /api/v1/nodes/x would find netctl's Node x (netctl.dev/v1
  // nodes) too. The API server keeps them apart; so does this dispatcher, by filing v1 Nodes
  // under a group of their own.
  private static final String CORE_NODES = "/api/v1/nodes";
  private static final String SEPARATE_NODES = "/apis/core.nodes.test/v1/nodes";

  /**
   * Answers every request whose path starts with {@code pathPrefix} with a {@code Status} of HTTP
   * {@code code}, as an API server does for a request RBAC forbids (403) or one it fails (500),
   * until {@link #stopRefusing}.
   */
  void refuse(String pathPrefix, int code) {
    refusals.put(pathPrefix, code);
  }

  void stopRefusing() {
    refusals.clear();
  }

  private final Map<String, Runnable> hooks = new ConcurrentHashMap<>();

  /**
   * Runs {@code hook} once, on the server's thread, before the first GET whose path starts with
   * {@code pathPrefix} is answered: a change made there lands between two requests of a client,
   * with no timing. The hook writes through {@link #write}, not a client (a client's request would
   * wait for the thread it runs on).
   */
  void beforeFirstGet(String pathPrefix, Runnable hook) {
    hooks.put(pathPrefix, hook);
  }

  /**
   * A write answered as if a client sent it (User-Agent {@link
   * KubernetesDerivedKindsTest#TEST_CLIENT}, so {@link #grants} leaves it out); the response's
   * code.
   */
  int write(io.fabric8.mockwebserver.dsl.HttpMethod method, String path, String json) {
    var headers =
        io.fabric8.mockwebserver.http.Headers.builder()
            .add(
                "Content-Type",
                method == io.fabric8.mockwebserver.dsl.HttpMethod.PATCH
                    ? "application/merge-patch+json"
                    : "application/json")
            .add("User-Agent", KubernetesDerivedKindsTest.TEST_CLIENT)
            .build();
    return dispatch(
            new RecordedRequest(
                "HTTP/1.1",
                method,
                path,
                headers,
                new io.fabric8.mockwebserver.http.Buffer(
                    json.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        .code();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if (request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.GET) {
      for (var h : hooks.entrySet()) {
        if (request.getPath().startsWith(h.getKey()) && hooks.remove(h.getKey()) != null) {
          h.getValue().run();
        }
      }
    }
    requests.add(request.getMethod() + " " + request.getPath());
    String ua = request.getHeader("User-Agent");
    userAgents.add(
        new String[] {ua == null ? "" : ua, request.getMethod() + " " + request.getPath()});
    String path = request.getPath();
    if (request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.PATCH) {
      patchTypes.add(path + " " + request.getHeader("Content-Type"));
    }
    for (var r : refusals.entrySet()) {
      if (path.startsWith(r.getKey())) {
        return status(r.getValue(), "Refused", "refused by the test: " + path);
      }
    }
    if (path.startsWith(CORE_NODES)) {
      path = SEPARATE_NODES + path.substring(CORE_NODES.length());
      request =
          new RecordedRequest(
              request.getHttpVersion(),
              request.method(),
              path,
              request.getHeaders(),
              request.getBody());
    }
    request = pruned(request, path);
    request = strategicMerged(request, path);
    MockResponse response;
    synchronized (this) {
      MockResponse noNamespace = missingNamespace(request, path);
      response =
          noNamespace != null
              ? noNamespace
              : switch (request.method()) {
                case DELETE -> delete(path, request.getUtf8Body());
                case GET -> isWatch(path) ? watch(path) : paged(request, path);
                default -> super.dispatch(request);
              };
    }
    answers.add(request.getMethod() + " " + request.getPath() + " " + response.code());
    return response;
  }

  private final List<String> answers = new CopyOnWriteArrayList<>();

  /**
   * A create of a netctl custom resource in a namespace that does not exist, answered as the API
   * server's NamespaceLifecycle admission does: 404 with {@code details.kind} {@code namespaces}.
   * The mock creates objects in any namespace.
   */
  private MockResponse missingNamespace(RecordedRequest request, String path) {
    String prefix = "/apis/" + StoredKinds.GROUP + "/" + StoredKinds.VERSION + "/namespaces/";
    if (request.method() != io.fabric8.mockwebserver.dsl.HttpMethod.POST
        || !path.startsWith(prefix)) {
      return null;
    }
    String ns = path.substring(prefix.length()).split("/", 2)[0];
    if (super.handleGet("/api/v1/namespaces/" + ns).code() != 404) return null;
    ObjectNode s = statusNode(404, "NotFound", "namespaces \"" + ns + "\" not found");
    s.putObject("details").put("name", ns).put("kind", "namespaces");
    return new MockResponse().setResponseCode(404).setBody(s.toString());
  }

  /** "METHOD path code" of every request answered so far. */
  List<String> answers() {
    return List.copyOf(answers);
  }

  // --- paged lists ---------------------------------------------------------------------------

  private int continuesToExpire;

  /** The next {@code n} continued pages answer 410 Gone, as after their snapshot was compacted. */
  synchronized void expireContinueTokens(int n) {
    continuesToExpire = n;
  }

  /**
   * A GET as the mock answers it, but a list with {@code limit} cut into pages: items sorted by
   * namespace and name (the API server's key order), {@code metadata.continue} the snapshot's
   * resourceVersion and the next offset. The pages come from the current objects, not from the
   * snapshot (the mock keeps no old versions): a test that pages must not write meanwhile.
   */
  private MockResponse paged(RecordedRequest request, String path) {
    Map<String, String> q = query(path);
    if (!q.containsKey("limit")) return super.dispatch(request);
    int limit = Integer.parseInt(q.get("limit"));
    String token = q.get("continue");
    long snapshot = -1;
    int offset = 0;
    if (token != null) {
      String[] t =
          new String(java.util.Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8)
              .split(":");
      snapshot = Long.parseLong(t[0]);
      offset = Integer.parseInt(t[1]);
      if (snapshot <= compactedThrough || continuesToExpire > 0) {
        continuesToExpire = Math.max(0, continuesToExpire - 1);
        return status(
            410,
            "Expired",
            "The provided continue parameter is too old to display a consistent list result.");
      }
    }
    MockResponse all = super.dispatch(request);
    if (all.code() != 200) return all;
    try {
      ObjectNode list = (ObjectNode) JSON.readTree(all.getBody().readUtf8());
      if (!list.path("items").isArray()) return all;
      List<JsonNode> items = new ArrayList<>();
      list.path("items").forEach(items::add);
      items.sort(
          java.util.Comparator.comparing(
                  (JsonNode i) -> i.path("metadata").path("namespace").asText(""))
              .thenComparing(i -> i.path("metadata").path("name").asText("")));
      ObjectNode meta = list.with("metadata");
      if (snapshot < 0) snapshot = Long.parseLong(meta.path("resourceVersion").asText("0"));
      meta.put("resourceVersion", Long.toString(snapshot));
      int end = Math.min(items.size(), offset + limit);
      var page = list.putArray("items");
      items.subList(Math.min(offset, end), end).forEach(page::add);
      if (end < items.size()) {
        meta.put(
            "continue",
            java.util.Base64.getUrlEncoder()
                .encodeToString((snapshot + ":" + end).getBytes(StandardCharsets.UTF_8)));
      } else {
        meta.remove("continue");
      }
      return new MockResponse().setResponseCode(200).setBody(list.toString());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- strategic merge patch -------------------------------------------------------------------

  private static final String STRATEGIC = "application/strategic-merge-patch+json";

  /**
   * A strategic merge patch of an object's status turned into a JSON patch the mock takes (its
   * merge patch appends to lists): the status as it is, with the patch's fields set and its {@code
   * conditions} merged by {@code type} (a condition the patch names replaces the one of that type;
   * the others stay). Only the status is handled so: a strategic merge patch of anything else is
   * answered as the mock does.
   */
  private RecordedRequest strategicMerged(RecordedRequest request, String path) {
    String type = request.getHeader("Content-Type");
    if (type == null || !type.startsWith(STRATEGIC) || !path.endsWith("/status")) return request;
    try {
      ObjectNode patch = (ObjectNode) JSON.readTree(request.getUtf8Body());
      MockResponse current;
      synchronized (this) {
        current = super.handleGet(path.substring(0, path.length() - "/status".length()));
      }
      ObjectNode status = JSON.createObjectNode();
      if (current.code() == 200) {
        JsonNode now = JSON.readTree(current.getBody().readUtf8()).path("status");
        if (now instanceof ObjectNode o) status = o;
      }
      Map<String, JsonNode> byType = new java.util.LinkedHashMap<>();
      for (JsonNode c : status.path("conditions")) byType.put(c.path("type").asText(), c);
      for (var f : patch.path("status").properties()) {
        if (f.getKey().equals("conditions")) {
          for (JsonNode c : f.getValue()) byType.put(c.path("type").asText(), c);
        } else {
          status.set(f.getKey(), f.getValue());
        }
      }
      var merged = status.putArray("conditions");
      byType.values().forEach(merged::add);
      var ops = JSON.createArrayNode();
      ops.addObject().put("op", "add").put("path", "/status").set("value", status);
      io.fabric8.mockwebserver.http.Headers headers =
          request
              .getHeaders()
              .newBuilder()
              .set("Content-Type", "application/json-patch+json")
              .build();
      return new RecordedRequest(
          request.getHttpVersion(),
          request.method(),
          request.getPath(),
          headers,
          new io.fabric8.mockwebserver.http.Buffer(JSON.writeValueAsBytes(ops)));
    } catch (java.io.IOException e) {
      return request;
    }
  }

  // --- pruning -------------------------------------------------------------------------------

  /**
   * A create or update of a netctl custom resource with the body pruned by its CRD's schema, as the
   * API server stores it; anything else as it came.
   */
  private RecordedRequest pruned(RecordedRequest request, String path) {
    boolean write =
        request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.POST
            || request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.PUT;
    String prefix = "/apis/" + StoredKinds.GROUP + "/" + StoredKinds.VERSION + "/";
    if (!write || !path.startsWith(prefix)) return request;
    String[] rest = path.substring(prefix.length()).split("[/?]");
    // a namespaced custom resource: namespaces/<ns>/<plural>...
    String plural = rest[0].equals("namespaces") && rest.length > 2 ? rest[2] : rest[0];
    if (!PRUNING.knows(plural)) return request;
    try {
      JsonNode body = JSON.readTree(request.getUtf8Body());
      if (!(body instanceof ObjectNode object)) return request;
      PRUNING.prune(plural, object);
      return new RecordedRequest(
          request.getHttpVersion(),
          request.method(),
          request.getPath(),
          request.getHeaders(),
          new io.fabric8.mockwebserver.http.Buffer(JSON.writeValueAsBytes(object)));
    } catch (java.io.IOException e) {
      return request; // not JSON: the dispatcher answers it as the mock does
    }
  }

  // --- delete ----------------------------------------------------------------------------------

  private MockResponse delete(String path, String body) {
    MockResponse current = super.handleGet(path);
    if (current.code() != 404) {
      String precondition = precondition(body);
      String stored = current.getBody().readUtf8();
      String storedRv = resourceVersion(stored);
      if (precondition != null && !precondition.equals(storedRv)) {
        return status(
            409, "Conflict", "the object has been modified: precondition " + precondition);
      }
    } else {
      return status(404, "NotFound", "not found");
    }
    lastDeleted = null;
    super.handleDelete(path);
    return new MockResponse().setResponseCode(200).setBody(lastDeleted);
  }

  private String lastDeleted;

  @Override
  public void processEvent(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState) {
    String existing = oldAttributes == null ? null : getMap().get(oldAttributes);
    super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
    String collection = collectionOf(path);
    if (newState == null && existing != null) {
      // etcd gives a delete its own revision; the object in the event carries it.
      long rv = requestResourceVersion();
      String deleted = withResourceVersion(existing, rv);
      lastDeleted = deleted;
      record(new Change(rv, "DELETED", collection, deleted));
    } else if (newState != null && !newState.equals(existing)) {
      long rv = Long.parseLong(resourceVersion(newState));
      record(new Change(rv, existing == null ? "ADDED" : "MODIFIED", collection, newState));
    }
  }

  private void record(Change c) {
    history.add(c);
    for (Watching w : watching) {
      if (w.collection.equals(c.path)) w.send(c.type, c.json);
    }
  }

  // --- watch -----------------------------------------------------------------------------------

  private MockResponse watch(String path) {
    Map<String, String> query = query(path);
    long from = Long.parseLong(query.getOrDefault("resourceVersion", "0"));
    boolean bookmarks = "true".equals(query.get("allowWatchBookmarks"));
    Watching w = new Watching(collectionOf(path), from, bookmarks);
    return new MockResponse().withWebSocketUpgrade(w);
  }

  private final class Watching extends WebSocketListener {
    final String collection;
    final long from;
    final boolean bookmarks;
    WebSocket socket;

    Watching(String collection, long from, boolean bookmarks) {
      this.collection = collection;
      this.from = from;
      this.bookmarks = bookmarks;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      synchronized (ApiServerLike.this) {
        socket = webSocket;
        if (from > 0 && from < compactedThrough) {
          ObjectNode status = statusNode(410, "Expired", "too old resource version: " + from);
          send("ERROR", status.toString());
          return;
        }
        for (Change c : history) {
          if (c.rv > from && c.path.equals(collection)) send(c.type, c.json);
        }
        if (bookmarks) {
          ObjectNode bookmark = JSON.createObjectNode();
          bookmark.put("apiVersion", StoredKinds.API_VERSION);
          bookmark.put("kind", "Bookmark");
          bookmark
              .putObject("metadata")
              .put("resourceVersion", Long.toString(requestResourceVersionPeek()));
          send("BOOKMARK", bookmark.toString());
        }
        watching.add(this);
      }
    }

    void send(String type, String object) {
      socket.send("{\"type\":\"" + type + "\",\"object\":" + object + "}");
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      watching.remove(this);
      webSocket.close(code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      watching.remove(this);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable error, Response response) {
      watching.remove(this);
    }
  }

  /** The current resourceVersion without taking a new one. */
  private long requestResourceVersionPeek() {
    return history.isEmpty() ? compactedThrough : Math.max(history.getLast().rv, compactedThrough);
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static boolean isWatch(String path) {
    return "true".equals(query(path).get("watch"));
  }

  /**
   * The collection path of a request across namespaces, e.g. {@code /apis/netctl.dev/v1/ippools} or
   * {@code /api/v1/pods} for {@code /api/v1/namespaces/shop/pods/web-0}: a watch of the whole
   * collection sees every namespace's objects (a watch within one namespace sees them all too;
   * netctl makes none).
   */
  private static String collectionOf(String path) {
    String[] parts = URI.create(path).getPath().split("/");
    // "", "api", v1, rest... or "", "apis", group, version, rest...
    int restAt = parts.length > 1 && parts[1].equals("api") ? 3 : 4;
    if (parts.length <= restAt) return URI.create(path).getPath();
    String prefix = String.join("/", List.of(parts).subList(0, restAt));
    boolean inNamespace = parts[restAt].equals("namespaces") && parts.length > restAt + 2;
    return prefix + "/" + parts[inNamespace ? restAt + 2 : restAt];
  }

  private static Map<String, String> query(String path) {
    Map<String, String> out = new HashMap<>();
    String q = URI.create(path).getRawQuery();
    if (q == null) return out;
    for (String kv : q.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        out.put(
            URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static String precondition(String body) {
    if (body == null || body.isBlank()) return null;
    try {
      JsonNode rv = JSON.readTree(body).path("preconditions").path("resourceVersion");
      return rv.isMissingNode() || rv.isNull() ? null : rv.asText();
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static String resourceVersion(String json) {
    try {
      return JSON.readTree(json).path("metadata").path("resourceVersion").asText();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String withResourceVersion(String json, long rv) {
    try {
      ObjectNode o = (ObjectNode) JSON.readTree(json);
      ((ObjectNode) o.path("metadata")).put("resourceVersion", Long.toString(rv));
      return o.toString();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode statusNode(int code, String reason, String message) {
    ObjectNode s = JSON.createObjectNode();
    s.put("apiVersion", "v1");
    s.put("kind", "Status");
    s.put("status", "Failure");
    s.put("code", code);
    s.put("reason", reason);
    s.put("message", message);
    return s;
  }

  private static MockResponse status(int code, String reason, String message) {
    return new MockResponse()
        .setResponseCode(code)
        .setBody(statusNode(code, reason, message).toString());
  }
}
