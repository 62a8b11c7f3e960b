package dev.netctl.datastore.migrate;

/** Why a migration step refused to run; nothing was written when it is thrown before writing. */
public final class MigrationException extends RuntimeException {

  /** What went wrong, so the CLI can pick an exit code. */
  public enum Reason {
    /** The dump (or Calico input) is malformed or holds an invalid object. */
    INVALID_INPUT,
    /** The import target already holds objects. */
    TARGET_NOT_EMPTY,
    /** The source changed while it was being exported. */
    SOURCE_CHANGED,
    /** The target does not read back what was imported. */
    VERIFY_FAILED
  }

  private final Reason reason;

  public MigrationException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
