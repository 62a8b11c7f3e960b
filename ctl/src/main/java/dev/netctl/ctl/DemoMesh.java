package dev.netctl.ctl;

import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.PeerStatus;
import dev.netctl.bgp.speaker.ReceivedRoute;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The demo's BGP part: one speaker per node on its own loopback address, in a node-to-node iBGP
 * full mesh (Calico's default), each originating its node's IPAM blocks with itself as next hop. It
 * is the wiring the node agent does, reduced to what fits in one process.
 */
final class DemoMesh implements AutoCloseable {

  /** A node of the demo: its name, its BGP address and the blocks IPAM gave it. */
  record Member(String name, Inet4Address address, List<Prefix> blocks) {}

  private final Map<Member, BgpSpeaker> speakers = new LinkedHashMap<>();

  /** Starts every speaker, peers each with all others, and originates each node's blocks. */
  DemoMesh(List<Member> members, long asNumber, int port) throws InterruptedException {
    try {
      for (Member m : members) {
        speakers.put(
            m,
            BgpSpeaker.start(asNumber, new InetSocketAddress(m.address(), port), Transport.best()));
      }
      for (Member m : members) {
        BgpSpeaker s = speakers.get(m);
        for (Member other : members) {
          if (other == m) continue;
          // Short hold time and retry: the demo should converge in seconds, not minutes.
          PeerConfig config =
              PeerConfig.of(asNumber, m.address(), asNumber)
                  .withHoldTime(9)
                  .withConnectRetry(Duration.ofSeconds(1));
          s.addPeer(PeerSpec.of(new InetSocketAddress(other.address(), port), m.address(), config));
        }
        for (Prefix block : m.blocks()) s.originate(block, m.address(), List.of());
      }
    } catch (RuntimeException | InterruptedException e) {
      close();
      throw e;
    }
  }

  /**
   * Waits until every session is Established and every node holds every other node's blocks.
   *
   * @return whether that happened before the deadline
   */
  boolean awaitConverged(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (converged()) return true;
      Thread.sleep(100);
    }
    return converged();
  }

  private boolean converged() {
    for (var e : speakers.entrySet()) {
      if (!e.getValue().peers().stream().allMatch(p -> p.state() == State.ESTABLISHED)) {
        return false;
      }
      Set<Prefix> learned =
          Set.copyOf(routes(e.getKey()).stream().map(r -> r.nlri().prefix()).toList());
      for (Member other : speakers.keySet()) {
        if (other != e.getKey() && !learned.containsAll(other.blocks())) return false;
      }
    }
    return true;
  }

  List<PeerStatus> peers(Member m) {
    return speakers.get(m).peers();
  }

  /** Every route the node received, from all its peers. */
  List<ReceivedRoute> routes(Member m) {
    BgpSpeaker s = speakers.get(m);
    List<ReceivedRoute> all = new ArrayList<>();
    for (PeerStatus p : s.peers()) all.addAll(s.received(p.remote().getAddress()));
    return all;
  }

  static InetAddress address(String ip) {
    try {
      return InetAddress.getByName(ip);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + ip, e);
    }
  }

  @Override
  public void close() {
    for (BgpSpeaker s : speakers.values()) s.close();
    speakers.clear();
  }
}
