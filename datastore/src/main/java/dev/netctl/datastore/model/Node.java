package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * A cluster node (Calico {@code Node}). Its labels are what BGPPeer and IPPool selectors match.
 *
 * @param metadata name (the Kubernetes node name) and labels
 * @param spec the node's routing identity
 */
public record Node(ObjectMeta metadata, NodeSpec spec) implements Resource {
  public Node {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  /** A node named {@code name} with the given spec. */
  public static Node of(String name, NodeSpec spec) {
    return new Node(ObjectMeta.named(name), spec);
  }

  @Override
  public Kind<Node> kind() {
    return Kind.NODE;
  }

  @Override
  public Node withMetadata(ObjectMeta newMetadata) {
    return new Node(newMetadata, spec);
  }
}
