/**
 * The netctl resource model: Calico v3 resources ({@link dev.netctl.datastore.model.IPPool}, {@link
 * dev.netctl.datastore.model.BGPPeer}, {@link dev.netctl.datastore.model.BGPConfiguration}, {@link
 * dev.netctl.datastore.model.Node}, {@link dev.netctl.datastore.model.IPAMConfig}) as records,
 * their {@link dev.netctl.datastore.model.Kind} descriptors and table columns, YAML/JSON I/O with
 * Calico conversion ({@link dev.netctl.datastore.model.ResourceCodec}) and validation ({@link
 * dev.netctl.datastore.model.Validator}).
 */
package dev.netctl.datastore.model;
