package dev.netctl.bgp.interop;

import java.util.ArrayList;
import java.util.List;

/**
 * The gobgpd TOML the interop tests start GoBGP with: one global section, optional verbatim
 * sections (policies), then neighbours. Every neighbour gets the short timers the tests rely on
 * (hold time 9 s, connect retry 1 s) and uses the global address as its local address.
 */
final class GobgpConfig {
  private final long as;
  private final String address;
  private final int port;
  private String routerId;
  private final StringBuilder sections = new StringBuilder();

  private GobgpConfig(long as, String address, int port) {
    this.as = as;
    this.address = address;
    this.port = port;
    this.routerId = address;
  }

  /**
   * GoBGP as {@code as}, listening on {@code address:port}; the router id is the address unless
   * {@link #routerId} says otherwise.
   */
  static GobgpConfig global(long as, String address, int port) {
    return new GobgpConfig(as, address, port);
  }

  /** Another router id than the address, which must be IPv4: for GoBGP on {@code ::1}. */
  GobgpConfig routerId(String id) {
    routerId = id;
    return this;
  }

  /** Appends {@code toml} as it is, e.g. policy sections a single test needs. */
  GobgpConfig raw(String toml) {
    sections.append(toml);
    return this;
  }

  /** Appends a neighbour. */
  GobgpConfig neighbor(Neighbor n) {
    sections.append(
        """
        [[neighbors]]
          [neighbors.config]
            neighbor-address = "%s"
            peer-as = %d
          [neighbors.transport.config]
            remote-port = %d
            local-address = "%s"
          [neighbors.timers.config]
            hold-time = 9
            connect-retry = 1
        """
            .formatted(n.address, n.peerAs, n.remotePort, address));
    if (n.idleHoldAfterReset >= 0) {
      sections.append("    idle-hold-time-after-reset = %d\n".formatted(n.idleHoldAfterReset));
    }
    if (n.restartSeconds >= 0) {
      sections.append(
          """
            [neighbors.graceful-restart.config]
              enabled = true
              restart-time = %d
              notification-enabled = %b
          """
              .formatted(n.restartSeconds, n.notification));
    }
    for (String family : n.families) {
      sections.append(
          """
            [[neighbors.afi-safis]]
              [neighbors.afi-safis.config]
                afi-safi-name = "%s"
          """
              .formatted(family));
      if (n.restartSeconds >= 0) {
        sections.append(
            """
                [neighbors.afi-safis.mp-graceful-restart.config]
                  enabled = true
            """);
      }
      if (n.addPaths != null) {
        sections.append(
            """
                [neighbors.afi-safis.add-paths.config]
                  %s
            """
                .formatted(n.addPaths));
      }
    }
    return this;
  }

  /** The TOML text. */
  String render() {
    return """
        [global.config]
          as = %d
          router-id = "%s"
          port = %d
          local-address-list = ["%s"]
        """
            .formatted(as, routerId, port, address)
        + sections;
  }

  /** One {@code [[neighbors]]} entry: GoBGP's peer at {@code address:remotePort}. */
  static final class Neighbor {
    private final String address;
    private final long peerAs;
    private final int remotePort;
    private List<String> families = List.of("ipv4-unicast");
    private String addPaths;
    private int restartSeconds = -1;
    private boolean notification;
    private int idleHoldAfterReset = -1;

    private Neighbor(String address, long peerAs, int remotePort) {
      this.address = address;
      this.peerAs = peerAs;
      this.remotePort = remotePort;
    }

    /** An IPv4-unicast neighbour. */
    static Neighbor of(String address, long peerAs, int remotePort) {
      return new Neighbor(address, peerAs, remotePort);
    }

    /** Replaces the address families, GoBGP names such as {@code "ipv6-unicast"}. */
    Neighbor families(String... names) {
      families = new ArrayList<>(List.of(names));
      return this;
    }

    /** GoBGP sends up to {@code max} paths per prefix (ADD-PATH, RFC 7911) in every family. */
    Neighbor addPathsSend(int max) {
      addPaths = "send-max = " + max;
      return this;
    }

    /**
     * Graceful restart (RFC 4724) with {@code seconds} of restart time in every family, and with
     * the N bit (RFC 8538) when {@code notification}.
     */
    Neighbor gracefulRestart(int seconds, boolean notification) {
      restartSeconds = seconds;
      this.notification = notification;
      return this;
    }

    /** GoBGP dials again {@code seconds} after a reset (its default is 30 s). */
    Neighbor idleHoldAfterReset(int seconds) {
      idleHoldAfterReset = seconds;
      return this;
    }

    /** GoBGP accepts several paths per prefix (ADD-PATH, RFC 7911) in every family. */
    Neighbor addPathsReceive() {
      addPaths = "receive = true";
      return this;
    }
  }
}
