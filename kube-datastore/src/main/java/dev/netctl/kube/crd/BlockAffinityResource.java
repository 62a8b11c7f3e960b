package dev.netctl.kube.crd;

import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * {@code blockaffinities.netctl.dev}: a node's claim on a block, pending or confirmed (written by
 * IPAM only).
 */
@Group("netctl.dev")
@Version("v1")
@Kind("BlockAffinity")
@Plural("blockaffinities")
public class BlockAffinityResource extends StoredResource<OpaqueSpec> {}
