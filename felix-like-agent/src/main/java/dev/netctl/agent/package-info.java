/**
 * The node agent (what calico-node's Felix, confd and BIRD do together): a datastore syncer feeds a
 * pure calculation of the node's desired dataplane and BGP state; dataplane managers take cheap
 * updates and apply them to the kernel in batches; the BGP wiring runs a {@code bgp-speaker} from
 * BGPConfiguration, BGPPeer and Node resources and originates the node's IPAM blocks.
 *
 * <p>Packages: {@code kernel} (the kernel interface, real and fake), {@code syncer}, {@code calc},
 * {@code dataplane}, {@code routing} (BGP wiring), {@code policy} (network policy on nftables),
 * {@code cni} (the CNI plugin and its agent side) and {@code node} (the process).
 */
package dev.netctl.agent;
