/**
 * The custom resource classes the CRDs in {@code deploy/crds} are generated from (fabric8's
 * crd-generator, at build time). Only the schema comes from here; the backend reads and writes
 * objects as JSON ({@link dev.netctl.kube.ObjectMapping}).
 */
package dev.netctl.kube.crd;
