package dev.netctl.ctl;

import dev.netctl.datastore.DatastoreException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any failure of a verb into one line on stderr and its exit code. A user sees what failed
 * and why, never a stack trace (set NETCTL_DEBUG=1 for one).
 */
final class Failures implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
    Throwable t = unwrap(ex);
    var err = cl.getErr();
    err.println("error: " + message(t));
    if (System.getenv("NETCTL_DEBUG") != null) t.printStackTrace(err);
    err.flush();
    return exitCode(t);
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static String message(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  static int exitCode(Throwable t) {
    return switch (t) {
      case CliException c -> c.exitCode();
      case DatastoreException.NotFound n -> ExitCode.NOT_FOUND;
      case DatastoreException.AlreadyExists a -> ExitCode.ALREADY_EXISTS;
      case DatastoreException.Conflict c -> ExitCode.CONFLICT;
      case DatastoreException.Unavailable u -> ExitCode.UNAVAILABLE;
      default -> ExitCode.ERROR;
    };
  }
}
