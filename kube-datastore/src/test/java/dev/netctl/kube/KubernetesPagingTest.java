package dev.netctl.kube;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Listing;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lists longer than a page, read with {@code limit}/{@code continue} against {@link ApiServerLike}
 * (which pages as the API server does; the CRUD mock alone ignores {@code limit}), with a page of
 * three objects so a few objects make several pages.
 */
@Timeout(60)
class KubernetesPagingTest {
  private static final int PAGE = 3;

  private ApiServerLike server;
  private KubernetesDatastore store;
  private long lastWrite;

  @BeforeEach
  void start() throws Exception {
    server = ApiServerLike.start();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(server.config()).build();
    store = new KubernetesDatastore(client, PAGE);
    for (int i = 0; i < 7; i++) {
      Entry e =
          store
              .create(new Key("IPAMHandle", "h" + i), "{}".getBytes(UTF_8))
              .get(10, TimeUnit.SECONDS);
      lastWrite = e.revision();
    }
  }

  @AfterEach
  void stop() {
    store.close();
    server.stop();
  }

  @Test
  void aListLongerThanAPageIsReadWholeAtItsFirstPagesRevision() throws Exception {
    int before = server.requests().size();
    Listing l = store.list("IPAMHandle", "").get(10, TimeUnit.SECONDS);
    assertThat(l.entries()).extracting(e -> e.key().name()).containsExactlyElementsOf(names(7));
    assertThat(l.revision()).as("the snapshot's revision").isEqualTo(lastWrite);
    List<String> pages = server.requests().subList(before, server.requests().size());
    assertThat(pages).hasSize(3).allMatch(r -> r.contains("limit=" + PAGE));
    assertThat(pages.get(0)).doesNotContain("continue=");
    assertThat(pages.subList(1, 3)).allMatch(r -> r.contains("continue="));
  }

  @Test
  void anExpiredContinueTokenStartsTheListingOverInsteadOfFailing() throws Exception {
    server.expireContinueTokens(1);
    int before = server.requests().size();
    Listing l = store.list("IPAMHandle", "").get(10, TimeUnit.SECONDS);
    assertThat(l.entries())
        .as("every object once, none twice from the abandoned first attempt")
        .extracting(e -> e.key().name())
        .containsExactlyElementsOf(names(7));
    List<String> sent = server.requests().subList(before, server.requests().size());
    assertThat(sent.stream().filter(r -> !r.contains("continue=")))
        .as("the first page asked twice: once per attempt")
        .hasSize(2);
  }

  @Test
  void continueTokensThatKeepExpiringEndAsUnavailableNamingTheListing() {
    server.expireContinueTokens(Pager.RESTARTS + 1);
    assertThatThrownBy(() -> store.list("IPAMHandle", "").join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(DatastoreException.Unavailable.class)
        .hasMessageContaining("list IPAMHandle")
        .hasMessageContaining(
            "continue token expired (HTTP 410) " + (Pager.RESTARTS + 1) + " times");
  }

  @Test
  void kubernetesNodesArePagedAndRestartedAlike() {
    try (KubernetesClient kube =
        new KubernetesClientBuilder().withConfig(server.config()).build()) {
      for (int i = 0; i < 5; i++) {
        kube.nodes()
            .resource(new NodeBuilder().withNewMetadata().withName("n" + i).endMetadata().build())
            .create();
      }
    }
    server.expireContinueTokens(1);
    assertThat(new KubernetesObjects(store).nodeNames())
        .containsExactly("n0", "n1", "n2", "n3", "n4");
  }

  private static List<String> names(int n) {
    return IntStream.range(0, n).mapToObj(i -> "h" + i).toList();
  }
}
