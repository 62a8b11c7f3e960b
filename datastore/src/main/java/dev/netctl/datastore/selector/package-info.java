/**
 * Calico's label selector language, parsed once into a {@link
 * dev.netctl.datastore.selector.Selector} tree and matched against label maps.
 */
package dev.netctl.datastore.selector;
