package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.Nlri;
import java.net.InetAddress;
import java.util.List;

/**
 * Receives routes learned from peers. Called on the speaker's event loop: return quickly, never
 * block, and hand heavy work to another thread.
 */
public interface RouteListener {
  /** Routes the peer announced (replacing earlier ones for the same NLRI). */
  void announced(InetAddress peer, List<ReceivedRoute> routes);

  /** Routes the peer withdrew, or that vanished because its session went down. */
  void withdrawn(InetAddress peer, List<Nlri> nlri);
}
