package dev.netctl.ctl.bgp;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Parses the admin endpoint address {@code IP:PORT} (IPv6 as {@code [::1]:PORT}). */
public final class AdminAddress {
  /** Where {@code bgp run} listens and {@code bgp peers}/{@code routes} connect by default. */
  public static final String DEFAULT = "127.0.0.1:9179";

  private AdminAddress() {}

  /**
   * Parses {@code IP:PORT}.
   *
   * @throws IllegalArgumentException with the rule broken
   */
  public static InetSocketAddress parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("must be IP:PORT, e.g. " + DEFAULT);
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

  /** {@code IP:PORT} as {@link #parse} reads it. */
  public static String format(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
