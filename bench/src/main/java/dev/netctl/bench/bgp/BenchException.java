package dev.netctl.bench.bgp;

/** A scenario that cannot finish: the message says which wait or which daemon failed. */
final class BenchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BenchException(String message) {
    super(message);
  }

  BenchException(String message, Throwable cause) {
    super(message, cause);
  }
}
