package dev.netctl.kube.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * {@code felixconfigurations.netctl.dev}: the node agent's settings, {@code default} and {@code
 * node.<nodename>}, with calicoctl's short names.
 */
@Group("netctl.dev")
@Version("v1")
@Kind("FelixConfiguration")
@Plural("felixconfigurations")
@ShortNames({"felixconfig", "felixconfigs"})
@AdditionalPrinterColumn(name = "VXLANVNI", jsonPath = ".spec.vxlanVNI")
@AdditionalPrinterColumn(name = "VXLANPort", jsonPath = ".spec.vxlanPort")
@AdditionalPrinterColumn(name = "RouteRefresh", jsonPath = ".spec.routeRefreshInterval")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class FelixConfigurationResource extends StoredResource<FelixConfigurationSpec> {}
