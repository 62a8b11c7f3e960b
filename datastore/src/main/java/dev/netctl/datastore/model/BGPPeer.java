package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * A BGP peering (Calico {@code BGPPeer}).
 *
 * @param metadata name and labels
 * @param spec who peers with whom
 */
public record BGPPeer(ObjectMeta metadata, BGPPeerSpec spec) implements Resource {
  public BGPPeer {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  /** A peer named {@code name} with the given spec. */
  public static BGPPeer of(String name, BGPPeerSpec spec) {
    return new BGPPeer(ObjectMeta.named(name), spec);
  }

  @Override
  public Kind<BGPPeer> kind() {
    return Kind.BGP_PEER;
  }

  @Override
  public BGPPeer withMetadata(ObjectMeta newMetadata) {
    return new BGPPeer(newMetadata, spec);
  }
}
