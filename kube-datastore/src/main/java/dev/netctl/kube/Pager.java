package dev.netctl.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole collection read in pages ({@code limit}/{@code continue}), as one snapshot: the items of
 * every page and the first page's resourceVersion (later pages are served from that snapshot).
 *
 * <p>A continue token lives only as long as the API server keeps its snapshot (etcd compacts every
 * 5 minutes by default): a later page then answers 410 Gone ("the provided continue parameter is
 * too old"). The listing starts over from the first page, up to {@value #RESTARTS} times, as
 * client-go's pager falls back to a fresh list; reporting it as an outage would make every caller
 * retry the same way, and a one-shot command fail.
 */
final class Pager {
  /** The items, and the snapshot's resourceVersion (the first page's). */
  record Result(List<JsonNode> items, String resourceVersion) {}

  static final int PAGE = 500;

  /** Fresh starts after an expired continue token before the listing is given up. */
  static final int RESTARTS = 3;

  /** A bound on pages: a server that keeps handing out continue tokens is not believed for ever. */
  static final int MAX_PAGES = 10_000;

  private static final Logger log = LoggerFactory.getLogger(Pager.class);

  private final KubernetesDatastore store;
  private final int pageSize;

  Pager(KubernetesDatastore store, int pageSize) {
    if (pageSize < 1) throw new IllegalArgumentException("page size " + pageSize + ": at least 1");
    this.store = store;
    this.pageSize = pageSize;
  }

  /**
   * Every item of {@code collection}. A reply other than 200 (but a 410 on a continued page) is
   * turned into the exception {@code onError} makes of it; {@code what} names the listing in
   * messages ("list ippools").
   */
  CompletableFuture<Result> list(
      String collection,
      String what,
      Function<KubernetesDatastore.Response, RuntimeException> onError) {
    return attempt(collection, what, onError, 0);
  }

  private CompletableFuture<Result> attempt(
      String collection,
      String what,
      Function<KubernetesDatastore.Response, RuntimeException> onError,
      int restart) {
    return page(collection, what, onError, null, new ArrayList<>(), null, 0)
        .thenCompose(
            r -> {
              if (r != null) return CompletableFuture.completedFuture(r);
              if (restart + 1 > RESTARTS) {
                throw store.unavailable(
                    what
                        + ": the continue token expired (HTTP 410) "
                        + (RESTARTS + 1)
                        + " times in a row; the listing takes longer than the API server keeps"
                        + " its snapshot",
                    null);
              }
              log.info("{}: continue token expired (HTTP 410), listing again from the start", what);
              return attempt(collection, what, onError, restart + 1);
            });
  }

  /** The rest of the listing from {@code cont}; null when its continue token expired. */
  private CompletableFuture<Result> page(
      String collection,
      String what,
      Function<KubernetesDatastore.Response, RuntimeException> onError,
      String cont,
      List<JsonNode> acc,
      String snapshot,
      int pages) {
    if (pages >= MAX_PAGES) {
      return CompletableFuture.failedFuture(
          store.unavailable(what + ": more than " + MAX_PAGES + " pages of " + pageSize, null));
    }
    String path =
        collection
            + (collection.contains("?") ? "&" : "?")
            + "limit="
            + pageSize
            + (cont == null ? "" : "&continue=" + URLEncoder.encode(cont, StandardCharsets.UTF_8));
    return store
        .call("GET", path, null)
        .thenCompose(
            r -> {
              if (r.code() == 410 && cont != null) {
                return CompletableFuture.completedFuture((Result) null);
              }
              if (r.code() != 200) throw onError.apply(r);
              JsonNode list = r.body();
              for (JsonNode obj : list.path("items")) acc.add(obj);
              JsonNode meta = list.path("metadata");
              String rv = snapshot != null ? snapshot : meta.path("resourceVersion").asText();
              String next = meta.path("continue").asText("");
              if (next.isEmpty()) return CompletableFuture.completedFuture(new Result(acc, rv));
              return page(collection, what, onError, next, acc, rv, pages + 1);
            });
  }
}
