package dev.netctl.kube.crd;

import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** {@code ipamconfigs.netctl.dev}: strict affinity, automatic blocks, blocks per host. */
@Group("netctl.dev")
@Version("v1")
@Kind("IPAMConfig")
@Plural("ipamconfigs")
public class IPAMConfigResource extends StoredResource<IPAMConfigSpec> {}
