package dev.netctl.kube.crd;

import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * {@code bgpconfigurations.netctl.dev}: cluster-wide BGP settings (spec as netctl's
 * BGPConfiguration).
 */
@Group("netctl.dev")
@Version("v1")
@Kind("BGPConfiguration")
@Plural("bgpconfigurations")
public class BGPConfigurationResource extends StoredResource<OpaqueSpec> {}
