package dev.netctl.ctl;

/**
 * The process exit codes of {@code netctl}, documented in the README so scripts can branch on them.
 * They are distinct per failure class because "already exists" and "conflict" call for different
 * reactions from a script (skip vs. re-read and retry).
 */
public final class ExitCode {
  public static final int OK = 0;

  /** Anything not classified below. */
  public static final int ERROR = 1;

  /** Bad command line: unknown option, missing argument. */
  public static final int USAGE = 2;

  /** The named resource does not exist. */
  public static final int NOT_FOUND = 3;

  /** A create found the resource present. */
  public static final int ALREADY_EXISTS = 4;

  /** A compare-and-swap lost: the resource changed since it was read. Re-read and retry. */
  public static final int CONFLICT = 5;

  /** The input is invalid: a field breaks a rule, or the file cannot be parsed. Nothing written. */
  public static final int INVALID = 6;

  /** The datastore cannot be reached. */
  public static final int UNAVAILABLE = 7;

  /** {@code ipam check} found problems. */
  public static final int PROBLEMS_FOUND = 8;

  /** No free address: every pool that may serve the request is full for that node. */
  public static final int EXHAUSTED = 9;

  /** The datastore is locked for migration ({@code netctl datastore migrate lock}). */
  public static final int LOCKED = 10;

  private ExitCode() {}
}
