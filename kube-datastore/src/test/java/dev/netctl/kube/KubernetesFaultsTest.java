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
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
   * The CRUD mock never sends bookmarks or 410 Gone: a scripted mock (expectation mode) does, as
   * the API server would. A bookmark is progress, not an event; 410 ends the watch with a resync.
   */
  @Test
  void bookmarksAreNotEventsAnd410GoneEndsTheWatchWithResyncNeeded() throws Exception {
    KubernetesMockServer mock = new KubernetesMockServer(false);
    mock.init(java.net.InetAddress.getLoopbackAddress(), 0);
    try {
      mock.expect()
          .get()
          .withPath("/apis/netctl.dev/v1/ipamblocks?limit=1")
          .andReturn(
              200,
              "{\"apiVersion\":\"netctl.dev/v1\",\"kind\":\"IPAMBlockList\","
                  + "\"metadata\":{\"resourceVersion\":\"9\"},\"items\":[]}")
          .always();
      mock.expect()
          .withPath(
              "/apis/netctl.dev/v1/ipamblocks?allowWatchBookmarks=true&resourceVersion=5&watch=true")
          .andUpgradeToWebSocket()
          .open()
          .waitFor(50)
          .andEmit(
              new io.fabric8.kubernetes.api.model.WatchEvent(block(null, "6", null), "BOOKMARK"))
          .waitFor(50)
          .andEmit(
              new io.fabric8.kubernetes.api.model.WatchEvent(
                  block("10-0-0-0-26", "7", Map.of("cidr", "10.0.0.0/26")), "ADDED"))
          .waitFor(50)
          .andEmit(
              new io.fabric8.kubernetes.api.model.WatchEvent(
                  new StatusBuilder()
                      .withCode(410)
                      .withReason("Expired")
                      .withMessage("too old resource version: 5 (9)")
                      .build(),
                  "ERROR"))
          .done()
          .always();
      try (KubernetesDatastore store = KubernetesDatastore.connect(config(mock.getPort()))) {
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
        }
      }
    } finally {
      mock.destroy();
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
