package dev.netctl.ipam;

/**
 * Why an IPAM request was refused. Each subclass is one rule; when one is thrown the request
 * changed nothing it was asked to change.
 */
public abstract sealed class IpamException extends RuntimeException {

  private IpamException(String message) {
    super(message);
  }

  /** The address is in no configured pool. */
  public static final class AddressNotInPool extends IpamException {
    public AddressNotInPool(String address) {
      super("IP " + address + " is not inside any IPPool");
    }
  }

  /** The address is already allocated. */
  public static final class AddressInUse extends IpamException {
    public AddressInUse(String address, String handle) {
      super("IP " + address + " is already in use (handle \"" + handle + "\")");
    }
  }

  /** A release named an address that is free. */
  public static final class AddressNotAllocated extends IpamException {
    public AddressNotAllocated(String address) {
      super("IP " + address + " is not allocated: nothing to release");
    }
  }

  /** A release named an address held by another handle than the one given. */
  public static final class HandleMismatch extends IpamException {
    public HandleMismatch(String address, String expected, String actual) {
      super(
          "IP "
              + address
              + " is held by handle \""
              + actual
              + "\", not \""
              + expected
              + "\": not released");
    }
  }

  /** No handle record with that ID exists. */
  public static final class UnknownHandle extends IpamException {
    public UnknownHandle(String handle) {
      super("IPAMHandle \"" + handle + "\" not found");
    }
  }

  /** The node has no Node resource. */
  public static final class UnknownNode extends IpamException {
    public UnknownNode(String node) {
      super("Node \"" + node + "\" not found");
    }
  }

  /** A request named a pool that does not exist. */
  public static final class UnknownPool extends IpamException {
    public UnknownPool(String pool, String handle) {
      super(
          "IPPool \""
              + pool
              + "\" named by the request for handle \""
              + handle
              + "\" does not exist");
    }
  }

  /** A request named a pool that may not serve it (disabled, not selecting the node, other use). */
  public static final class PoolNotUsable extends IpamException {
    public PoolNotUsable(String message) {
      super(message);
    }
  }

  /** No enabled pool of the family selects the node for the requested use. */
  public static final class NoPoolForNode extends IpamException {
    private final String family;

    public NoPoolForNode(String node, String family, String use) {
      super(
          "no enabled "
              + family
              + " IPPool selects node \""
              + node
              + "\" for use "
              + use
              + " (check the pools' nodeSelector, allowedUses and disabled fields)");
      this.family = family;
    }

    /** {@code IPv4} or {@code IPv6}: the family no pool serves. */
    public String family() {
      return family;
    }
  }

  /** The selected pools have no free address the node may use. */
  public static final class PoolExhausted extends IpamException {
    public PoolExhausted(String node, String family, int wanted, int found, String why) {
      super(
          "cannot assign "
              + wanted
              + " "
              + family
              + " address(es) on node \""
              + node
              + "\": only "
              + found
              + " available ("
              + why
              + ")");
    }
  }

  /** A pool still has addresses in use and the operation was not forced. */
  public static final class PoolInUse extends IpamException {
    public PoolInUse(String pool, int inUse) {
      super(
          "IPPool \""
              + pool
              + "\" still has "
              + inUse
              + " address(es) in use: release them first or force");
    }
  }

  /** A block still has addresses in use and releasing its affinity was not forced. */
  public static final class BlockInUse extends IpamException {
    public BlockInUse(String block, String node, int inUse) {
      super(
          "IPAMBlock "
              + block
              + " of node \""
              + node
              + "\" still has "
              + inUse
              + " address(es) in use: release them first or force");
    }
  }

  /** The request itself is malformed (negative counts, blank handle, ...). */
  public static final class InvalidRequest extends IpamException {
    public InvalidRequest(String message) {
      super(message);
    }
  }

  /** Too many concurrent writers kept changing the same blocks; the request may be retried. */
  public static final class Contention extends IpamException {
    public Contention(String message) {
      super(message);
    }
  }
}
