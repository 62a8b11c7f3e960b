package dev.netctl.ctl;

import dev.netctl.ctl.bgp.AdminUnavailableException;
import dev.netctl.ctl.bgp.SpeakerConfigException;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.model.CodecException;
import dev.netctl.datastore.model.ValidationException;
import dev.netctl.datastore.selector.SelectorException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any failure of a verb into lines on stderr and its exit code. A user sees what failed and
 * why, never a stack trace (set NETCTL_DEBUG=1 for one). A failure with several causes (every
 * violation of an invalid file) prints one {@code error:} line per cause.
 */
final class Failures implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
    Throwable t = unwrap(ex);
    var err = cl.getErr();
    message(t).lines().forEach(line -> err.println("error: " + line));
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
      case DatastoreException.Locked l -> ExitCode.LOCKED;
      case ValidationException v -> ExitCode.INVALID;
      case CodecException c -> ExitCode.INVALID;
      case SelectorException s -> ExitCode.INVALID;
      case SpeakerConfigException s -> ExitCode.INVALID;
      case AdminUnavailableException a -> ExitCode.UNAVAILABLE;
      default -> ExitCode.ERROR;
    };
  }
}
