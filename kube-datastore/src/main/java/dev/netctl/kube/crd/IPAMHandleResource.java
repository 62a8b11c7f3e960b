package dev.netctl.kube.crd;

import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * {@code ipamhandles.netctl.dev}: the addresses held under one handle, per block (written by IPAM
 * only).
 */
@Group("netctl.dev")
@Version("v1")
@Kind("IPAMHandle")
@Plural("ipamhandles")
public class IPAMHandleResource extends StoredResource<OpaqueSpec> {}
