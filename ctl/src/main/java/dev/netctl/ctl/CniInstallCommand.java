package dev.netctl.ctl;

import dev.netctl.agent.cni.CniInstaller;
import dev.netctl.agent.cni.CniPlugin;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code netctl cni install}: what Calico's install container does — the plugin executables into
 * the CNI bin dir, {@code 10-netctl.conflist} into the conf dir.
 */
@Command(
    name = "install",
    description =
        "Install the netctl and netctl-ipam plugins into --bin-dir and write "
            + CniInstaller.CONFLIST
            + " into --conf-dir.")
final class CniInstallCommand implements Callable<Integer>, WithoutDatastore {

  @Spec CommandSpec spec;

  @Option(
      names = "--bin-dir",
      paramLabel = "DIR",
      description = "CNI plugin dir (default: ${DEFAULT-VALUE}).")
  Path binDir = Path.of("/opt/cni/bin");

  @Option(
      names = "--conf-dir",
      paramLabel = "DIR",
      description = "CNI config dir (default: ${DEFAULT-VALUE}).")
  Path confDir = Path.of("/etc/cni/net.d");

  @Option(
      names = "--node",
      paramLabel = "NAME",
      description = "Node name written as nodename (default: the agent's).")
  String node;

  @Option(
      names = "--agent-socket",
      paramLabel = "PATH",
      description = "The node agent's CNI socket (default: ${DEFAULT-VALUE}).")
  String agentSocket = CniPlugin.DEFAULT_SOCKET;

  @Option(
      names = "--mtu",
      paramLabel = "N",
      description = "Pod interface MTU (default: the agent's).")
  int mtu;

  @Option(
      names = "--assign-ipv4",
      arity = "1",
      paramLabel = "true|false",
      description = "Give pods an IPv4 address (default: ${DEFAULT-VALUE}).")
  boolean assignIpv4 = true;

  @Option(
      names = "--assign-ipv6",
      arity = "1",
      paramLabel = "true|false",
      description =
          "Give pods an IPv6 address, for a dual-stack or IPv6 cluster (default:"
              + " ${DEFAULT-VALUE}).")
  boolean assignIpv6;

  @Option(
      names = "--copy-runtime",
      paramLabel = "JAVA_HOME",
      description =
          "Copy this Java runtime to <bin-dir>/netctl-cni/java and run the plugins on the copy"
              + " (for an install container: the host runs the plugins and has no Java of its"
              + " own). Default: the plugins run on the Java running this command.")
  Path copyRuntime;

  @Option(
      names = "--plugin",
      paramLabel = "FILE",
      description =
          "Also copy this CNI plugin executable into --bin-dir, unless the node has one of that"
              + " name already (repeatable; deploy/ passes the image's portmap, which the conflist"
              + " chains).")
  List<Path> plugins = new ArrayList<>();

  @Override
  public Integer call() {
    if (mtu != 0 && (mtu < 68 || mtu > 65535)) {
      throw new CliException(ExitCode.USAGE, "cni install: --mtu " + mtu + ": must be 68-65535");
    }
    if (!agentSocket.startsWith("/")) {
      throw new CliException(
          ExitCode.USAGE,
          "cni install: --agent-socket " + agentSocket + ": must be an absolute path");
    }
    if (!assignIpv4 && !assignIpv6) {
      throw new CliException(
          ExitCode.USAGE,
          "cni install: --assign-ipv4 false and --assign-ipv6 false: pods need at least one"
              + " family");
    }
    if (copyRuntime != null) RuntimeCopy.javaOf(copyRuntime);
    CniInstaller.Installed done;
    List<Path> copied;
    try {
      Path java =
          copyRuntime == null
              ? CniInstaller.currentJava()
              : RuntimeCopy.copy(copyRuntime, binDir.resolve("netctl-cni").resolve("java"));
      // before the conflist: a runtime reading it must find every plugin it names
      copied = CniInstaller.installPluginsIfAbsent(binDir, plugins);
      done =
          CniInstaller.install(
              new CniInstaller.Options(
                  binDir, confDir, node, agentSocket, mtu, java, assignIpv4, assignIpv6));
    } catch (IOException e) {
      throw new CliException(ExitCode.ERROR, "cni install: " + e);
    }
    PrintWriter out = spec.commandLine().getOut();
    for (Path p : copied) out.println("wrote " + p);
    for (Path p : done.files()) out.println("wrote " + p);
    if (!done.archive()) {
      out.println("note: no class-data archive could be made; the plugin starts without one");
    }
    out.flush();
    return ExitCode.OK;
  }
}
