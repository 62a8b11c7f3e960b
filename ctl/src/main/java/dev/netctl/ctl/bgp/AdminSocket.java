package dev.netctl.ctl.bgp;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The socket file of an admin endpoint on a Unix-domain socket: bound with mode 0600, a stale file
 * left by a crashed run replaced, and removed again on close.
 *
 * <p>Between bind(2) and chmod(2) the file briefly has the umask's mode, and connections made then
 * wait in the backlog; every accepted connection is therefore also checked by its peer credentials
 * ({@code SO_PEERCRED}): only our own user and root are served.
 */
final class AdminSocket {
  // S_IFMT and S_IFSOCK from <sys/stat.h>.
  private static final int TYPE_MASK = 0170000;
  private static final int SOCKET = 0140000;

  private final Path path;
  private final ServerSocketChannel channel;
  private final Object fileKey;
  private final UserPrincipal owner;

  private AdminSocket(Path path, ServerSocketChannel channel) throws IOException {
    this.path = path;
    this.channel = channel;
    this.fileKey = Files.readAttributes(path, "basic:fileKey").get("fileKey");
    this.owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Binds {@code path}, replacing it only when it is a socket nobody listens on.
   *
   * @throws IOException when the path is in use, is not a socket, or cannot be bound
   */
  static AdminSocket bind(Path path) throws IOException {
    clearStale(path);
    ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.bind(UnixDomainSocketAddress.of(path));
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
      return new AdminSocket(path, channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** A socket file that refuses connections was left by a run that did not clean up: remove it. */
  private static void clearStale(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if ((mode & TYPE_MASK) != SOCKET) {
      throw new IOException(path + " exists and is not a socket; remove it or choose another path");
    }
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      throw new IOException(path + " is in use by a running endpoint (another `netctl bgp run`?)");
    } catch (ConnectException stale) {
      Files.deleteIfExists(path);
    }
  }

  ServerSocketChannel channel() {
    return channel;
  }

  /** Whether the connecting process runs as our user or as root. */
  boolean allowed(SocketChannel client) {
    try {
      UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
      return peer.user().equals(owner) || peer.user().getName().equals("root");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Deletes the socket file, unless another process has replaced it meanwhile. */
  void remove() {
    try {
      Object now = Files.readAttributes(path, "basic:fileKey").get("fileKey");
      if (fileKey != null && fileKey.equals(now)) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // Already removed.
    }
  }
}
