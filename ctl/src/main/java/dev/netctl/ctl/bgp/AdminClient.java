package dev.netctl.ctl.bgp;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Queries a standalone speaker's {@link AdminServer} over TCP or a Unix-domain socket. Speaks just
 * the HTTP/1.1 the server answers: one request per connection, the body read until the server
 * closes.
 */
public final class AdminClient {
  private static final long TIMEOUT_SECONDS = 5;

  private final SocketAddress address;

  /** A client of the endpoint at {@code address} (see {@link AdminAddress#parse}). */
  public AdminClient(SocketAddress address) {
    this.address = address;
  }

  /**
   * {@code GET /peers}.
   *
   * @throws AdminUnavailableException when the endpoint cannot be reached
   */
  public List<PeerView> peers() {
    return get("/peers", new TypeReference<List<PeerView>>() {});
  }

  /**
   * {@code GET /routes}.
   *
   * @param family ipv4, ipv6 or null
   * @param peer a peer address or null
   * @param advertised advertised instead of received routes
   */
  public List<RouteView> routes(String family, String peer, boolean advertised) {
    List<String> q = new ArrayList<>();
    if (family != null) q.add("family=" + URLEncoder.encode(family, StandardCharsets.UTF_8));
    if (peer != null) q.add("peer=" + URLEncoder.encode(peer, StandardCharsets.UTF_8));
    q.add(advertised ? "advertised" : "received");
    return get("/routes?" + String.join("&", q), new TypeReference<List<RouteView>>() {});
  }

  /**
   * {@code POST /refresh}: a ROUTE-REFRESH to one peer.
   *
   * @param peer the peer's address
   * @param family ipv4, ipv6, or null for every negotiated family
   * @return the families asked
   */
  public List<String> refresh(String peer, String family) {
    String q = "peer=" + URLEncoder.encode(peer, StandardCharsets.UTF_8);
    if (family != null) q += "&family=" + URLEncoder.encode(family, StandardCharsets.UTF_8);
    Refreshed r = send("POST", "/refresh?" + q, new TypeReference<Refreshed>() {});
    return r.families();
  }

  /**
   * {@code POST /reset}: resets one peer's session, or with {@code soft} only refreshes routes.
   *
   * @param soft null, in, out or both
   * @param hard Cease/Hard Reset (RFC 8538) rather than a plain Administrative Reset
   */
  public StandaloneSpeaker.Reset reset(String peer, String soft, boolean hard) {
    String q = "peer=" + URLEncoder.encode(peer, StandardCharsets.UTF_8);
    if (soft != null) q += "&soft=" + URLEncoder.encode(soft, StandardCharsets.UTF_8);
    if (hard) q += "&hard";
    return send("POST", "/reset?" + q, new TypeReference<StandaloneSpeaker.Reset>() {});
  }

  /** The answer of {@code /refresh}. */
  record Refreshed(String peer, List<String> families) {}

  private <T> T get(String path, TypeReference<T> type) {
    return send("GET", path, type);
  }

  private <T> T send(String method, String path, TypeReference<T> type) {
    String where = AdminAddress.format(address);
    byte[] response;
    try {
      response = exchange(method, path);
    } catch (AsynchronousCloseException e) {
      throw new AdminUnavailableException(
          "BGP admin endpoint " + where + " did not answer within " + TIMEOUT_SECONDS + " s");
    } catch (IOException e) {
      throw new AdminUnavailableException(
          "BGP admin endpoint "
              + where
              + " is unreachable ("
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + "); is `netctl bgp run` running with that admin endpoint?");
    }
    String text = new String(response, StandardCharsets.UTF_8);
    int split = text.indexOf("\r\n\r\n");
    String[] status = text.lines().findFirst().orElse("").split(" ");
    if (split < 0 || status.length < 2 || !status[0].startsWith("HTTP/1.")) {
      throw new AdminUnavailableException(
          "BGP admin endpoint " + where + " answered " + path + " with something other than HTTP");
    }
    String body = text.substring(split + 4);
    Map<?, ?> err = null;
    if (!status[1].equals("200")) {
      try {
        err = AdminServer.JSON.readValue(body, Map.class);
      } catch (IOException | RuntimeException e) {
        // not our endpoint's {"error": ...}: some other server answers there
      }
      if (err == null || !(err.get("error") instanceof String)) {
        throw new AdminUnavailableException(
            "BGP admin endpoint "
                + where
                + " answered "
                + method
                + " "
                + URLDecoder.decode(path, StandardCharsets.UTF_8)
                + " with HTTP "
                + text.lines().findFirst().orElse("").substring(status[0].length()).strip()
                + ", not a netctl BGP admin answer; is `netctl bgp run` running with that admin"
                + " endpoint?");
      }
    }
    try {
      if (err != null) {
        // The request as the user gave it (decoded: an IPv6 peer reads "::9", not "%3A%3A9").
        throw new IllegalArgumentException(
            "BGP admin endpoint "
                + where
                + " refused "
                + URLDecoder.decode(path, StandardCharsets.UTF_8)
                + ": "
                + err.get("error"));
      }
      return AdminServer.JSON.readValue(body, type);
    } catch (IOException e) {
      throw new AdminUnavailableException(
          "BGP admin endpoint " + where + " answered " + path + " with unreadable JSON");
    }
  }

  /** Sends one request and returns the whole response, closing the channel after the timeout. */
  private byte[] exchange(String method, String path) throws IOException {
    try (SocketChannel channel = SocketChannel.open(address)) {
      // Blocking channels have no read timeout: a stuck endpoint gets its connection closed.
      CompletableFuture<Void> timeout =
          CompletableFuture.runAsync(
              () -> {
                try {
                  channel.close();
                } catch (IOException e) {
                  // Closed already.
                }
              },
              CompletableFuture.delayedExecutor(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      try {
        ByteBuffer request =
            ByteBuffer.wrap(
                (method
                        + " "
                        + path
                        + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n"
                        + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        while (request.hasRemaining()) {
          channel.write(request);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (channel.read(buf.clear()) >= 0) {
          out.write(buf.array(), 0, buf.position());
        }
        return out.toByteArray();
      } finally {
        timeout.cancel(false);
      }
    }
  }
}
