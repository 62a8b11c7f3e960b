package dev.netctl.bgp.rib;

/** Where a route came from, as far as best-path selection and export rules care. */
public enum PeerKind {
  /** Originated by this speaker (counts as external for "eBGP over iBGP"). */
  LOCAL,
  /** Learned from a peer in another AS. */
  EBGP,
  /** Learned from a peer in our AS. */
  IBGP
}
