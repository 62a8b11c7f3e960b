package dev.netctl.ctl.bgp;

import dev.netctl.bgp.codec.AddressText;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Parses and formats the admin endpoint address: {@code IP:PORT} (IPv6 as {@code [::1]:PORT}) or
 * {@code unix:PATH} for a Unix-domain socket.
 */
public final class AdminAddress {
  /** Where {@code bgp run} listens and {@code bgp peers}/{@code routes} connect by default. */
  public static final String DEFAULT = "127.0.0.1:9179";

  /** Prefix of a Unix-domain socket address on the command line. */
  public static final String UNIX = "unix:";

  // sun_path is 108 bytes on Linux, one of them the terminating NUL.
  private static final int MAX_SOCKET_PATH = 107;

  private AdminAddress() {}

  /**
   * Parses {@code IP:PORT} or {@code unix:PATH}.
   *
   * @throws IllegalArgumentException with the rule broken
   */
  public static SocketAddress parse(String text) {
    if (text.startsWith(UNIX)) {
      return unixSocket(text.substring(UNIX.length()));
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("must be IP:PORT or unix:PATH, e.g. " + DEFAULT);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    InetAddress address;
    try {
      address = InetAddress.ofLiteral(host);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("must be IP:PORT with an IP literal, e.g. " + DEFAULT);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be IP:PORT with a numeric port, e.g. " + DEFAULT);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535");
    }
    return new InetSocketAddress(address, port);
  }

  /**
   * Parses an address the endpoint may listen on: {@code unix:PATH}, or {@code IP:PORT} on loopback
   * only, because the endpoint has no authentication.
   */
  public static SocketAddress listenable(String text) {
    SocketAddress a = parse(text);
    if (a instanceof InetSocketAddress inet && !inet.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "must be a loopback address: the endpoint has no authentication");
    }
    return a;
  }

  /** Parses a loopback {@code IP:PORT}. */
  static InetSocketAddress loopback(String text) {
    if (text.startsWith(UNIX)) {
      throw new IllegalArgumentException("must be IP:PORT; put a socket path in admin.unixSocket");
    }
    return (InetSocketAddress) listenable(text);
  }

  /** A Unix-domain socket path, checked against the kernel's length limit. */
  static UnixDomainSocketAddress unixSocket(String path) {
    if (path.isEmpty()) {
      throw new IllegalArgumentException("must be a socket file path");
    }
    if (path.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
      throw new IllegalArgumentException(
          "is longer than " + MAX_SOCKET_PATH + " bytes, the Unix socket path limit");
    }
    try {
      return UnixDomainSocketAddress.of(Path.of(path));
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("is not a valid path: " + e.getReason());
    }
  }

  /** {@code IP:PORT} or {@code unix:PATH}, as {@link #parse} reads it. */
  public static String format(SocketAddress address) {
    return switch (address) {
      case InetSocketAddress a -> {
        String host = AddressText.of(a.getAddress());
        yield (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
      }
      case UnixDomainSocketAddress u -> UNIX + u.getPath();
      default -> address.toString();
    };
  }
}
