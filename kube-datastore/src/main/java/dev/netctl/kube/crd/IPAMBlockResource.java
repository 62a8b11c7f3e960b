package dev.netctl.kube.crd;

import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * {@code ipamblocks.netctl.dev}: one block of a pool and its allocations (written by IPAM only).
 */
@Group("netctl.dev")
@Version("v1")
@Kind("IPAMBlock")
@Plural("ipamblocks")
public class IPAMBlockResource extends StoredResource<OpaqueSpec> {}
