package dev.netctl.bgp.speaker;

import java.time.Duration;
import java.util.Objects;

/**
 * Graceful restart settings of a speaker (RFC 4724). Whether a peer is offered the capability, and
 * the restart time it is told, is per peer ({@code PeerConfig.gracefulRestartSeconds}).
 *
 * @param restarting this process is a restart whose forwarding state survived (the kernel routes
 *     the agent programmed): OPENs carry the Restart State bit and each family's Forwarding State
 *     bit, and our routes are advertised only once every peer has sent End-of-RIB or {@code
 *     selectionDeferral} passed (RFC 4724 §4.1)
 * @param staleTime how long a restarted peer's stale routes are kept after its session is back,
 *     waiting for its End-of-RIB (BIRD and GoBGP default to 360 s)
 * @param selectionDeferral the longest wait for the peers' End-of-RIB when {@code restarting}
 */
public record RestartOptions(boolean restarting, Duration staleTime, Duration selectionDeferral) {
  /** Not restarting; 360 s stale time and selection deferral. */
  public static final RestartOptions DEFAULT =
      new RestartOptions(false, Duration.ofSeconds(360), Duration.ofSeconds(360));

  /** Validates. */
  public RestartOptions {
    Objects.requireNonNull(staleTime, "staleTime");
    Objects.requireNonNull(selectionDeferral, "selectionDeferral");
    if (staleTime.isNegative() || staleTime.isZero()) {
      throw new IllegalArgumentException(
          "graceful restart staleTime " + staleTime + " must be positive");
    }
    if (selectionDeferral.isNegative() || selectionDeferral.isZero()) {
      throw new IllegalArgumentException(
          "graceful restart selectionDeferral " + selectionDeferral + " must be positive");
    }
  }

  /** The same options, restarting or not. */
  public RestartOptions withRestarting(boolean value) {
    return new RestartOptions(value, staleTime, selectionDeferral);
  }
}
