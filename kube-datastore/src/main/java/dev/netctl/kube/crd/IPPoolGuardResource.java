package dev.netctl.kube.crd;

import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * {@code ippoolguards.netctl.dev}: the key every pool-creating write rewrites, so racing creators
 * of overlapping pools cannot both win.
 */
@Group("netctl.dev")
@Version("v1")
@Kind("IPPoolGuard")
@Plural("ippoolguards")
public class IPPoolGuardResource extends StoredResource<OpaqueSpec> {}
