package dev.netctl.ctl;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The workload the {@code ./netctl} launcher records once per build to make its class-data-sharing
 * archive: typical commands, run in-process against an embedded store in a scratch directory.
 *
 * <p>The archive holds the classes a recorded run loaded, so recording one user's first command
 * (say {@code version}) would leave out the datastore, YAML and table classes of every later {@code
 * get}. This runs a little of everything instead. It prints nothing and never touches the user's
 * store; the launcher gives it a directory of its own and deletes it afterwards.
 */
public final class StartupTraining {

  private static final String MANIFESTS =
      """
      apiVersion: netctl.dev/v1
      kind: IPPool
      metadata: {name: training-pool, labels: {zone: a}}
      spec: {cidr: 10.250.0.0/16, blockSize: 26, natOutgoing: true}
      ---
      apiVersion: netctl.dev/v1
      kind: BGPPeer
      metadata: {name: training-peer}
      spec: {peerIP: 192.0.2.1, asNumber: 65001}
      """;

  private StartupTraining() {}

  /**
   * Runs the workload in {@code args[0]}, an empty scratch directory; exit 1 if a command failed.
   */
  public static void main(String[] args) {
    List<String> failed = run(Path.of(args[0]));
    failed.forEach(System.err::println);
    System.exit(failed.isEmpty() ? 0 : 1);
  }

  /**
   * Runs every training command in {@code dir}.
   *
   * @return one line per command that did not exit 0, empty when all did
   */
  static List<String> run(Path dir) {
    Path manifests = dir.resolve("training.yaml");
    try {
      Files.writeString(manifests, MANIFESTS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String store = "embedded:" + dir.resolve("training.db");
    List<List<String>> commands =
        List.of(
            List.of("--help"),
            List.of("version"),
            List.of("validate", "-f", manifests.toString()),
            List.of("--datastore", store, "apply", "-f", manifests.toString()),
            List.of("--datastore", store, "get", "ippools"),
            List.of("--datastore", store, "get", "ippools", "-o", "wide"),
            List.of("--datastore", store, "get", "ippool", "training-pool", "-o", "yaml"),
            List.of("--datastore", store, "get", "bgppeers", "-o", "json"),
            List.of("--datastore", store, "get", "ippools", "-l", "zone == 'a'", "-o", "name"),
            List.of("--datastore", store, "ipam", "show"),
            List.of("--datastore", store, "delete", "bgppeer", "training-peer"));
    List<String> failed = new ArrayList<>();
    for (List<String> command : commands) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code;
      try (PrintWriter o = new PrintWriter(out);
          PrintWriter e = new PrintWriter(err)) {
        code = Netctl.execute(InputStream.nullInputStream(), o, e, command.toArray(String[]::new));
      }
      if (code != ExitCode.OK) {
        failed.add("netctl " + String.join(" ", command) + ": exit " + code + ": " + err);
      }
    }
    return failed;
  }
}
