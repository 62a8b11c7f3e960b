package dev.netctl.ctl.bgp;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Queries a standalone speaker's {@link AdminServer}. */
public final class AdminClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final InetSocketAddress address;
  private final HttpClient http;

  /** A client of the endpoint at {@code address}. */
  public AdminClient(InetSocketAddress address) {
    this.address = address;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
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

  private <T> T get(String path, TypeReference<T> type) {
    String where = AdminAddress.format(address);
    URI uri = URI.create("http://" + where + path);
    HttpResponse<String> resp;
    try {
      resp =
          http.send(
              HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AdminUnavailableException(
          "BGP admin endpoint "
              + where
              + " is unreachable ("
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + "); is `netctl bgp run` running with admin.address "
              + where
              + "?");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminUnavailableException("interrupted while querying " + where);
    }
    try {
      if (resp.statusCode() != 200) {
        Map<?, ?> err = AdminServer.JSON.readValue(resp.body(), Map.class);
        throw new IllegalArgumentException(
            "BGP admin endpoint " + where + " refused " + path + ": " + err.get("error"));
      }
      return AdminServer.JSON.readValue(resp.body(), type);
    } catch (IOException e) {
      throw new AdminUnavailableException(
          "BGP admin endpoint " + where + " answered " + path + " with unreadable JSON");
    }
  }
}
