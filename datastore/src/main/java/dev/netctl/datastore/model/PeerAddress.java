package dev.netctl.datastore.model;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * A parsed BGPPeer {@code peerIP}: an address and an optional port. Accepted forms: {@code
 * 10.0.0.1}, {@code 10.0.0.1:1790}, {@code fd00::1}, {@code [fd00::1]} and {@code [fd00::1]:1790}.
 *
 * @param address the peer's address
 * @param port the TCP port, or 0 when not given (use the configured listen port, 179 by default)
 */
public record PeerAddress(InetAddress address, int port) {

  /**
   * Parses a peerIP.
   *
   * @throws IllegalArgumentException when it is not one of the accepted forms or the port is not
   *     1-65535
   */
  public static PeerAddress parse(String text) {
    if (text == null) throw new IllegalArgumentException("no peer address");
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) throw new IllegalArgumentException("missing ']' in " + text);
      InetAddress a = Cidr.parseAddress(text.substring(1, close));
      if (!(a instanceof Inet6Address)) {
        throw new IllegalArgumentException("brackets are only for IPv6: " + text);
      }
      String rest = text.substring(close + 1);
      if (rest.isEmpty()) return new PeerAddress(a, 0);
      if (!rest.startsWith(":")) throw new IllegalArgumentException("expected ':port' in " + text);
      return new PeerAddress(a, port(rest.substring(1), text));
    }
    int colons = text.length() - text.replace(":", "").length();
    if (colons == 1) {
      int c = text.indexOf(':');
      return new PeerAddress(
          Cidr.parseAddress(text.substring(0, c)), port(text.substring(c + 1), text));
    }
    return new PeerAddress(Cidr.parseAddress(text), 0);
  }

  /** A peerIP in RFC 5952 form ({@code [2001:db8::2]:1179}); unparseable text as written. */
  public static String canonical(String text) {
    if (text == null) return null;
    try {
      return parse(text).toString();
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  private static int port(String s, String text) {
    if (!s.matches("[0-9]{1,5}") || Integer.parseInt(s) < 1 || Integer.parseInt(s) > 65535) {
      throw new IllegalArgumentException("port must be 1-65535 in " + text);
    }
    return Integer.parseInt(s);
  }

  /** True when a port was given. */
  public boolean hasPort() {
    return port != 0;
  }

  @Override
  public String toString() {
    String a = Cidr.format(address);
    if (port == 0) return a;
    return address instanceof Inet6Address ? "[" + a + "]:" + port : a + ":" + port;
  }
}
