package dev.netctl.ctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code netctl version}: the client version and the Java runtime it runs on. */
@Command(name = "version", description = "Print the netctl version.")
final class VersionCommand implements Callable<Integer>, WithoutDatastore {
  @Spec CommandSpec spec;

  static String version() {
    String v = Netctl.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    out.println("Client Version:    " + version());
    out.println("Java Version:      " + Runtime.version());
    out.flush();
    return ExitCode.OK;
  }
}
