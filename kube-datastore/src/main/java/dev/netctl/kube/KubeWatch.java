package dev.netctl.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchDelivery;
import dev.netctl.datastore.WatchEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.HttpURLConnection;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One datastore watch on one kind: a fabric8 watch from a resourceVersion, with bookmarks.
 *
 * <p>fabric8 reconnects a dropped watch by itself, from the last resourceVersion it saw (events or
 * bookmarks), with exponential backoff. This class adds what it does not do: retrying the first
 * connection (the API server may be down when the watch starts), dropping an event it already
 * delivered, and ending with {@link WatchEvent.ResyncNeeded} on 410 Gone, when the API server no
 * longer has the history the watch asks for.
 */
final class KubeWatch implements Watch {

  /**
   * What is watched and how its events read: the collection, and the datastore event for each
   * received object (null to pass over it).
   */
  interface Source {
    /** The datastore kind its events are of. */
    String kind();

    ResourceDefinitionContext context();

    WatchEvent event(Watcher.Action action, JsonNode object);
  }

  /**
   * The custom resources of a stored kind: one event per object, as {@link ObjectMapping} reads.
   */
  static Source crd(String kind, String address) {
    ResourceDefinitionContext context = definition(kind);
    return new Source() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public ResourceDefinitionContext context() {
        return context;
      }

      @Override
      public WatchEvent event(Watcher.Action action, JsonNode obj) {
        Entry entry = ObjectMapping.toEntry(kind, obj, address);
        return switch (action) {
          case ADDED -> new WatchEvent.Put(entry, true);
          case MODIFIED -> new WatchEvent.Put(entry, false);
          case DELETED -> new WatchEvent.Deleted(entry.key(), entry.revision());
          default -> null;
        };
      }
    };
  }

  private static final Logger log = LoggerFactory.getLogger(KubeWatch.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long FIRST_BACKOFF_MS = 200;
  private static final long MAX_BACKOFF_MS = 30_000;

  private final KubernetesClient client;
  private final String kind;
  private final String address;
  private final WatchDelivery delivery;
  private final Source source;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile long lastRevision;

  /**
   * A watch from revision 0 asks for resourceVersion "0", which a real API server answers with the
   * current objects as ADDED events (not in revision order), then the changes. Those must all pass,
   * so duplicates are only dropped on watches from a real revision.
   */
  private final boolean fromAnyVersion;

  /**
   * Set for a collection the last listing could not read (RBAC refused it): the listing left its
   * objects out, so once the watch can connect, the reader must list again to get them.
   */
  private final boolean resyncWhenReadable;

  private volatile boolean closed;
  private volatile boolean warnedMissing;
  private io.fabric8.kubernetes.client.Watch fabricWatch;

  /** {@code resyncWhenReadable}: see the field. */
  KubeWatch(
      KubernetesClient client,
      Source source,
      long afterRevision,
      Consumer<WatchEvent> listener,
      String address,
      Consumer<KubeWatch> onEnd,
      boolean resyncWhenReadable) {
    this.resyncWhenReadable = resyncWhenReadable;
    this.client = client;
    this.source = source;
    this.kind = source.kind();
    this.address = address;
    this.lastRevision = afterRevision;
    this.fromAnyVersion = afterRevision == 0;
    this.delivery =
        new WatchDelivery(
            kind + " after " + afterRevision + " on " + address,
            listener,
            () -> onEnd.accept(this));
  }

  /** Opens the watch on a thread of its own, retrying with backoff until it connects or closes. */
  void start() {
    Thread.ofVirtual().name("netctl-kube-watch-" + kind).start(this::connect);
  }

  private void connect() {
    long backoff = FIRST_BACKOFF_MS;
    while (!closed && !delivery.isEnded()) {
      ListOptions options =
          new ListOptionsBuilder()
              .withResourceVersion(Long.toString(lastRevision))
              .withAllowWatchBookmarks(true)
              .build();
      try {
        // Reach the server first (a one-item list): when a websocket cannot connect at all,
        // fabric8 falls back to a hanging-GET watch for good. A real API server serves both; the
        // test fixture serves websockets only, and this also reports a missing CRD early.
        collection().list(new ListOptionsBuilder().withLimit(1L).build());
        if (resyncWhenReadable) {
          endForRelist(
              kind
                  + ": "
                  + source.context().getPlural()
                  + " became readable on "
                  + address
                  + " (the last listing could not read them); list again to get their objects");
          return;
        }
        io.fabric8.kubernetes.client.Watch w = collection().watch(options, new Listener());
        lock.lock();
        try {
          if (closed) {
            w.close();
          } else {
            fabricWatch = w;
          }
        } finally {
          lock.unlock();
        }
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_GONE) {
          resync("HTTP 410 Gone on connect");
          return;
        }
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND && !warnedMissing) {
          // Retried like an outage (the CRD may be applied next), but said once at warning level:
          // at debug level a missing CRD was a watch that silently never delivered anything.
          warnedMissing = true;
          ResourceDefinitionContext c = source.context();
          log.warn(
              "watch of {} on {}: no resource {}{} (HTTP 404): is its CRD installed? kubectl apply"
                  + " -k deploy/crds; retrying",
              kind,
              address,
              c.getPlural(),
              c.getGroup().isEmpty() ? "" : "." + c.getGroup());
        }
        log.debug("watch of {} on {} not connected, retrying in {} ms", kind, address, backoff, e);
      }
      sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  /** The watched collection, across all namespaces when its objects are namespaced. */
  private FilterWatchListDeletable<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      collection() {
    var all = client.genericKubernetesResources(source.context());
    return source.context().isNamespaceScoped() ? all.inAnyNamespace() : all;
  }

  private final class Listener implements Watcher<GenericKubernetesResource> {
    @Override
    public void eventReceived(Action action, GenericKubernetesResource resource) {
      if (closed || action == Action.BOOKMARK || action == Action.ERROR) return;
      WatchEvent event = source.event(action, JSON.valueToTree(resource));
      if (event == null) return;
      if (!fromAnyVersion && event.revision() <= lastRevision) return; // seen before a reconnect
      lastRevision = Math.max(lastRevision, event.revision());
      delivery.offer(event);
    }

    @Override
    public void onClose(WatcherException cause) {
      if (closed) return;
      if (cause.isHttpGone()) {
        resync("HTTP 410 Gone: " + cause.getMessage());
      } else {
        // fabric8 gave up reconnecting (it does not with an unlimited reconnect limit): start over.
        // The reason, not a stack trace: a watch that closes is the network's doing, not a bug.
        log.warn("watch of {} on {} closed ({}), reconnecting", kind, address, cause.getMessage());
        start();
      }
    }

    @Override
    public boolean reconnecting() {
      return true;
    }
  }

  private void resync(String why) {
    endForRelist(
        kind
            + " history after resourceVersion "
            + lastRevision
            + " is gone on "
            + address
            + " ("
            + why
            + "); list again");
  }

  // Ends the stream with one ResyncNeeded saying why the reader must list again.
  private void endForRelist(String reason) {
    delivery.offer(new WatchEvent.ResyncNeeded(lastRevision, reason));
    closeFabricWatch();
  }

  @Override
  public void close() {
    closed = true;
    closeFabricWatch();
    delivery.close();
  }

  private void closeFabricWatch() {
    lock.lock();
    try {
      if (fabricWatch != null) fabricWatch.close();
      fabricWatch = null;
    } finally {
      lock.unlock();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** fabric8's description of a stored kind's custom resource (no discovery call needed). */
  static ResourceDefinitionContext definition(String kind) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(StoredKinds.GROUP)
        .withVersion(StoredKinds.VERSION)
        .withKind(kind)
        .withPlural(StoredKinds.plural(kind))
        .withNamespaced(StoredKinds.namespaced(kind))
        .build();
  }
}
