package dev.netctl.agent.cni;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.ipam.allocator.IpamAllocator;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The agent's CNI endpoint: a Unix socket that takes one request per connection (see {@link
 * CniPlugin} for the protocol) and answers it on its own virtual thread, so a burst of pod starts
 * runs concurrently and their IPAM requests share the allocator's group commits.
 */
public final class CniServer implements AutoCloseable {

  /** The largest request accepted; a network config is a few KB. */
  private static final int MAX_REQUEST = 1 << 20;

  private final CniService service;
  private final Path socket;
  private final ServerSocketChannel server;
  private final Thread acceptor;
  private volatile boolean closed;
  // Requests accepted and not yet answered; guarded by this.
  private int inFlight;

  /** How long {@link #close} waits for the requests in flight. */
  static final Duration DRAIN = Duration.ofSeconds(5);

  /**
   * The agent's wiring: no orchestrator, plumbing in the agent's own network namespace.
   *
   * @param client the resource client (WorkloadEndpoints, IPPools)
   * @param ipam the node's allocator
   * @param node this node's name
   * @param mtu the pod MTU the agent computed (link MTU minus encapsulation)
   * @param ready whether the agent is in sync and may plumb pods
   * @param socket where to listen
   */
  public CniServer(
      ResourceClient client,
      IpamAllocator ipam,
      String node,
      IntSupplier mtu,
      BooleanSupplier ready,
      Path socket)
      throws IOException {
    this(
        new CniService(client, ipam, node, mtu, ready, PodInfo.NONE, new PodPlumbing(null)),
        socket);
  }

  /** Listens on {@code socket} (replacing a stale file there) and serves {@code service}. */
  public CniServer(CniService service, Path socket) throws IOException {
    this.service = service;
    this.socket = socket;
    Path dir = socket.toAbsolutePath().getParent();
    if (dir != null) Files.createDirectories(dir);
    Files.deleteIfExists(socket);
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    // Only root (the runtime) may ask for pod networking.
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    acceptor = Thread.ofPlatform().name("cni-accept").daemon().start(this::acceptLoop);
  }

  /** The socket path. */
  public Path socket() {
    return socket;
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (closed) return;
        continue;
      }
      begin();
      try {
        Thread.ofVirtual()
            .name("cni-request")
            .start(
                () -> {
                  try {
                    serve(ch);
                  } finally {
                    end();
                  }
                });
      } catch (RuntimeException | Error e) {
        end();
        throw e;
      }
    }
  }

  private void serve(SocketChannel ch) {
    try (ch) {
      byte[] in = Channels.newInputStream(ch).readNBytes(MAX_REQUEST + 1);
      Map<String, Object> reply = answer(in);
      ByteBuffer b = ByteBuffer.wrap(Json.write(reply).getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) ch.write(b);
    } catch (IOException e) {
      // the plugin went away (killed by the runtime's timeout); it sees no answer and retries
    }
  }

  /** One request's reply; every failure becomes the spec's error object. */
  Map<String, Object> answer(byte[] in) {
    String version = null;
    Map<String, Object> reply = new LinkedHashMap<>();
    try {
      if (in.length > MAX_REQUEST) {
        throw new CniError(
            CniError.DECODE_FAILURE, "request larger than " + MAX_REQUEST + " bytes");
      }
      Map<String, Object> raw;
      try {
        raw = Json.parseObject(new String(in, StandardCharsets.UTF_8));
      } catch (Json.ParseException e) {
        throw new CniError(CniError.DECODE_FAILURE, "failed to decode the request", e.getMessage());
      }
      if (raw.get("config") instanceof Map<?, ?> c && c.get("cniVersion") instanceof String v) {
        version = v;
      }
      Map<String, Object> output = service.handle(CniRequest.of(raw));
      reply.put("ok", true);
      reply.put("output", output);
    } catch (CniError e) {
      reply.put("ok", false);
      reply.put("error", e.toJson(version));
    } catch (RuntimeException e) {
      reply.put("ok", false);
      reply.put(
          "error",
          new CniError(CniError.IO_FAILURE, "the netctl agent failed the request", e.toString())
              .toJson(version));
    }
    return reply;
  }

  private synchronized void begin() {
    inFlight++;
  }

  private synchronized void end() {
    if (--inFlight == 0) notifyAll();
  }

  /** Waits until no request is in flight, at most {@code timeout}; returns whether none is. */
  private synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return false;
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  /**
   * Stops taking requests and waits (at most {@link #DRAIN}) for those accepted to be answered: the
   * agent closes the datastore after this, and an ADD cut off in the middle would leave an address
   * assigned or a veth made for the runtime's DEL to find, and its plugin without an answer.
   */
  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    Files.deleteIfExists(socket);
    try {
      acceptor.join(2000);
      if (!awaitIdle(DRAIN)) {
        System.getLogger("netctl.agent.cni")
            .log(
                System.Logger.Level.WARNING,
                "CNI requests still in flight after {0} s: closing without them",
                DRAIN.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
