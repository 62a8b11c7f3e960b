package dev.netctl.agent.kernel;

/** A kernel operation failed; the message names the operation and the kernel's answer. */
public final class KernelException extends RuntimeException {
  public KernelException(String message) {
    super(message);
  }

  public KernelException(String message, Throwable cause) {
    super(message, cause);
  }
}
