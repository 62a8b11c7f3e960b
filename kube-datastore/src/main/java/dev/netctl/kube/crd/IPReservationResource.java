package dev.netctl.kube.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** {@code ipreservations.netctl.dev}: addresses IPAM never hands out automatically. */
@Group("netctl.dev")
@Version("v1")
@Kind("IPReservation")
@Plural("ipreservations")
@ShortNames({"reservation", "reservations"})
@AdditionalPrinterColumn(name = "CIDRs", jsonPath = ".spec.reservedCIDRs")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class IPReservationResource extends StoredResource<IPReservationSpec> {}
