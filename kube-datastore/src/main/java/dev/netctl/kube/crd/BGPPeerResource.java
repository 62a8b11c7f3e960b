package dev.netctl.kube.crd;

import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** {@code bgppeers.netctl.dev}: BGP peerings beyond the node mesh (spec as netctl's BGPPeer). */
@Group("netctl.dev")
@Version("v1")
@Kind("BGPPeer")
@Plural("bgppeers")
public class BGPPeerResource extends StoredResource<OpaqueSpec> {}
