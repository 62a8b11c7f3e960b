package dev.netctl.agent.cni;

import dev.netctl.agent.exec.Exec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * What {@code netctl cni install} does, the way Calico's install container does it: puts the {@code
 * netctl} and {@code netctl-ipam} executables into the CNI bin dir and writes {@code
 * 10-netctl.conflist} into the conf dir.
 *
 * <p>The executables are two small shell launchers around a jar holding only the plugin's classes
 * ({@link CniPlugin}, {@link Json}, {@link CniError}) and a class-data-sharing archive made from a
 * training run of those classes, both under {@code <bin-dir>/netctl-cni/}. The JDK found at install
 * time (the one running the installer) is written into the launchers; if it has gone, they look for
 * a JDK 25 as the repository's {@code ./netctl} does. Every file is written under a temporary name
 * and renamed, so a runtime exec'ing the plugin during an upgrade sees old or new, never half.
 */
public final class CniInstaller {

  /** The conflist's file name: sorts before most others, as Calico's {@code 10-calico.conflist}. */
  public static final String CONFLIST = "10-netctl.conflist";

  /** The network name, Calico's, so handles read {@code k8s-pod-network.<containerID>}. */
  public static final String NETWORK_NAME = "k8s-pod-network";

  /**
   * The JVM flags the launchers use. The process lives ~50 ms and runs little code: the interpreter
   * alone (no compiler threads) cost ~15 % less CPU per start than C1 here, which counts when a
   * hundred pods start at once; serial GC, no perf-data file.
   */
  static final List<String> JVM_FLAGS =
      List.of("-Xint", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xss512k");

  /**
   * Install settings.
   *
   * @param binDir where the runtime finds plugins ({@code /opt/cni/bin})
   * @param confDir where the runtime finds network configs ({@code /etc/cni/net.d})
   * @param node the node name to write as {@code nodename}, or null (the agent's)
   * @param agentSocket the agent's socket
   * @param mtu the pod MTU, or 0 (the agent's)
   * @param java the {@code java} binary of a JDK 25+
   * @param ipv4 whether pods get an IPv4 address ({@code assign_ipv4})
   * @param ipv6 whether pods get an IPv6 address ({@code assign_ipv6})
   */
  public record Options(
      Path binDir,
      Path confDir,
      String node,
      String agentSocket,
      int mtu,
      Path java,
      boolean ipv4,
      boolean ipv6) {

    /** IPv4 pods only, Calico's default. */
    public Options(Path binDir, Path confDir, String node, String agentSocket, int mtu, Path java) {
      this(binDir, confDir, node, agentSocket, mtu, java, true, false);
    }
  }

  /** What was written. */
  public record Installed(List<Path> files, boolean archive) {}

  private CniInstaller() {}

  /** The {@code java} of the JVM running this code. */
  public static Path currentJava() {
    return ProcessHandle.current()
        .info()
        .command()
        .map(Path::of)
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
  }

  public static Installed install(Options o) throws IOException {
    Path lib = o.binDir().resolve("netctl-cni");
    Files.createDirectories(lib);
    Files.createDirectories(o.confDir());
    List<Path> written = new ArrayList<>();
    Path jar = lib.resolve("plugin.jar");
    writeAtomically(jar, CniInstaller::writePluginJar);
    written.add(jar);
    Path jsa = lib.resolve("plugin.jsa");
    boolean archived = makeArchive(o.java(), jar, jsa);
    if (archived) written.add(jsa);
    for (String type : List.of(CniPlugin.MAIN_TYPE, CniPlugin.IPAM_TYPE)) {
      Path exe = o.binDir().resolve(type);
      String script = launcher(o.java(), lib, type);
      writeExecutable(exe, out -> out.write(script.getBytes(StandardCharsets.UTF_8)));
      written.add(exe);
    }
    Path conf = o.confDir().resolve(CONFLIST);
    String text = conflist(o);
    writeAtomically(conf, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    written.add(conf);
    return new Installed(written, archived);
  }

  /**
   * Copies each of {@code plugins} (executables, such as the image's {@code portmap}) into {@code
   * binDir} under its own file name, unless a file of that name is there already: the conflist
   * chains {@code portmap}, and a node without it fails every pod's ADD ("failed to find plugin
   * portmap"). Calico's install container ships its own copy for the same reason; one the node
   * already has (its kubernetes-cni package, a distribution's) is kept, as it matches the node.
   *
   * @return the files written
   * @throws IOException when a plugin cannot be read or written
   */
  public static List<Path> installPluginsIfAbsent(Path binDir, List<Path> plugins)
      throws IOException {
    Files.createDirectories(binDir);
    List<Path> written = new ArrayList<>();
    for (Path plugin : plugins) {
      if (!Files.isRegularFile(plugin)) {
        throw new IOException("plugin " + plugin + ": no such file");
      }
      Path target = binDir.resolve(plugin.getFileName().toString());
      if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
      writeExecutable(target, out -> Files.copy(plugin, out));
      written.add(target);
    }
    return written;
  }

  /** The conflist: netctl with netctl-ipam, then portmap, as Calico's. */
  static String conflist(Options o) {
    StringBuilder main = new StringBuilder();
    main.append("      \"type\": \"netctl\",\n");
    main.append("      \"log_level\": \"info\",\n");
    if (o.node() != null)
      main.append("      \"nodename\": ").append(Json.write(o.node())).append(",\n");
    if (o.mtu() > 0) main.append("      \"mtu\": ").append(o.mtu()).append(",\n");
    main.append("      \"agent_socket\": ").append(Json.write(o.agentSocket())).append(",\n");
    main.append("      \"ipam\": {\"type\": \"netctl-ipam\", \"assign_ipv4\": \"")
        .append(o.ipv4())
        .append("\", \"assign_ipv6\": \"")
        .append(o.ipv6())
        .append("\"}\n");
    return "{\n"
        + "  \"name\": \""
        + NETWORK_NAME
        + "\",\n"
        + "  \"cniVersion\": \"1.0.0\",\n"
        + "  \"plugins\": [\n"
        + "    {\n"
        + main
        + "    },\n"
        + "    {\"type\": \"portmap\", \"snat\": true, \"capabilities\": {\"portMappings\": true}}\n"
        + "  ]\n"
        + "}\n";
  }

  /**
   * A POSIX sh launcher (dash runs it in ~1 ms); {@code $0} is not used, so a symlink works too.
   */
  static String launcher(Path java, Path lib, String type) {
    String flags = String.join(" ", JVM_FLAGS);
    return "#!/bin/sh\n"
        + "# netctl CNI plugin \""
        + type
        + "\", written by `netctl cni install`.\n"
        + "lib="
        + Commands.quote(lib.toAbsolutePath().toString())
        + "\n"
        + "java="
        + Commands.quote(java.toString())
        + "\n"
        + "if [ ! -x \"$java\" ]; then\n"
        + "  java=\n"
        + "  if [ -n \"${JAVA_HOME:-}\" ] && [ -x \"$JAVA_HOME/bin/java\" ]; then java=$JAVA_HOME/bin/java; fi\n"
        + "  if [ -z \"$java\" ]; then\n"
        + "    for j in /usr/lib/jvm/*25*/bin/java /usr/lib/jvm/*-2[6-9]*/bin/java; do\n"
        + "      if [ -x \"$j\" ]; then java=$j; break; fi\n"
        + "    done\n"
        + "  fi\n"
        + "  if [ -z \"$java\" ]; then java=$(command -v java) || java=; fi\n"
        + "  if [ -z \"$java\" ]; then\n"
        + "    printf '{\"cniVersion\":\"1.0.0\",\"code\":5,\"msg\":\"no JDK 25 found for the netctl plugin\",\"details\":\"tried the install-time JDK, $JAVA_HOME, /usr/lib/jvm/*25*, PATH\"}\\n'\n"
        + "    exit 1\n"
        + "  fi\n"
        + "fi\n"
        + "exec \"$java\" -XX:SharedArchiveFile=\"$lib/plugin.jsa\" -Xshare:auto -Xlog:cds=off"
        + " -Xlog:cds+dynamic=off "
        + flags
        + " -cp \"$lib/plugin.jar\" dev.netctl.agent.cni.CniPlugin "
        + type
        + "\n";
  }

  /** The plugin's classes and their nested classes, read from this class's own class path. */
  private static void writePluginJar(OutputStream out) throws IOException {
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, CniPlugin.class.getName());
    try (JarOutputStream jar = new JarOutputStream(out, mf)) {
      for (Class<?> top : List.of(CniPlugin.class, Json.class, CniError.class)) {
        for (Class<?> c : top.getNestMembers()) {
          String entry = c.getName().replace('.', '/') + ".class";
          try (InputStream in = CniInstaller.class.getClassLoader().getResourceAsStream(entry)) {
            if (in == null) throw new IOException("class file " + entry + " not found");
            jar.putNextEntry(new JarEntry(entry));
            in.transferTo(jar);
            jar.closeEntry();
          }
        }
      }
    }
  }

  /**
   * A static class-data archive from a class list recorded while the plugin runs its training
   * (VERSION, an ADD against a stand-in agent, an ADD with no agent). Returns false when the JVM
   * cannot make one; the launchers then run without it ({@code -Xshare:auto}).
   */
  private static boolean makeArchive(Path java, Path jar, Path jsa) throws IOException {
    Path work = Files.createTempDirectory(jsa.getParent(), ".archive");
    try {
      Path list = work.resolve("classes");
      List<String> train =
          new ArrayList<>(List.of(java.toString(), "-XX:DumpLoadedClassList=" + list));
      train.addAll(JVM_FLAGS);
      train.addAll(
          List.of("-cp", jar.toString(), CniPlugin.class.getName(), "--train", work.toString()));
      if (!runQuietly(train)) return false;
      Path kept = work.resolve("kept");
      // Constant-pool lines would make the dump link classes; the netctl launcher drops them too.
      Files.write(
          kept, Files.readAllLines(list).stream().filter(l -> !l.startsWith("@cp ")).toList());
      Path out = work.resolve("a.jsa");
      List<String> dump =
          new ArrayList<>(
              List.of(
                  java.toString(),
                  "-Xshare:dump",
                  "-XX:SharedClassListFile=" + kept,
                  "-XX:SharedArchiveFile=" + out));
      dump.addAll(JVM_FLAGS);
      dump.addAll(List.of("-cp", jar.toString()));
      if (!runQuietly(dump) || !Files.exists(out)) return false;
      Files.move(out, jsa, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } finally {
      try (var files = Files.list(work)) {
        for (Path p : files.toList()) Files.deleteIfExists(p);
      }
      Files.deleteIfExists(work);
    }
  }

  /** Whether {@code argv} ran to a zero exit within two minutes; its output is not wanted. */
  private static boolean runQuietly(List<String> argv) {
    return Exec.run(Duration.ofMinutes(2), argv).ok();
  }

  private interface Writer {
    void write(OutputStream out) throws IOException;
  }

  private static void writeAtomically(Path target, Writer w) throws IOException {
    write(target, w, false);
  }

  /**
   * As {@link #writeAtomically}, executable before it takes the name: the kubelet may run a plugin
   * at any moment (an upgrade replaces a live one), and a file made executable only after the
   * rename fails an ADD that runs in between with "permission denied".
   */
  private static void writeExecutable(Path target, Writer w) throws IOException {
    write(target, w, true);
  }

  private static void write(Path target, Writer w, boolean executable) throws IOException {
    Path tmp =
        target.resolveSibling("." + target.getFileName() + ".tmp" + ProcessHandle.current().pid());
    try (OutputStream out = Files.newOutputStream(tmp)) {
      w.write(out);
    }
    if (executable) {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
