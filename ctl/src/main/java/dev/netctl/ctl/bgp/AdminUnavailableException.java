package dev.netctl.ctl.bgp;

/** The admin endpoint of a standalone speaker cannot be reached; the message names its address. */
public final class AdminUnavailableException extends RuntimeException {
  /** With a message naming the address. */
  public AdminUnavailableException(String message) {
    super(message);
  }
}
