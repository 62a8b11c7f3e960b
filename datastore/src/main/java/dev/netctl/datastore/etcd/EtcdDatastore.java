package dev.netctl.datastore.etcd;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Listing;
import dev.netctl.datastore.TlsOptions;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchDelivery;
import dev.netctl.datastore.WatchEvent;
import dev.netctl.datastore.Write;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;

/**
 * The datastore for clusters: an etcd v3 cluster reached through jetcd.
 *
 * <p>Objects live under {@code /netctl/<kind>/<name>}; that layout never leaves this class.
 *
 * <p>Guarantees and why they hold:
 *
 * <ul>
 *   <li><b>Revisions</b> are etcd's: the cluster-wide revision of each write (mod_revision), which
 *       raft makes strictly increasing and identical for every client.
 *   <li><b>Compare-and-swap</b> is one etcd transaction: create compares the key's version with 0;
 *       update and delete compare its mod_revision with the expected one. The else-branch reads the
 *       key, so a lost race fails with a Conflict carrying the current entry (or NotFound) without
 *       another round trip.
 *   <li><b>Durability</b>: etcd acknowledges a write once a quorum has it in its fsynced log.
 *   <li><b>Lists</b> are range reads of {@link Options#listPageSize} keys; the first page's header
 *       revision is the snapshot's revision and later pages read at that revision, so a long list
 *       is still one snapshot (a compaction past it in between fails the list: retry).
 *   <li><b>Watches</b> start at the requested revision + 1 on the key prefix of the kind. After a
 *       disconnect or an etcd restart they resume from the last delivered revision + 1, so nothing
 *       is missed or repeated (see {@link EtcdWatch}); a compacted start revision yields {@link
 *       WatchEvent.ResyncNeeded}.
 *   <li><b>Failures</b>: any gRPC failure, and no answer within {@link Options#operationTimeout},
 *       fail the operation with {@link DatastoreException.Unavailable} naming the endpoints. Calls
 *       wait for a connection rather than failing at once while etcd restarts. Until the store has
 *       had its first answer they wait only {@link Options#connectTimeout}, as etcd's own client
 *       fails its dial: a command given a wrong or dead endpoint fails in seconds, not after the
 *       full operation timeout.
 * </ul>
 *
 * <p>Threads: jetcd completes its futures on its gRPC/Vert.x event loop. Every continuation here
 * runs on this store's own executor instead, so neither this class nor a caller's callback ever
 * blocks an event-loop thread.
 */
public final class EtcdDatastore implements Datastore {
  private static final String ROOT = "/netctl/";

  // grpc logs through java.util.logging, at INFO, on every start ("Epoll available during static
  // init"): noise on a command's stderr. Its warnings and errors still show. Held in a field
  // because
  // java.util.logging keeps loggers only weakly.
  private static final java.util.logging.Logger GRPC_LOG = quiet("io.grpc");

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
    l.setLevel(java.util.logging.Level.WARNING);
    return l;
  }

  /**
   * Tuning knobs.
   *
   * @param operationTimeout how long one operation may wait for etcd before failing Unavailable
   * @param connectTimeout how long one connection attempt may take, and how long an operation waits
   *     before the store has ever had an answer
   * @param listPageSize how many keys one range request of a list reads
   */
  public record Options(Duration operationTimeout, Duration connectTimeout, int listPageSize) {
    /**
     * 15 s per operation, 3 s to connect (etcdctl's dial timeout is 2 s; 3 s leaves room for a TLS
     * handshake on a loaded host), lists read 500 keys per request.
     */
    public static final Options DEFAULT =
        new Options(Duration.ofSeconds(15), Duration.ofSeconds(3), 500);

    public Options {
      if (listPageSize < 1) {
        throw new IllegalArgumentException("listPageSize must be >= 1: " + listPageSize);
      }
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
      }
    }

    /** These options with another connect timeout. */
    public Options withConnectTimeout(Duration timeout) {
      return new Options(operationTimeout, timeout, listPageSize);
    }
  }

  private final List<URI> endpoints;
  private final String address;
  private final Options options;
  private final Client client;
  private final KV kv;
  private final ExecutorService callbacks =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("netctl-etcd-", 0).factory());
  private final ScheduledThreadPoolExecutor scheduler = newScheduler();
  private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
  private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  // Set by the first answer; before it an operation waits only for a connection (connectTimeout).
  private volatile boolean answered;

  private static ScheduledThreadPoolExecutor newScheduler() {
    var s =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("netctl-etcd-timer").factory());
    // Deadlines of completed calls are cancelled; drop them at once instead of at expiry.
    s.setRemoveOnCancelPolicy(true);
    return s;
  }

  /** Connects (lazily: nothing is sent until the first call) with default options. */
  public static EtcdDatastore connect(List<URI> endpoints, TlsOptions tls) {
    return new EtcdDatastore(endpoints, tls, Options.DEFAULT);
  }

  /**
   * @param endpoints client URLs of the cluster members, e.g. {@code http://127.0.0.1:2379}
   * @param tls CA, client certificate and key, or null; https endpoints without it trust the JDK's
   *     default authorities
   */
  public EtcdDatastore(List<URI> endpoints, TlsOptions tls, Options options) {
    if (endpoints.isEmpty()) throw new IllegalArgumentException("etcd needs at least one endpoint");
    this.endpoints = List.copyOf(endpoints);
    this.address =
        "etcd:" + this.endpoints.stream().map(URI::toString).collect(Collectors.joining(","));
    this.options = options;
    ClientBuilder builder =
        Client.builder()
            .endpoints(this.endpoints.toArray(URI[]::new))
            .connectTimeout(options.connectTimeout())
            .waitForReady(true);
    boolean https = this.endpoints.stream().anyMatch(u -> "https".equals(u.getScheme()));
    if (https || TlsOptions.enabled(tls)) {
      try {
        builder.sslContext(
            ssl -> {
              if (tls != null && tls.caFile() != null) ssl.trustManager(tls.caFile().toFile());
              if (tls != null && tls.certFile() != null) {
                ssl.keyManager(tls.certFile().toFile(), tls.keyFile().toFile());
              }
            });
      } catch (SSLException | IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "cannot load TLS material for " + address + " (" + tls + "): " + e.getMessage(), e);
      }
      // Verify the server certificate against the host of the first endpoint.
      builder.authority(this.endpoints.getFirst().getHost());
    }
    this.client = builder.build();
    this.kv = client.getKVClient();
  }

  @Override
  public String address() {
    return address;
  }

  /** The client URLs this store talks to. */
  public List<URI> endpoints() {
    return endpoints;
  }

  @Override
  public CompletableFuture<Optional<Entry>> get(Key key) {
    return call(
        () -> kv.get(path(key)),
        r -> r.getKvs().isEmpty() ? Optional.empty() : Optional.of(entry(r.getKvs().getFirst())));
  }

  @Override
  public CompletableFuture<Listing> list(String kind, String namePrefix) {
    ByteSequence prefix = bytes(ROOT + kind + "/" + namePrefix);
    ByteSequence end = prefixEnd(prefix);
    CompletableFuture<Listing> out = new CompletableFuture<>();
    List<Entry> entries = new ArrayList<>();
    listPage(prefix, end, 0, entries, out);
    return out;
  }

  /**
   * Reads one page of at most {@link Options#listPageSize} keys and chains the next. The first page
   * fixes the revision; later pages read at that revision, so the pages form one snapshot however
   * many there are, and no response exceeds gRPC's message size limit.
   */
  private void listPage(
      ByteSequence from,
      ByteSequence end,
      long revision,
      List<Entry> entries,
      CompletableFuture<Listing> out) {
    GetOption.Builder option = GetOption.builder().withRange(end).withLimit(options.listPageSize());
    if (revision > 0) option.withRevision(revision);
    call(() -> kv.get(from, option.build()), r -> r)
        .whenComplete(
            (r, t) -> {
              if (t != null) {
                out.completeExceptionally(t);
                return;
              }
              for (KeyValue e : r.getKvs()) {
                try {
                  entries.add(entry(e));
                } catch (IllegalArgumentException foreign) {
                  // Another tool's key under our prefix (e.g. an empty name): not ours to list.
                }
              }
              long rev = revision > 0 ? revision : r.getHeader().getRevision();
              if (r.isMore() && !r.getKvs().isEmpty()) {
                // Continue just after the last key read: the key itself plus a zero byte.
                ByteSequence next =
                    r.getKvs().getLast().getKey().concat(ByteSequence.from(new byte[] {0}));
                listPage(next, end, rev, entries, out);
              } else {
                out.complete(new Listing(entries, rev));
              }
            });
  }

  /** The smallest key greater than every key starting with {@code prefix}. */
  private static ByteSequence prefixEnd(ByteSequence prefix) {
    byte[] b = prefix.getBytes();
    for (int i = b.length - 1; i >= 0; i--) {
      if (b[i] != (byte) 0xff) {
        byte[] end = java.util.Arrays.copyOf(b, i + 1);
        end[i]++;
        return ByteSequence.from(end);
      }
    }
    return ByteSequence.from(new byte[] {0}); // all 0xff: etcd's "to the end" marker
  }

  @Override
  public CompletableFuture<Entry> create(Key key, byte[] value) {
    byte[] copy = value.clone();
    ByteSequence k = path(key);
    return call(
        () ->
            kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(k, ByteSequence.from(copy), PutOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(),
        r -> {
          if (!r.isSucceeded()) throw new DatastoreException.AlreadyExists(key);
          return new Entry(key, copy, r.getHeader().getRevision());
        });
  }

  @Override
  public CompletableFuture<Entry> update(Key key, byte[] value, long expectedRevision) {
    byte[] copy = value.clone();
    ByteSequence k = path(key);
    return call(
        () ->
            kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedRevision)))
                .Then(Op.put(k, ByteSequence.from(copy), PutOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(),
        r -> {
          if (!r.isSucceeded()) throw casFailure(key, expectedRevision, r);
          return new Entry(key, copy, r.getHeader().getRevision());
        });
  }

  @Override
  public CompletableFuture<Long> delete(Key key, long expectedRevision) {
    ByteSequence k = path(key);
    return call(
        () ->
            kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedRevision)))
                .Then(Op.delete(k, DeleteOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(),
        r -> {
          if (!r.isSucceeded()) throw casFailure(key, expectedRevision, r);
          return r.getHeader().getRevision();
        });
  }

  /**
   * One etcd transaction: a compare per write (create: version == 0; update and delete:
   * mod_revision == expected), the writes in the then-branch, and a get of every key in the
   * else-branch so a failure names the first failing write with the entry now stored. etcd gives
   * every write of the transaction its one revision, and a watch response never splits a revision,
   * so watchers get the commit's events together.
   */
  @Override
  public CompletableFuture<List<Long>> commit(List<Write> writes) {
    Write.checkCommit(writes, maxOpsPerCommit(), address);
    List<Write> copy = List.copyOf(writes);
    List<Cmp> ifs = new ArrayList<>(copy.size());
    List<Op> thens = new ArrayList<>(copy.size());
    List<Op> elses = new ArrayList<>(copy.size());
    for (Write w : copy) {
      ByteSequence k = path(w.key());
      switch (w) {
        case Write.Create c -> {
          ifs.add(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)));
          thens.add(Op.put(k, ByteSequence.from(c.value()), PutOption.DEFAULT));
        }
        case Write.Update u -> {
          ifs.add(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(u.expectedRevision())));
          thens.add(Op.put(k, ByteSequence.from(u.value()), PutOption.DEFAULT));
        }
        case Write.Delete d -> {
          ifs.add(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(d.expectedRevision())));
          thens.add(Op.delete(k, DeleteOption.DEFAULT));
        }
      }
      elses.add(Op.get(k, GetOption.DEFAULT));
    }
    return call(
        () ->
            kv.txn()
                .If(ifs.toArray(Cmp[]::new))
                .Then(thens.toArray(Op[]::new))
                .Else(elses.toArray(Op[]::new))
                .commit(),
        r -> {
          if (!r.isSucceeded()) throw commitFailure(copy, r);
          long rev = r.getHeader().getRevision();
          return java.util.Collections.nCopies(copy.size(), rev);
        });
  }

  /** etcd's own default {@code --max-txn-ops}; a server started with less rejects earlier. */
  @Override
  public int maxOpsPerCommit() {
    return DEFAULT_MAX_OPS_PER_COMMIT;
  }

  /** The failure of the first write whose condition the else-branch reads show false. */
  private static DatastoreException commitFailure(List<Write> writes, TxnResponse r) {
    List<GetResponse> gets = r.getGetResponses();
    for (int i = 0; i < writes.size() && i < gets.size(); i++) {
      Write w = writes.get(i);
      List<KeyValue> kvs = gets.get(i).getKvs();
      Entry cur = kvs.isEmpty() ? null : entry(w.key(), kvs.getFirst());
      switch (w) {
        case Write.Create c -> {
          if (cur != null) return new DatastoreException.AlreadyExists(c.key());
        }
        case Write.Update u -> {
          if (cur == null) return new DatastoreException.NotFound(u.key());
          if (cur.revision() != u.expectedRevision()) {
            return new DatastoreException.Conflict(u.key(), u.expectedRevision(), cur);
          }
        }
        case Write.Delete d -> {
          if (cur == null) return new DatastoreException.NotFound(d.key());
          if (cur.revision() != d.expectedRevision()) {
            return new DatastoreException.Conflict(d.key(), d.expectedRevision(), cur);
          }
        }
      }
    }
    // The reads run in the same transaction as the compares, so one of them must have failed.
    throw new IllegalStateException("etcd refused a commit but every condition reads as true");
  }

  private static Entry entry(Key key, KeyValue kv) {
    return new Entry(key, kv.getValue().getBytes(), kv.getModRevision());
  }

  @Override
  public Watch watch(String kind, long afterRevision, Consumer<WatchEvent> listener) {
    EtcdWatch[] self = new EtcdWatch[1];
    WatchDelivery delivery =
        new WatchDelivery(
            kind + " after revision " + afterRevision + " on " + address,
            listener,
            () -> {
              watches.remove(self[0]);
              self[0].stop();
            });
    self[0] =
        new EtcdWatch(
            client.getWatchClient(),
            bytes(ROOT + kind + "/"),
            afterRevision,
            kv -> keyOf(kv.getKey()),
            delivery,
            scheduler,
            address);
    if (closed) {
      delivery.close();
      return delivery;
    }
    watches.add(self[0]);
    self[0].start();
    return delivery;
  }

  /**
   * Compacts etcd's history before {@code revision}: watches starting before it get {@link
   * WatchEvent.ResyncNeeded}. Operators normally leave this to etcd's auto-compaction; tests use it
   * to force history loss.
   */
  public CompletableFuture<Void> compact(long revision) {
    return call(() -> kv.compact(revision), r -> null);
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    for (EtcdWatch w : watches) w.end();
    watches.clear();
    for (CompletableFuture<?> f : pending) {
      f.completeExceptionally(new DatastoreException.Unavailable(address, "store closed", null));
    }
    scheduler.shutdownNow();
    client.close();
    callbacks.shutdown();
  }

  // --- plumbing -----------------------------------------------------------------------------

  /** "15 s" or "1500 ms" for a person, not Duration's "PT15S". */
  private static String readable(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  /**
   * Runs one jetcd call and maps its result on this store's executor: never on the event loop, with
   * a deadline, and with every failure turned into a DatastoreException.
   */
  private <R, T> CompletableFuture<T> call(Supplier<CompletableFuture<R>> op, Function<R, T> map) {
    CompletableFuture<T> out = new CompletableFuture<>();
    if (closed) {
      out.completeExceptionally(new DatastoreException.Unavailable(address, "store closed", null));
      return out;
    }
    pending.add(out);
    out.whenComplete((v, t) -> pending.remove(out));
    try {
      boolean connected = answered;
      Duration limit = connected ? options.operationTimeout() : options.connectTimeout();
      String why =
          connected
              ? "no answer within " + readable(limit)
              : "cannot connect within " + readable(limit);
      ScheduledFuture<?> deadline =
          scheduler.schedule(
              () ->
                  out.completeExceptionally(
                      new DatastoreException.Unavailable(
                          address,
                          why + " (etcd down or unreachable, or the TLS handshake refused)",
                          null)),
              limit.toMillis(),
              TimeUnit.MILLISECONDS);
      out.whenComplete((v, t) -> deadline.cancel(false));
      op.get()
          .whenCompleteAsync(
              (r, t) -> {
                if (t != null) {
                  out.completeExceptionally(unavailable(t));
                  return;
                }
                answered = true;
                try {
                  out.complete(map.apply(r));
                } catch (DatastoreException e) {
                  out.completeExceptionally(e);
                } catch (RuntimeException e) {
                  out.completeExceptionally(unavailable(e));
                }
              },
              callbacks);
    } catch (RuntimeException e) {
      // jetcd throws synchronously once closed; the scheduler rejects after close.
      out.completeExceptionally(unavailable(e));
    }
    return out;
  }

  private DatastoreException unavailable(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof DatastoreException d) return d;
    String message =
        c instanceof StatusRuntimeException s
            ? s.getStatus().getCode() + " " + s.getStatus().getDescription()
            : c.getMessage() != null ? c.getMessage() : c.toString();
    return new DatastoreException.Unavailable(address, message, c);
  }

  private static DatastoreException casFailure(Key key, long expected, TxnResponse r) {
    List<GetResponse> gets = r.getGetResponses();
    if (gets.isEmpty() || gets.getFirst().getKvs().isEmpty()) {
      return new DatastoreException.NotFound(key);
    }
    return new DatastoreException.Conflict(
        key,
        expected,
        new Entry(
            key,
            gets.getFirst().getKvs().getFirst().getValue().getBytes(),
            gets.getFirst().getKvs().getFirst().getModRevision()));
  }

  private static ByteSequence path(Key key) {
    return bytes(ROOT + key.kind() + "/" + key.name());
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  /** The key of an etcd path under {@code /netctl/}; names may contain '/', kinds may not. */
  static Key keyOf(ByteSequence path) {
    String s = path.toString(StandardCharsets.UTF_8);
    int slash = s.indexOf('/', ROOT.length());
    if (!s.startsWith(ROOT) || slash < 0) {
      throw new IllegalArgumentException("etcd key " + s + " is not " + ROOT + "<kind>/<name>");
    }
    return new Key(s.substring(ROOT.length(), slash), s.substring(slash + 1));
  }

  private static Entry entry(KeyValue kv) {
    return new Entry(keyOf(kv.getKey()), kv.getValue().getBytes(), kv.getModRevision());
  }
}
