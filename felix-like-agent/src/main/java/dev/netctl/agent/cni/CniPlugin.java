package dev.netctl.agent.cni;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plugin executable ({@code netctl} and {@code netctl-ipam}): reads the CNI environment and the
 * network config, answers VERSION itself, and hands every other command to the node agent in ONE
 * request over its Unix socket, then prints what the agent answered. It loads only the JDK, {@link
 * Json} and {@link CniError}, so with a class-data archive it starts in a few tens of milliseconds.
 *
 * <p>Wire protocol (see docs/cni.md): the plugin writes one JSON object {@code {command, plugin,
 * containerID, netns, ifName, args, path, config}} and shuts its output down; the agent answers one
 * JSON object {@code {ok: true, output: RESULT-or-null}} or {@code {ok: false, error: ERROR}} and
 * closes.
 */
public final class CniPlugin {

  /** Where the agent listens when the network config names no {@code agent_socket}. */
  public static final String DEFAULT_SOCKET = "/var/run/netctl/cni.sock";

  /** The plugin types, as the runtime finds them in the bin dir. */
  public static final String MAIN_TYPE = "netctl";

  public static final String IPAM_TYPE = "netctl-ipam";

  private CniPlugin() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 2 && args[0].equals("--train")) {
      train(Path.of(args[1]));
      return;
    }
    String type = args.length > 0 ? args[0] : MAIN_TYPE;
    int exit = run(type, System.getenv(), System.in, System.out);
    System.out.flush();
    // halt, not exit: since JDK 21 Runtime.exit logs through System.Logger, whose start-up (logger
    // finder, service loader, method handles) was a fifth of this process's life. Nothing here
    // needs shutdown hooks, and stdout is flushed.
    Runtime.getRuntime().halt(exit);
  }

  /** One invocation: returns the exit code, prints the result or the error JSON on {@code out}. */
  static int run(String type, Map<String, String> env, InputStream in, PrintStream out) {
    String command = env.getOrDefault("CNI_COMMAND", "");
    String version = null;
    try {
      String stdin = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      Map<String, Object> config = null;
      if (!stdin.isBlank()) {
        try {
          config = Json.parseObject(stdin);
        } catch (Json.ParseException e) {
          throw new CniError(
              CniError.DECODE_FAILURE, "failed to decode the network config", e.getMessage());
        }
        if (config.get("cniVersion") instanceof String v) version = v;
      }
      if (command.equals("VERSION")) {
        out.println(Json.write(versionResult(version)));
        return 0;
      }
      checkEnvironment(command, env);
      if (config == null) {
        throw new CniError(CniError.DECODE_FAILURE, "no network config on stdin");
      }
      if (version == null && config.get("cniVersion") != null) {
        throw new CniError(
            CniError.INVALID_CONFIG,
            "invalid network config",
            "field cniVersion = "
                + Json.write(config.get("cniVersion"))
                + ": must be a string, one of "
                + CniError.SUPPORTED_VERSIONS);
      }
      if (version == null) {
        throw new CniError(CniError.INVALID_CONFIG, "network config: cniVersion is missing");
      }
      if (!CniError.SUPPORTED_VERSIONS.contains(version)) {
        throw new CniError(
            CniError.INCOMPATIBLE_VERSION,
            "incompatible CNI version",
            "network config cniVersion \""
                + version
                + "\" is not one of "
                + CniError.SUPPORTED_VERSIONS);
      }
      checkCommandVersion(command, version);
      String socket =
          config.get("agent_socket") instanceof String s && !s.isBlank() ? s : DEFAULT_SOCKET;
      Map<String, Object> request = new LinkedHashMap<>();
      request.put("command", command);
      request.put("plugin", type);
      request.put("containerID", env.get("CNI_CONTAINERID"));
      request.put("netns", env.get("CNI_NETNS"));
      request.put("ifName", env.get("CNI_IFNAME"));
      request.put("args", env.get("CNI_ARGS"));
      request.put("path", env.get("CNI_PATH"));
      request.put("config", config);
      Map<String, Object> reply = exchange(socket, Json.write(request), command);
      if (Boolean.TRUE.equals(reply.get("ok"))) {
        Object output = reply.get("output");
        if (output != null) out.println(Json.write(output));
        return 0;
      }
      out.println(Json.write(reply.get("error")));
      return 1;
    } catch (CniError e) {
      out.println(Json.write(e.toJson(version)));
      return 1;
    } catch (IOException | RuntimeException e) {
      out.println(
          Json.write(
              new CniError(CniError.IO_FAILURE, "netctl plugin failed", e.toString())
                  .toJson(version)));
      return 1;
    }
  }

  /** The spec's required variables per command (SPEC.md "Parameters"). */
  private static void checkEnvironment(String command, Map<String, String> env) {
    List<String> required =
        switch (command) {
          case "ADD", "CHECK" -> List.of("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME");
          case "DEL" -> List.of("CNI_CONTAINERID", "CNI_IFNAME");
          case "GC", "STATUS" -> List.of();
          case "" -> throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_COMMAND is not set");
          default ->
              throw new CniError(
                  CniError.INVALID_ENVIRONMENT,
                  "unknown CNI_COMMAND \"" + command + "\"",
                  "expected ADD, DEL, CHECK, STATUS, GC or VERSION");
        };
    for (String var : required) {
      String v = env.get(var);
      if (v == null || v.isBlank()) {
        throw new CniError(
            CniError.INVALID_ENVIRONMENT, var + " is not set", command + " requires " + required);
      }
    }
  }

  /**
   * CHECK came with spec 0.4.0, STATUS and GC with 1.1.0: a config of an older version does not
   * allow them (SPEC.md; libcni's skel answers the same code 1).
   */
  private static void checkCommandVersion(String command, String version) {
    String since =
        switch (command) {
          case "CHECK" -> "0.4.0";
          case "STATUS", "GC" -> "1.1.0";
          default -> null;
        };
    if (since != null
        && CniError.SUPPORTED_VERSIONS.indexOf(version)
            < CniError.SUPPORTED_VERSIONS.indexOf(since)) {
      throw new CniError(
          CniError.INCOMPATIBLE_VERSION,
          "config version does not allow " + command,
          "network config cniVersion \""
              + version
              + "\"; "
              + command
              + " needs "
              + since
              + " or later");
    }
  }

  static Map<String, Object> versionResult(String requested) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "cniVersion",
        requested != null && CniError.SUPPORTED_VERSIONS.contains(requested)
            ? requested
            : CniError.LATEST);
    m.put("supportedVersions", CniError.SUPPORTED_VERSIONS);
    return m;
  }

  /** Sends the request and reads the whole reply; an agent that cannot be reached is code 11. */
  private static Map<String, Object> exchange(String socket, String request, String command) {
    int unreachable = command.equals("STATUS") ? CniError.NOT_AVAILABLE : CniError.TRY_AGAIN_LATER;
    byte[] reply;
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      try {
        ch.connect(UnixDomainSocketAddress.of(socket));
      } catch (IOException e) {
        throw new CniError(
            unreachable,
            "the netctl agent is not reachable at " + socket + "; try again later",
            e.toString());
      }
      ByteBuffer b = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) ch.write(b);
      ch.shutdownOutput();
      reply = Channels.newInputStream(ch).readAllBytes();
    } catch (IOException e) {
      throw new CniError(
          unreachable,
          "the netctl agent at " + socket + " failed the request; try again later",
          e.toString());
    }
    if (reply.length == 0) {
      throw new CniError(
          unreachable,
          "the netctl agent at "
              + socket
              + " closed the connection without an answer; try again later");
    }
    return Json.parseObject(new String(reply, StandardCharsets.UTF_8));
  }

  /**
   * The install-time training run whose loaded classes go into the class-data archive: VERSION, an
   * ADD answered by a stand-in agent on a private socket, and an ADD whose agent is missing.
   */
  private static void train(Path dir) throws IOException {
    Path sock = dir.resolve("train.sock");
    Files.deleteIfExists(sock);
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      Thread agent =
          new Thread(
              () -> {
                try (SocketChannel c = server.accept()) {
                  Channels.newInputStream(c).readAllBytes();
                  c.write(
                      ByteBuffer.wrap(
                          "{\"ok\":true,\"output\":{\"cniVersion\":\"1.0.0\",\"ips\":[]}}"
                              .getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                  // the training run then takes the error path; the archive is still useful
                }
              });
      agent.start();
      PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
      // The real runs read the process environment: its classes belong in the archive too.
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("CNI_COMMAND", "VERSION");
      String conf =
          "{\"cniVersion\":\"1.0.0\",\"name\":\"t\",\"type\":\"netctl\",\"agent_socket\":\""
              + sock
              + "\",\"ipam\":{\"type\":\"netctl-ipam\"}}";
      run(MAIN_TYPE, env, new ByteArrayInputStream(conf.getBytes(StandardCharsets.UTF_8)), sink);
      env.put("CNI_COMMAND", "ADD");
      env.put("CNI_CONTAINERID", "train");
      env.put("CNI_NETNS", "/var/run/netns/train");
      env.put("CNI_IFNAME", "eth0");
      run(MAIN_TYPE, env, new ByteArrayInputStream(conf.getBytes(StandardCharsets.UTF_8)), sink);
      try {
        agent.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      String missing = conf.replace(sock.toString(), dir.resolve("absent.sock").toString());
      run(MAIN_TYPE, env, new ByteArrayInputStream(missing.getBytes(StandardCharsets.UTF_8)), sink);
    } finally {
      Files.deleteIfExists(sock);
    }
  }
}
