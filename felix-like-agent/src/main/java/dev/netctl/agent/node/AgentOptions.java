package dev.netctl.agent.node;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a node agent runs; the defaults are Calico's where Calico has one.
 *
 * @param nodeName this node's name
 * @param ip {@code auto}, {@code none} (an IPv6-only node) or an IPv4 {@code ADDR/LEN}
 * @param ip6 {@code auto}, {@code none} or an IPv6 {@code ADDR/LEN}
 * @param autodetection {@code first-found}, {@code interface=REGEX}, {@code can-reach=ADDR} or
 *     {@code cidr=CIDR}
 * @param vxlanVni the VXLAN network identifier (Calico: 4096)
 * @param vxlanPort the VXLAN UDP port (4789)
 * @param mtu the pod MTU, or 0 to derive it from the parent interface minus the encapsulation
 * @param healthHost where the health/metrics/status endpoint listens
 * @param healthPort its port (calico-node's 9099); 0 turns it off
 * @param secretsDir where BGP password secrets are read from ({@code <dir>/<name>/<key>})
 * @param resyncInterval how often the kernel is re-read in full (Felix: 90 s)
 * @param routerId the BGP router id: null (the IPv4 address, or {@code hash} on an IPv6-only node),
 *     {@code hash} (derived from the node name) or a dotted quad; Calico's {@code CALICO_ROUTER_ID}
 * @param tunnelMtus the MTUs of the tunnel devices (Felix's {@code vxlanMTU}, {@code vxlanMTUV6},
 *     {@code ipipMTU}); pods get the smallest of those in use unless {@code mtu} is set
 */
public record AgentOptions(
    String nodeName,
    String ip,
    String ip6,
    String autodetection,
    int vxlanVni,
    int vxlanPort,
    int mtu,
    String healthHost,
    int healthPort,
    Path secretsDir,
    Duration resyncInterval,
    String routerId,
    TunnelMtus tunnelMtus) {

  /**
   * Felix's {@code vxlanMTU}, {@code vxlanMTUV6} and {@code ipipMTU}; 0 derives one from the parent
   * interface's MTU minus the encapsulation's overhead (50, 70, 20), as Felix does when unset.
   */
  public record TunnelMtus(int vxlan, int vxlanV6, int ipip) {
    /** Every one derived. */
    public static final TunnelMtus DERIVED = new TunnelMtus(0, 0, 0);
  }

  /** Calico's defaults for a node. */
  public static AgentOptions defaults(String nodeName) {
    return new AgentOptions(
        nodeName,
        "auto",
        "auto",
        "first-found",
        4096,
        4789,
        0,
        "127.0.0.1",
        9099,
        Path.of("/etc/netctl/secrets"),
        Duration.ofSeconds(90),
        null,
        TunnelMtus.DERIVED);
  }
}
