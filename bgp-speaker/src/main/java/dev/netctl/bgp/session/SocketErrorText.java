package dev.netctl.bgp.session;

import java.util.regex.Pattern;

/**
 * A socket error as a person reads it in {@code bgp peers}, {@code node status} and the log: the
 * operating system's reason ({@code Connection refused}) without what Netty adds around it, the
 * system call ({@code finishConnect(..) failed with error(-111): }) and the remote address in
 * Java's form ({@code : /[0:0:0:0:0:0:0:1]:179}), which is not RFC 5952's and repeats the peer the
 * line is already about.
 */
final class SocketErrorText {
  private static final Pattern SYSCALL =
      Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");
  // InetSocketAddress.toString(): "host/addr:port" or "/addr:port", IPv6 in brackets.
  private static final Pattern ADDRESS = Pattern.compile(": [^\\s/]*/[^\\s]+:\\d+$");

  private SocketErrorText() {}

  /** The reason of {@code cause}, or its class name when it has no message. */
  static String of(Throwable cause) {
    String message = cause.getMessage();
    if (message == null || message.isBlank()) {
      return cause.getClass().getSimpleName();
    }
    return ADDRESS.matcher(SYSCALL.matcher(message).replaceFirst("")).replaceFirst("");
  }
}
