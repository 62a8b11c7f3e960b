package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Listing;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ResourceCodec;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Profiles on Kubernetes come from two collections, Namespaces ({@code kns.}) and ServiceAccounts
 * ({@code ksa.}), listed and watched as one kind: the stream the agent's syncer reads must start
 * where the listing stopped for each, end once for both, and survive a cluster whose RBAC does not
 * yet grant ServiceAccounts.
 */
@Timeout(60)
class KubernetesProfileWatchTest {
  private static final String PROFILE = Kind.PROFILE.storageKind();
  private static final ResourceCodec CODEC = new ResourceCodec();

  private ApiServerLike server;
  private KubernetesDatastore store;
  private KubernetesClient kube;
  private final List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Logger jul = Logger.getLogger("netctl.kube");
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) warnings.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void start() {
    server = ApiServerLike.start();
    store = KubernetesDatastore.connect(server.config());
    kube = server.kubectl();
    jul.addHandler(capture);
    kube.namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("shop")
                .withLabels(Map.of("team", "a"))
                .endMetadata()
                .build())
        .create();
    serviceAccount("web", Map.of("v", "1"));
  }

  @AfterEach
  void stop() {
    jul.removeHandler(capture);
    assertThat(ApiAccess.nodeAgent())
        .containsAll(server.grants(KubernetesDerivedKindsTest.TEST_CLIENT));
    kube.close();
    store.close();
    server.stop();
  }

  private void serviceAccount(String name, Map<String, String> labels) {
    kube.serviceAccounts()
        .inNamespace("shop")
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("shop")
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
  }

  /**
   * The listing reads Namespaces, then ServiceAccounts; changes landing between the two reads (the
   * hook) are after the namespaces' snapshot and before the accounts'. Watched from the listing's
   * revision (the older one), the accounts' watch replayed them: {@code ksa.shop.web} went back to
   * {@code v=2} after the listing showed {@code v=3}, and the deleted {@code ghost} came back for a
   * moment. The namespace changed in the gap must still arrive.
   */
  @Test
  void aWatchFromAProfileListingStartsEachCollectionWhereItWasListed() throws Exception {
    String sa = "/api/v1/namespaces/shop/serviceaccounts";
    List<Integer> codes = new ArrayList<>();
    server.beforeFirstGet(
        "/api/v1/serviceaccounts",
        () -> {
          codes.add(
              server.write(
                  HttpMethod.PATCH, sa + "/web", "{\"metadata\":{\"labels\":{\"v\":\"2\"}}}"));
          codes.add(
              server.write(
                  HttpMethod.PATCH, sa + "/web", "{\"metadata\":{\"labels\":{\"v\":\"3\"}}}"));
          codes.add(
              server.write(
                  HttpMethod.POST,
                  sa,
                  "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\","
                      + "\"metadata\":{\"name\":\"ghost\",\"namespace\":\"shop\"}}"));
          codes.add(server.write(HttpMethod.DELETE, sa + "/ghost", ""));
          codes.add(
              server.write(
                  HttpMethod.PATCH,
                  "/api/v1/namespaces/shop",
                  "{\"metadata\":{\"labels\":{\"team\":\"gap\"}}}"));
        });
    Listing l = store.list(PROFILE).get(10, TimeUnit.SECONDS);
    assertThat(codes)
        .as("the gap's writes were taken")
        .allMatch(c -> c >= 200 && c < 300)
        .hasSize(5);
    assertThat(l.entries())
        .extracting(e -> e.key().name())
        .containsExactly("kns.shop", "ksa.shop.web");
    assertThat(labels(l, "ksa.shop.web")).containsEntry("v", "3");
    assertThat(labels(l, "kns.shop"))
        .as("namespaces were listed before the gap")
        .containsEntry("team", "a");

    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (Watch w = store.watch(PROFILE, l.revision(), events::add)) {
      // Markers on both collections, written after the watch: each stream is read up to them.
      serviceAccount("marker", Map.of());
      kube.namespaces()
          .withName("shop")
          .edit(
              n ->
                  new NamespaceBuilder(n)
                      .editMetadata()
                      .addToLabels("team", "after")
                      .endMetadata()
                      .build());
      List<WatchEvent> seen =
          until(
              events,
              List.of(
                  e -> name(e).equals("ksa.shop.marker"),
                  e -> name(e).equals("kns.shop") && label(e, "team").equals("after")));
      assertThat(seen)
          .as("no account state older than the listing: nothing of web or ghost is replayed")
          .noneMatch(e -> name(e).equals("ksa.shop.web") || name(e).equals("ksa.shop.ghost"));
      assertThat(seen)
          .as("the namespace's change after its own listing is delivered")
          .anyMatch(e -> name(e).equals("kns.shop") && label(e, "team").equals("gap"));
      assertThat(seen).noneMatch(e -> e instanceof WatchEvent.ResyncNeeded);
    }
  }

  /**
   * When one collection's history is gone, the merged stream ends once, with one ResyncNeeded, and
   * its other collection's watch ends with it: an event after the ResyncNeeded would reach a reader
   * that is already listing again, and could put back what its new listing no longer holds.
   */
  @Test
  void historyGoneOnOneCollectionEndsTheWholeStreamOnce() throws Exception {
    Listing l = store.list(PROFILE).get(10, TimeUnit.SECONDS);
    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (Watch w = store.watch(PROFILE, l.revision(), events::add)) {
      serviceAccount("a", Map.of());
      until(events, List.of(e -> name(e).equals("ksa.shop.a")));
      // The accounts' watch is away while a write happens and is compacted.
      server.refuse("/api/v1/serviceaccounts?allowWatchBookmarks", 503);
      server.dropWatches();
      serviceAccount("b", Map.of());
      server.compact(
          Long.parseLong(
              kube.serviceAccounts()
                  .inNamespace("shop")
                  .withName("b")
                  .get()
                  .getMetadata()
                  .getResourceVersion()));
      server.stopRefusing();
      List<WatchEvent> seen = until(events, List.of(e -> e instanceof WatchEvent.ResyncNeeded));
      assertThat(seen).noneMatch(e -> name(e).equals("ksa.shop.b"));

      // A namespace created now reaches a fresh watch; the ended one gets nothing more.
      long now = store.list(PROFILE).get(10, TimeUnit.SECONDS).revision();
      BlockingQueue<WatchEvent> fresh = new LinkedBlockingQueue<>();
      try (Watch again = store.watch(PROFILE, now, fresh::add)) {
        kube.namespaces()
            .resource(
                new NamespaceBuilder().withNewMetadata().withName("late").endMetadata().build())
            .create();
        until(fresh, List.of(e -> name(e).equals("kns.late")));
      }
      assertThat(events).as("nothing after the ResyncNeeded").isEmpty();
    }
  }

  /**
   * A cluster upgraded without reapplying deploy/cluster refuses ServiceAccounts (403): namespace
   * Profiles keep working, account Profiles are absent, one warning says which permission is
   * missing and how to grant it, however often the agent lists. Once the role is applied, the watch
   * ends with ResyncNeeded so the reader lists again and gets the account Profiles.
   */
  @Test
  void withoutServiceAccountAccessNamespaceProfilesWorkAndOneWarningNamesTheFix() throws Exception {
    server.refuse("/api/v1/serviceaccounts", 403);
    server.refuse("/api/v1/namespaces/shop/serviceaccounts", 403);
    Listing l = store.list(PROFILE).get(10, TimeUnit.SECONDS);
    assertThat(l.entries()).extracting(e -> e.key().name()).containsExactly("kns.shop");
    assertThat(store.list(PROFILE).get(10, TimeUnit.SECONDS).entries()).hasSize(1);
    assertThat(
            store
                .get(new dev.netctl.datastore.Key(PROFILE, "ksa.shop.web"))
                .get(10, TimeUnit.SECONDS))
        .isEmpty();
    assertThat(
            store.get(new dev.netctl.datastore.Key(PROFILE, "kns.shop")).get(10, TimeUnit.SECONDS))
        .isPresent();
    assertThat(warnings)
        .as("one warning for every list and get while access is missing")
        .hasSize(1)
        .allSatisfy(
            m ->
                assertThat(m)
                    .contains("no read access to serviceaccounts")
                    .contains("HTTP 403")
                    .contains("get/list/watch")
                    .contains("kubectl apply -k deploy/cluster"));

    BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    try (Watch w = store.watch(PROFILE, l.revision(), events::add)) {
      kube.namespaces()
          .withName("shop")
          .edit(
              n ->
                  new NamespaceBuilder(n)
                      .editMetadata()
                      .addToLabels("team", "b")
                      .endMetadata()
                      .build());
      until(events, List.of(e -> name(e).equals("kns.shop") && label(e, "team").equals("b")));
      server.stopRefusing(); // deploy/cluster applied
      List<WatchEvent> seen = until(events, List.of(e -> e instanceof WatchEvent.ResyncNeeded));
      assertThat(((WatchEvent.ResyncNeeded) seen.getLast()).reason())
          .contains("serviceaccounts became readable");
    }
    assertThat(store.list(PROFILE).get(10, TimeUnit.SECONDS).entries())
        .extracting(e -> e.key().name())
        .containsExactly("kns.shop", "ksa.shop.web");
    assertThat(warnings).hasSize(1);
  }

  private static Map<String, String> labels(Listing l, String name) {
    return l.entries().stream()
        .filter(e -> e.key().name().equals(name))
        .map(e -> CODEC.fromStorage(Kind.PROFILE, e.value(), e.revision()).spec().labelsToApply())
        .findFirst()
        .orElseThrow();
  }

  private static String name(WatchEvent e) {
    return switch (e) {
      case WatchEvent.Put p -> p.entry().key().name();
      case WatchEvent.Deleted d -> d.key().name();
      case WatchEvent.ResyncNeeded r -> "";
    };
  }

  private static String label(WatchEvent e, String key) {
    if (!(e instanceof WatchEvent.Put p)) return "";
    return CODEC
        .fromStorage(Kind.PROFILE, p.entry().value(), 1)
        .spec()
        .labelsToApply()
        .getOrDefault(key, "");
  }

  /** Events taken until each condition was met by some event; all of them, in order. */
  private static List<WatchEvent> until(
      BlockingQueue<WatchEvent> events, List<Predicate<WatchEvent>> all)
      throws InterruptedException {
    List<WatchEvent> seen = new ArrayList<>();
    List<Predicate<WatchEvent>> open = new ArrayList<>(all);
    while (!open.isEmpty()) {
      WatchEvent e = events.poll(30, TimeUnit.SECONDS);
      assertThat(e).as("an event meeting every condition; seen so far %s", seen).isNotNull();
      seen.add(e);
      open.removeIf(p -> p.test(e));
    }
    return seen;
  }
}
