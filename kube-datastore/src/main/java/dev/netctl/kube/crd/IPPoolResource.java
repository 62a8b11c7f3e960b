package dev.netctl.kube.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** {@code ippools.netctl.dev}: the pools IPAM carves into blocks. */
@Group("netctl.dev")
@Version("v1")
@Kind("IPPool")
@Plural("ippools")
@ShortNames({"pool", "pools"})
@AdditionalPrinterColumn(name = "CIDR", jsonPath = ".spec.cidr", priority = 0)
@AdditionalPrinterColumn(
    name = "BlockSize",
    jsonPath = ".spec.blockSize",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "IPIP", jsonPath = ".spec.ipipMode")
@AdditionalPrinterColumn(name = "VXLAN", jsonPath = ".spec.vxlanMode")
@AdditionalPrinterColumn(
    name = "NAT",
    jsonPath = ".spec.natOutgoing",
    type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(
    name = "Disabled",
    jsonPath = ".spec.disabled",
    type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class IPPoolResource extends StoredResource<IPPoolSpec> {}
