package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.fsm.Negotiated;
import dev.netctl.bgp.rib.Peer;
import dev.netctl.bgp.rib.UpdateGroup;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One established session as the RIB knows it: the RIB's {@link Peer}, the update group it is
 * exported through, and the tail of the RIB work queued for it. Touched on the speaker's loop only,
 * except {@link #peer}, which chained RIB work reads from the RIB's threads.
 */
final class AttachedPeer {
  // Replaced (on the loop) when the reflector-client role changes; read by chained RIB work.
  volatile Peer peer;
  // Completes once the RIB is done with everything asked for this session so far: every RIB call
  // for the session is chained on it, so they run in the order the session produced them.
  CompletableFuture<Void> ready;
  // UPDATEs received in this turn of the loop and not yet handed to the RIB: they go as one batch
  // (see SessionEvents.update). Null when no batch is open.
  UpdateBatch batch;
  // The batch opened last: the next one may go to the RIB without waiting for it (UpdateBatch).
  UpdateBatch lastBatch;
  // Null until the RIB registered the peer.
  UpdateGroup group;
  // Batches of UPDATEs handed to the RIB and not processed yet: the session stops reading while
  // several are.
  int inFlight;
  final Negotiated negotiated;
  // Takes the routes of families not negotiated out of what the peer sends.
  final NegotiatedFamilies received;
  // Whether the initial table dump was scheduled (it waits while we are restarting).
  boolean joined;
  // Whether the RIB failed to apply some of the session's UPDATEs (the session is then reset once).
  boolean failed;
  final Set<AddressFamily> endOfRibPending;

  /**
   * The point to chain RIB work on, after everything queued for the session so far. Closes the open
   * batch: an UPDATE received later must not join work chained before this.
   */
  CompletableFuture<Void> tail() {
    batch = null;
    return ready;
  }

  AttachedPeer(Peer peer, Negotiated negotiated, Set<AddressFamily> families) {
    this.peer = peer;
    this.negotiated = negotiated;
    this.received = new NegotiatedFamilies(negotiated.families());
    this.endOfRibPending = new HashSet<>(families);
  }

  /**
   * Whether our restart should still wait for this peer's End-of-RIB: it can send one (it
   * advertised graceful restart and is not restarting itself, RFC 4724 §4.1) and has not yet for
   * some family.
   */
  boolean owesEndOfRib() {
    var gr = negotiated.peerOpen().capability(Capability.GracefulRestart.class);
    return gr.isPresent() && !gr.get().restarting() && !endOfRibPending.isEmpty();
  }
}
