package dev.netctl.ipam.usage;

/**
 * Everything IPAM knows about one address, for {@code netctl ipam show --ip}.
 *
 * @param address the address
 * @param pool the pool holding it
 * @param block the block it would live in, or null when that block does not exist
 * @param blockNode the block's owner, or null
 * @param allocated whether it is in use
 * @param handle the holding handle, when allocated
 * @param pod the pod, when recorded
 * @param namespace the pod namespace, when recorded
 * @param node the node it was assigned on, when allocated
 * @param sequenceNumber the sequence number it was assigned at, when allocated
 * @param reserved whether an IPReservation keeps it from automatic assignment
 */
public record AddressInfo(
    String address,
    String pool,
    String block,
    String blockNode,
    boolean allocated,
    String handle,
    String pod,
    String namespace,
    String node,
    Long sequenceNumber,
    boolean reserved) {}
