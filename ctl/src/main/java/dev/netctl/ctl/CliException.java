package dev.netctl.ctl;

/** A failure a verb reports with a specific exit code and a message meant for the user. */
final class CliException extends RuntimeException {
  private final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
