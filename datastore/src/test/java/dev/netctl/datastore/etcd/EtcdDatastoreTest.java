package dev.netctl.datastore.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.EventRecorder;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.TlsOptions;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What only the etcd backend promises: its key layout, endpoints, TLS and crash recovery. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EtcdDatastoreTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void objectsLiveUnderNetctlKindNameInEtcd() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        Datastore store = Datastores.open(etcd.spec(), null);
        Client raw = Client.builder().endpoints(etcd.endpoint()).build()) {
      Entry e = store.create(new Key("IPPool", "ns/pool-1"), bytes("{}")).join();
      List<KeyValue> kvs =
          raw.getKVClient()
              .get(ByteSequence.from("/netctl/IPPool/ns/pool-1", UTF_8))
              .get(10, TimeUnit.SECONDS)
              .getKvs();
      assertThat(kvs).hasSize(1);
      assertThat(kvs.getFirst().getModRevision()).isEqualTo(e.revision());
      assertThat(kvs.getFirst().getValue().toString(UTF_8)).isEqualTo("{}");
    }
  }

  @Test
  void aForeignKeyUnderThePrefixIsSkippedByListAndWatch() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        Datastore store = Datastores.open(etcd.spec(), null);
        Client raw = Client.builder().endpoints(etcd.endpoint()).build()) {
      EventRecorder rec = new EventRecorder();
      try (Watch w = store.watch("IPPool", 0, rec)) {
        // An empty name is no valid Key: some other tool wrote it.
        raw.getKVClient()
            .put(ByteSequence.from("/netctl/IPPool/", UTF_8), ByteSequence.from("x", UTF_8))
            .get(10, TimeUnit.SECONDS);
        Entry ours = store.create(new Key("IPPool", "p"), bytes("{}")).get(10, TimeUnit.SECONDS);
        assertThat(rec.awaitRevision(ours.revision(), WAIT))
            .containsExactly(new WatchEvent.Put(ours, true));
        assertThat(store.list("IPPool").get(10, TimeUnit.SECONDS).entries()).containsExactly(ours);
      }
    }
  }

  @Test
  void aListReadInPagesIsStillOneSnapshotWhileWritesGoOn() throws Exception {
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    var options = new EtcdDatastore.Options(Duration.ofSeconds(15), Duration.ofSeconds(5), 4);
    try (EtcdProcess etcd = EtcdProcess.start();
        EtcdDatastore store = new EtcdDatastore(List.of(etcd.endpoint()), null, options)) {
      Map<String, Entry> current = new ConcurrentHashMap<>();
      for (int i = 0; i < 30; i++) {
        Entry e = store.create(new Key("Block", String.format("b%02d", i)), bytes("0")).join();
        current.put(e.key().name(), e);
      }
      store.create(new Key("BlockX", "b00"), bytes("other kind")).join();
      AtomicBoolean stop = new AtomicBoolean();
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < 5_000 && !stop.get(); i++) {
                  String name = String.format("b%02d", random.nextInt(30));
                  Entry cur = current.get(name);
                  current.put(name, store.update(cur.key(), bytes("" + i), cur.revision()).join());
                }
              },
              Thread::startVirtualThread);
      try {
        for (int round = 0; round < 10; round++) {
          var listing = store.list("Block").get(20, TimeUnit.SECONDS);
          assertThat(listing.entries()).as("seed %d", seed).hasSize(30);
          assertThat(listing.entries())
              .extracting(e -> e.key().name())
              .as("sorted by name")
              .isSorted();
          // Pages read at the first page's revision: nothing newer can appear.
          assertThat(listing.entries())
              .allSatisfy(e -> assertThat(e.revision()).isLessThanOrEqualTo(listing.revision()));
        }
      } finally {
        stop.set(true);
        writer.get(20, TimeUnit.SECONDS);
      }
      var prefixed = store.list("Block", "b1").get(20, TimeUnit.SECONDS);
      assertThat(prefixed.entries())
          .extracting(e -> e.key().name())
          .hasSize(10)
          .allMatch(n -> n.startsWith("b1"));
    }
  }

  @Test
  void anUnreachableEtcdFailsWithUnavailableNamingTheEndpoints() throws Exception {
    URI dead = URI.create("http://127.0.0.1:" + freePort());
    var options = new EtcdDatastore.Options(Duration.ofSeconds(2), Duration.ofSeconds(1), 500);
    try (EtcdDatastore store = new EtcdDatastore(List.of(dead), null, options)) {
      Throwable t = failure(store.get(new Key("IPPool", "p")));
      assertThat(t).isInstanceOf(DatastoreException.Unavailable.class);
      // never answered: the connect timeout bounds the wait, not the operation timeout
      assertThat(t.getMessage()).contains(dead.toString()).contains("cannot connect within 1 s (");
      assertThat(((DatastoreException.Unavailable) t).address()).isEqualTo("etcd:" + dead);
    }
  }

  @Test
  void theDefaultsFailAFirstCallToADeadEndpointAfterTheConnectTimeout() throws Exception {
    URI dead = URI.create("http://127.0.0.1:" + freePort());
    try (Datastore store = Datastores.open("etcd:" + dead, null)) {
      Throwable t = failure(store.list("IPPool", ""));
      assertThat(t.getMessage())
          .as("a command given a dead endpoint fails in a few seconds, naming it")
          .contains(dead.toString())
          .contains("cannot connect within 3 s (");
    }
  }

  @Test
  void onceEtcdHasAnsweredACallWaitsTheOperationTimeoutForItToComeBack() throws Exception {
    var options = new EtcdDatastore.Options(Duration.ofSeconds(2), Duration.ofSeconds(1), 500);
    try (EtcdProcess etcd = EtcdProcess.start();
        EtcdDatastore store = new EtcdDatastore(List.of(etcd.endpoint()), null, options)) {
      store.create(new Key("IPPool", "p"), bytes("{}")).get(20, TimeUnit.SECONDS);
      etcd.stop();
      Throwable t = failure(store.get(new Key("IPPool", "p")));
      assertThat(t)
          .as("an etcd restart is waited for as long as any operation, not failed at connect speed")
          .hasMessageContaining("no answer within 2 s (");
    }
  }

  @Test
  void severalEndpointsKeepServingWhileOneIsDown() throws Exception {
    URI dead = URI.create("http://127.0.0.1:" + freePort());
    try (EtcdProcess etcd = EtcdProcess.start();
        Datastore store = Datastores.open("etcd:" + dead + "," + etcd.endpoint(), null)) {
      for (int i = 0; i < 10; i++) {
        Entry e = store.create(new Key("Node", "n" + i), bytes("x")).get(10, TimeUnit.SECONDS);
        assertThat(store.get(e.key()).get(10, TimeUnit.SECONDS)).contains(e);
      }
    }
  }

  @Test
  void mutualTlsWithCaClientCertificateAndKey() throws Exception {
    TestPki pki = TestPki.create(dir);
    try (EtcdProcess etcd =
        EtcdProcess.start(new EtcdProcess.Tls(pki.serverCert(), pki.serverKey(), pki.caCert()))) {
      assertThat(etcd.endpoint().getScheme()).isEqualTo("https");
      TlsOptions tls = new TlsOptions(pki.caCert(), pki.clientCert(), pki.clientKey());
      try (Datastore store = Datastores.open(etcd.spec(), tls)) {
        EventRecorder rec = new EventRecorder();
        try (Watch w = store.watch("IPPool", 0, rec)) {
          Entry e = store.create(new Key("IPPool", "p"), bytes("{}")).get(20, TimeUnit.SECONDS);
          assertThat(rec.awaitRevision(e.revision(), WAIT))
              .containsExactly(new WatchEvent.Put(e, true));
        }
      }
      // Without a client certificate the server refuses us.
      var options = new EtcdDatastore.Options(Duration.ofSeconds(3), Duration.ofSeconds(2), 500);
      try (EtcdDatastore anonymous =
          new EtcdDatastore(
              List.of(etcd.endpoint()), new TlsOptions(pki.caCert(), null, null), options)) {
        assertThat(failure(anonymous.get(new Key("IPPool", "p"))))
            .isInstanceOf(DatastoreException.Unavailable.class);
      }
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void sigkilledEtcdLosesNoAcknowledgedWriteAndTheWatchResumesWithoutGap() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        Datastore store = Datastores.open(etcd.spec(), null)) {
      EventRecorder rec = new EventRecorder();
      Map<Key, Long> acked = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      try (Watch w = store.watch("Pod", 0, rec)) {
        CompletableFuture<Void> writer =
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; !stop.get() && i < 10_000; i++) {
                    Key k = new Key("Pod", "p" + i);
                    for (int attempt = 0; attempt < 100 && !stop.get(); attempt++) {
                      try {
                        acked.put(k, store.create(k, bytes("v")).join().revision());
                        break;
                      } catch (java.util.concurrent.CompletionException e) {
                        if (e.getCause() instanceof DatastoreException.AlreadyExists) break;
                        sleep(50);
                      }
                    }
                  }
                },
                Thread::startVirtualThread);
        awaitSize(acked, 40);
        etcd.kill();
        etcd.startAgain();
        int before = acked.size();
        awaitSize(acked, before + 40);
        stop.set(true);
        writer.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        Map<Key, Long> stored = new HashMap<>();
        for (Entry e : store.list("Pod").get(20, TimeUnit.SECONDS).entries()) {
          stored.put(e.key(), e.revision());
        }
        for (var a : acked.entrySet()) {
          assertThat(stored.get(a.getKey())).as("acknowledged %s", a).isEqualTo(a.getValue());
        }
        long last = stored.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        Map<Key, Long> watched = new HashMap<>();
        long prev = 0;
        for (WatchEvent e : rec.awaitRevision(last, WAIT)) {
          assertThat(e.revision()).isGreaterThan(prev);
          prev = e.revision();
          watched.put(((WatchEvent.Put) e).entry().key(), e.revision());
        }
        assertThat(watched).isEqualTo(stored);
      }
    }
  }

  private static Throwable failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  private static void awaitSize(Map<?, ?> map, int n) {
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (map.size() < n) {
      if (System.nanoTime() > deadline)
        throw new AssertionError(map.size() + " of " + n + " acked");
      sleep(10);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
