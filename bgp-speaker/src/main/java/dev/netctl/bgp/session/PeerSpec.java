package dev.netctl.bgp.session;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.fsm.PeerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * How to reach one peer and what to negotiate with it.
 *
 * @param remote the peer's address and port
 * @param localAddress the address we connect from and expect the peer to connect to
 * @param config protocol parameters
 * @param passive only wait for the peer to connect
 * @param md5Password TCP MD5 password (RFC 2385), or null; needs epoll
 * @param ttlSecurityHops GTSM hop count (RFC 5082), or 0 for none; needs epoll
 */
public record PeerSpec(
    InetSocketAddress remote,
    InetAddress localAddress,
    PeerConfig config,
    boolean passive,
    String md5Password,
    int ttlSecurityHops) {
  /** Validates. */
  public PeerSpec {
    Objects.requireNonNull(remote, "remote");
    Objects.requireNonNull(localAddress, "localAddress");
    Objects.requireNonNull(config, "config");
    if (remote.isUnresolved()) {
      throw new IllegalArgumentException(
          "peer remote "
              + remote.getHostString()
              + ":"
              + remote.getPort()
              + " must be an IP address");
    }
    if (ttlSecurityHops < 0 || ttlSecurityHops > 255) {
      throw new IllegalArgumentException(
          "peer "
              + AddressText.of(remote)
              + " ttlSecurityHops "
              + ttlSecurityHops
              + " must be 0..255");
    }
  }

  /** An active peer without MD5 or GTSM. */
  public static PeerSpec of(InetSocketAddress remote, InetAddress localAddress, PeerConfig config) {
    return new PeerSpec(remote, localAddress, config, false, null, 0);
  }
}
