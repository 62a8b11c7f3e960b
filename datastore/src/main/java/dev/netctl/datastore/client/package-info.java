/**
 * Typed, validated access to resources in any {@link dev.netctl.datastore.Datastore}: {@link
 * dev.netctl.datastore.client.ResourceClient}.
 */
package dev.netctl.datastore.client;
