package dev.netctl.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The CNI socket's life: what happens to a request in flight when the agent closes it. */
@Timeout(30)
class CniServerTest {
  @TempDir Path dir;

  @Test
  void closingWaitsForTheRequestsInFlightAndAnswersThem() throws Exception {
    MemoryDatastore store = new MemoryDatastore();
    ResourceClient client = new ResourceClient(store);
    CountDownLatch asked = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    // STATUS asks whether the agent is ready: held there, the request stays in flight.
    CniService service =
        new CniService(
            client,
            new IpamAllocator(store, new ResourceEnvironment(client)),
            "n1",
            () -> 1450,
            () -> {
              asked.countDown();
              try {
                return answer.await(20, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                return false;
              }
            },
            PodInfo.NONE,
            new PodPlumbing(null));
    Path socket = dir.resolve("cni.sock");
    CniServer server = new CniServer(service, socket);

    // Threads of their own: the common pool may have one thread, which the request would hold.
    ExecutorService threads = Executors.newFixedThreadPool(2);
    CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> ask(socket), threads);
    assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> closing =
        CompletableFuture.runAsync(
            () -> {
              try {
                server.close();
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            threads);
    Thread.sleep(500);
    assertThat(closing).as("close waits for the request in flight").isNotDone();

    answer.countDown();
    closing.get(10, TimeUnit.SECONDS);
    assertThat(reply.get(10, TimeUnit.SECONDS)).as("answered, not cut off").contains("\"ok\":true");
    threads.shutdown();
    store.close();
  }

  /** One STATUS request over the socket; the reply's text. */
  static String ask(Path socket) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      String request =
          Json.write(
              Map.of(
                  "command",
                  "STATUS",
                  "config",
                  Map.of("cniVersion", "1.1.0", "name", "k8s-pod-network", "type", "netctl")));
      ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
      ch.shutdownOutput();
      return new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
