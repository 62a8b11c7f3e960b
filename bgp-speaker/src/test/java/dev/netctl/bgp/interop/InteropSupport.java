package dev.netctl.bgp.interop;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.bgp.speaker.ReceivedRoute;
import dev.netctl.bgp.speaker.RouteListener;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

/** Shared bits of the interop tests. */
final class InteropSupport {
  private InteropSupport() {}

  static Inet4Address ip(String s) {
    try {
      return (Inet4Address) InetAddress.getByName(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  /**
   * A free port on {@code address}: bound to 0 and released, for a daemon whose config names its
   * port (our speaker binds 0 itself).
   */
  static int freePort(String address) throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.ofLiteral(address), 0));
      return s.getLocalPort();
    }
  }

  /** Our side: active peer with a short hold time so failures show quickly. */
  static PeerSpec peer(String local, long localAs, String remote, int port, long remoteAs) {
    PeerConfig config =
        PeerConfig.of(localAs, ip(local), remoteAs)
            .withHoldTime(9)
            .withConnectRetry(Duration.ofSeconds(1));
    return new PeerSpec(new InetSocketAddress(ip(remote), port), ip(local), config, false, null, 0);
  }

  /**
   * Our side as an eBGP neighbour exchanging everything: without configured policies RFC 8212 would
   * let no route through.
   */
  static Neighbor open(PeerSpec spec) {
    return Neighbor.of(spec).withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL);
  }

  /** Polls {@code condition} until true or the deadline, then fails with {@code details}. */
  /**
   * The prefixes {@code speaker} reports withdrawn by any peer from now on, in order, as a list
   * safe to read from the test thread while the speaker adds to it.
   */
  static List<Prefix> withdrawals(BgpSpeaker speaker) {
    List<Prefix> withdrawn = new CopyOnWriteArrayList<>();
    speaker.subscribe(
        new RouteListener() {
          @Override
          public void announced(InetAddress peer, List<ReceivedRoute> routes) {}

          @Override
          public void withdrawn(InetAddress peer, List<Nlri> nlri) {
            nlri.forEach(n -> withdrawn.add(n.prefix()));
          }
        });
    return withdrawn;
  }

  static void await(Duration limit, Callable<Boolean> condition, Details details) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.call()) {
        return;
      }
      Thread.sleep(200);
    }
    String text;
    try {
      text = details.get();
    } catch (Exception e) {
      text = "(details failed: " + e + ")";
    }
    throw new AssertionError("not reached within " + limit + ": " + text);
  }

  static State state(BgpSpeaker s) {
    return s.peers().getFirst().state();
  }

  static String status(BgpSpeaker s) {
    StringBuilder sb = new StringBuilder(s.peers().toString());
    s.peers().forEach(p -> sb.append("\nreceived: ").append(s.received(p.remote().getAddress())));
    return sb.toString();
  }

  /** A details supplier for failures; exceptions become text. */
  interface Details {
    String get() throws Exception;
  }
}
