package dev.netctl.kube;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.EventRecorder;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the backend does when the API server is away, or says what the CRUD mock cannot. */
@Timeout(60)
class KubernetesFaultsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void anUnreachableApiServerIsUnavailableNamingItsAddress() throws Exception {
    int port = freePort();
    try (KubernetesDatastore store = KubernetesDatastore.connect(config(port))) {
      ExecutionException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class,
              () -> store.get(new Key("IPPool", "p")).get(20, TimeUnit.SECONDS));
      assertThat(e.getCause())
          .isInstanceOf(DatastoreException.Unavailable.class)
          .hasMessageContaining("127.0.0.1:" + port);
      assertThat(((DatastoreException.Unavailable) e.getCause()).address())
          .isEqualTo("kubernetes http://127.0.0.1:" + port);
    }
  }

  @Test
  void aWatchStartedWhileTheApiServerIsDownConnectsWhenItComesUp() throws Exception {
    int port = freePort();
    try (KubernetesDatastore store = KubernetesDatastore.connect(config(port))) {
      EventRecorder rec = new EventRecorder();
      try (Watch w = store.watch("IPPool", 0, rec)) {
        Thread.sleep(500); // a few failed attempts, backing off
        ApiServerLike server = ApiServerLike.startOn(port);
        try {
          Entry e = retry(() -> store.create(new Key("IPPool", "p"), "{}".getBytes(UTF_8)));
          assertThat(rec.awaitRevision(e.revision(), WAIT))
              .containsExactly(new WatchEvent.Put(e, true));
        } finally {
          server.stop();
        }
      }
    }
  }

  @Test
  void aMissingCrdAndAForbiddenRequestAreUnavailableSayingWhy() throws Exception {
    KubernetesMockServer mock = new KubernetesMockServer(false);
    mock.init(java.net.InetAddress.getLoopbackAddress(), 0);
    try {
      mock.expect()
          .get()
          .withPath("/apis/netctl.dev/v1/ippools?limit=500")
          .andReturn(404, "{\"kind\":\"Status\",\"code\":404,\"reason\":\"NotFound\"}")
          .always();
      mock.expect()
          .post()
          .withPath("/apis/netctl.dev/v1/ipamblocks")
          .andReturn(
              403,
              "{\"kind\":\"Status\",\"code\":403,\"reason\":\"Forbidden\",\"message\":"
                  + "\"ipamblocks.netctl.dev is forbidden: User \\\"system:serviceaccount:x:y\\\""
                  + " cannot create resource\"}")
          .always();
      try (KubernetesDatastore store = KubernetesDatastore.connect(config(mock.getPort()))) {
        ExecutionException missing =
            org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class, () -> store.list("IPPool").get(20, TimeUnit.SECONDS));
        assertThat(missing.getCause())
            .isInstanceOf(DatastoreException.Unavailable.class)
            .hasMessageContaining("ippools.netctl.dev")
            .hasMessageContaining("is the CRD for kind IPPool installed");
        assertThat(((DatastoreException.Unavailable) missing.getCause()).missingKind())
            .contains("IPPool");
        ExecutionException forbidden =
            org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class,
                () ->
                    store
                        .create(new Key("IPAMBlock", "b"), "{}".getBytes(UTF_8))
                        .get(20, TimeUnit.SECONDS));
        assertThat(forbidden.getCause())
            .isInstanceOf(DatastoreException.Unavailable.class)
            .hasMessageContaining("HTTP 403")
            .hasMessageContaining("cannot create resource");
      }
    } finally {
      mock.destroy();
    }
  }

  /**
   * A running watch that loses its connection reconnects from the last resourceVersion it saw
   * (fabric8 does); when the history after it was compacted meanwhile, the API server answers 410
   * and the watch must end with ResyncNeeded: the writes made while it was away are not in any
   * event, so going on would lose them.
   */
  @Test
  void aWatchWhoseHistoryIsCompactedWhileItIsAwayEndsWithResyncNeededOnReconnect()
      throws Exception {
    ApiServerLike server = ApiServerLike.start();
    try (KubernetesDatastore store = KubernetesDatastore.connect(server.config())) {
      long listed = store.list("IPAMHandle").get(10, TimeUnit.SECONDS).revision();
      EventRecorder rec = new EventRecorder();
      try (Watch w = store.watch("IPAMHandle", listed, rec)) {
        Entry seen =
            store
                .create(new Key("IPAMHandle", "a"), "{}".getBytes(UTF_8))
                .get(10, TimeUnit.SECONDS);
        rec.awaitRevision(seen.revision(), WAIT);
        // Away: the watch's reconnects are refused while a write happens and is compacted.
        server.refuse("/apis/netctl.dev/v1/ipamhandles?allowWatchBookmarks", 503);
        server.dropWatches();
        Entry missed =
            store
                .create(new Key("IPAMHandle", "b"), "{}".getBytes(UTF_8))
                .get(10, TimeUnit.SECONDS);
        server.compact(missed.revision());
        server.stopRefusing();
        List<WatchEvent> events =
            rec.awaitUntil(
                "ResyncNeeded",
                WAIT,
                l -> !l.isEmpty() && l.getLast() instanceof WatchEvent.ResyncNeeded);
        assertThat(events.getFirst()).isEqualTo(new WatchEvent.Put(seen, true));
        assertThat(events)
            .as("the missed write is not delivered as if nothing was lost")
            .noneMatch(e -> e instanceof WatchEvent.Put p && p.entry().key().name().equals("b"));
        assertThat(((WatchEvent.ResyncNeeded) events.getLast()).reason())
            .contains("IPAMHandle history after resourceVersion " + seen.revision())
            .contains("410");
      }
    } finally {
      server.stop();
    }
  }

  /**
   * The CRUD mock never sends bookmarks or 410 Gone: a scripted server does, as the API server
   * would. A bookmark is progress, not an event; 410 ends the watch with a resync, and the watch is
   * not opened again.
   *
   * <p>The script is sent in order as soon as the watch's websocket opens, then the socket closes,
   * as an API server ends a watch after an ERROR. It has no timers: the mock's own scripted
   * websockets ({@code andUpgradeToWebSocket().waitFor(..)}) closed the socket once no message was
   * pending, and registered their messages one at a time, so a stall of 50 ms between two
   * registrations (machine load ~12) closed it after the bookmark; fabric8 then reconnected from
   * that bookmark's version, which the script did not answer, and the 410 never came.
   */
  @Test
  void bookmarksAreNotEventsAnd410GoneEndsTheWatchWithResyncNeeded() throws Exception {
    ScriptedWatch server =
        new ScriptedWatch(
            "/apis/netctl.dev/v1/ipamblocks",
            "allowWatchBookmarks=true&resourceVersion=5&watch=true",
            List.of(
                new io.fabric8.kubernetes.api.model.WatchEvent(block(null, "6", null), "BOOKMARK"),
                new io.fabric8.kubernetes.api.model.WatchEvent(
                    block("10-0-0-0-26", "7", Map.of("cidr", "10.0.0.0/26")), "ADDED"),
                new io.fabric8.kubernetes.api.model.WatchEvent(
                    new StatusBuilder()
                        .withCode(410)
                        .withReason("Expired")
                        .withMessage("too old resource version: 5 (9)")
                        .build(),
                    "ERROR")));
    try (KubernetesDatastore store = KubernetesDatastore.connect(config(server.port()))) {
      EventRecorder rec = new EventRecorder();
      try (Watch w = store.watch("IPAMBlock", 5, rec)) {
        List<WatchEvent> events = rec.awaitCount(2, WAIT);
        Entry block =
            new Entry(
                new Key("IPAMBlock", "10-0-0-0-26"),
                "{\"cidr\":\"10.0.0.0/26\"}".getBytes(UTF_8),
                7);
        assertThat(events.get(0)).isEqualTo(new WatchEvent.Put(block, true));
        assertThat(events.get(1)).isInstanceOf(WatchEvent.ResyncNeeded.class);
        assertThat(((WatchEvent.ResyncNeeded) events.get(1)).reason()).contains("410");
        Thread.sleep(300);
        assertThat(rec.events()).as("nothing after the resync").hasSize(2);
        assertThat(server.watches()).as("no watch after the 410").isEqualTo(1);
        assertThat(server.unexpected()).isEmpty();
      }
    } finally {
      server.stop();
    }
  }

  /** An IPAMBlock as the API server sends it in a watch event (a bookmark has only a version). */
  private static io.fabric8.kubernetes.api.model.GenericKubernetesResource block(
      String name, String resourceVersion, Map<String, Object> spec) {
    var b =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("netctl.dev/v1")
            .withKind("IPAMBlock")
            .withNewMetadata()
            .withName(name)
            .withResourceVersion(resourceVersion)
            .endMetadata();
    return spec == null ? b.build() : b.withAdditionalProperties(Map.of("spec", spec)).build();
  }

  private static Config config(int port) {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl("http://127.0.0.1:" + port + "/")
        .withRequestTimeout(5_000)
        // as fabric8's own mock clients: the mock cannot upgrade an h2c connection to a websocket
        .withHttp2Disable(true)
        .withConnectionTimeout(2_000)
        .build();
  }

  /**
   * A server with one watchable collection: its one-item list (which the backend asks before each
   * watch) is empty, and a watch with exactly {@code watchQuery} gets {@code script}, in order,
   * then a close. Anything else is 404 and recorded.
   */
  private static final class ScriptedWatch extends Dispatcher {
    private final String collection;
    private final String watchQuery;
    private final List<String> script = new ArrayList<>();
    private final AtomicInteger watches = new AtomicInteger();
    private final List<String> unexpected = new CopyOnWriteArrayList<>();
    private final MockWebServer server = new MockWebServer();

    ScriptedWatch(
        String collection,
        String watchQuery,
        List<io.fabric8.kubernetes.api.model.WatchEvent> events) {
      this.collection = collection;
      this.watchQuery = watchQuery;
      var json = new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
      for (var e : events) script.add(json.asJson(e));
      server.setDispatcher(this);
      server.start(java.net.InetAddress.getLoopbackAddress(), 0);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      if (path.equals(collection + "?limit=1")) {
        return new MockResponse()
            .setResponseCode(200)
            .setBody(
                "{\"apiVersion\":\"netctl.dev/v1\",\"kind\":\"IPAMBlockList\","
                    + "\"metadata\":{\"resourceVersion\":\"9\"},\"items\":[]}");
      }
      if (path.equals(collection + "?" + watchQuery)) {
        watches.incrementAndGet();
        return new MockResponse()
            .withWebSocketUpgrade(
                new WebSocketListener() {
                  @Override
                  public void onOpen(WebSocket socket, Response response) {
                    for (String message : script) socket.send(message);
                    socket.close(1000, "watch ended");
                  }
                });
      }
      unexpected.add(request.getMethod() + " " + path);
      return new MockResponse().setResponseCode(404);
    }

    int port() {
      return server.getPort();
    }

    int watches() {
      return watches.get();
    }

    List<String> unexpected() {
      return unexpected;
    }

    void stop() {
      server.shutdown();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static <T> T retry(
      java.util.function.Supplier<java.util.concurrent.CompletableFuture<T>> op) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        return op.get().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof DatastoreException.Unavailable)
            || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
