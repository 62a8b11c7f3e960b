package dev.netctl.kube.crd;

import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * {@code nodes.netctl.dev}: netctl's view of a node: BGP addresses, AS number, tunnel addresses.
 */
@Group("netctl.dev")
@Version("v1")
@Kind("Node")
@Plural("nodes")
public class NodeResource extends StoredResource<OpaqueSpec> {}
