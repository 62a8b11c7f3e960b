package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.netctl.agent.cni.CniPlugin;
import dev.netctl.datastore.Datastores;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The netctl commands deploy/'s pods run, checked against this CLI: each command line parses, each
 * environment variable a container sets is one its command reads (a renamed variable would
 * otherwise leave a pod silently on defaults), the CNI files are written to paths that are the same
 * on the host, which runs the plugins, and the image recipe puts the jar and the runtime where its
 * launcher and the DaemonSet look. The manifests are read as written: kustomize changes neither
 * commands, environment nor volumes here, only namespaces and the image name.
 */
class DeployedCommandsTest {
  private static final Path DEPLOY =
      Path.of(System.getProperty("user.dir")).getParent().resolve("deploy");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)");

  /**
   * Variables a command reads in code rather than as an option's default: the datastore spec
   * ({@link Datastores#defaultSpec()}, for the commands that open a store).
   */
  private static final Map<String, Set<String>> READ_IN_CODE =
      Map.of(
          "node run", Set.of(Datastores.ENV),
          "controller run", Set.of(Datastores.ENV));

  @Test
  void everyContainerRunsACommandThatParsesAndReadsEveryVariableItIsGiven() throws IOException {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (JsonNode c : containers()) {
      List<String> argv = strings(c.path("command"));
      String where = c.path("name").asText();
      assertThat(argv).as(where + " command").isNotEmpty();
      assertThat(argv.getFirst()).as(where + ": the image's launcher").isEqualTo("netctl");
      List<CommandSpec> chain = parse(argv.subList(1, argv.size()));
      String command = String.join(" ", chain.stream().skip(1).map(CommandSpec::name).toList());
      Set<String> read = new TreeSet<>(READ_IN_CODE.getOrDefault(command, Set.of()));
      for (CommandSpec spec : chain) {
        spec.interpolateVariables(false); // defaults as declared: ${env:NAME:-fallback}
        for (OptionSpec o : spec.options()) {
          if (o.defaultValue() == null) continue;
          Matcher m = ENV_DEFAULT.matcher(o.defaultValue());
          while (m.find()) read.add(m.group(1));
        }
      }
      for (JsonNode e : c.path("env")) {
        String name = e.path("name").asText();
        if (!read.contains(name)) {
          problems.add(where + " (netctl " + command + ") sets " + name + "; it reads " + read);
        }
      }
      checked++;
    }
    assertThat(checked).as("containers checked").isEqualTo(3);
    assertThat(problems).isEmpty();
  }

  /**
   * The installer writes launchers naming their own jar and Java by absolute path, and the plugins
   * connect to the agent's socket: the runtime runs them on the host, so each of those paths must
   * be a host directory mounted at the same path in the container that writes or serves it.
   */
  @Test
  void theCniFilesAndTheAgentSocketAreAtTheSamePathsOnTheHost() throws IOException {
    JsonNode pod = daemonSetPod();
    JsonNode install = pod.path("initContainers").get(0);
    List<String> argv = strings(install.path("command"));
    assertThat(argv).startsWith("netctl", "cni", "install");
    for (String option : List.of("--bin-dir", "--conf-dir")) {
      String dir = argAfter(argv, option);
      assertThat(hostPathMountedAt(pod, install, dir)).as(option + " " + dir).isEqualTo(dir);
    }
    assertThat(argv).as("the agent's default socket").doesNotContain("--agent-socket");
    JsonNode agent = pod.path("containers").get(0);
    String socketDir = Path.of(CniPlugin.DEFAULT_SOCKET).getParent().toString();
    assertThat(hostPathMountedAt(pod, agent, socketDir)).isEqualTo(socketDir);
  }

  /**
   * The agent attaches pods itself (the plugin only forwards the runtime's request over the
   * socket): PodPlumbing creates the pod's veth end in CNI_NETNS ({@code ip link ... netns PATH}),
   * configures it through {@code nsenter --net=PATH}, which needs CAP_SYS_ADMIN, and writes the
   * host end's sysctls under /proc/sys, which a container has read-only unless privileged. So the
   * agent runs privileged, as calico-node does, and sees the runtime's namespace files
   * (containerd's and CRI-O's /var/run/netns) at the paths the runtime names, including those made
   * after it started. cri-dockerd names {@code /proc/<pid>/ns/net} of the sandbox's pause process
   * instead, a host PID: the agent sees it only in the host's PID namespace (Calico needs no
   * hostPID because its plugin, run on the host, plumbs the pod itself).
   */
  @Test
  void theAgentCanEnterThePodNamespacesTheRuntimeNames() throws IOException {
    JsonNode pod = daemonSetPod();
    JsonNode agent = pod.path("containers").get(0);
    assertThat(agent.at("/securityContext/privileged").asBoolean())
        .as("privileged: nsenter and /proc/sys writes")
        .isTrue();
    assertThat(hostPathMountedAt(pod, agent, "/var/run/netns")).isEqualTo("/var/run/netns");
    assertThat(pod.path("hostPID").asBoolean())
        .as("hostPID: cri-dockerd names the netns /proc/<pid>/ns/net of a host process")
        .isTrue();
    for (JsonNode m : agent.path("volumeMounts")) {
      if (m.path("mountPath").asText().equals("/var/run/netns")) {
        assertThat(m.path("mountPropagation").asText())
            .as("namespaces made after the agent started")
            .isEqualTo("HostToContainer");
      }
    }
  }

  /**
   * deploy/image: the jar the build makes is the one the Dockerfile copies, the launcher runs that
   * jar on the jlink'd runtime with the archive recorded at build time, and the install container
   * copies that runtime to the host for the plugins.
   */
  @Test
  void theImageHoldsTheJarAndRuntimeThatItsLauncherAndTheDaemonSetName() throws IOException {
    String dockerfile = Files.readString(DEPLOY.resolve("image/Dockerfile"));
    String launcher = Files.readString(DEPLOY.resolve("image/netctl"));
    String pom = Files.readString(DEPLOY.getParent().resolve("ctl/pom.xml"));

    String finalName = group(pom, "<finalName>([^<]+)</finalName>");
    String jar =
        group(dockerfile, "(?m)^COPY ctl/target/" + Pattern.quote(finalName) + "\\.jar (\\S+)$");
    String runtime = group(dockerfile, "--output (\\S+)");
    String options = group(launcher, "(?m)^\\. (\\S+/jvm-options\\.sh)$");
    String archive = group(dockerfile, "netctl_record_archive \\S+ \\S+ \\S+ (\\S+)");
    assertThat(dockerfile).contains("COPY --from=runtime " + runtime + " " + runtime);
    assertThat(dockerfile).containsPattern("(?m)^COPY deploy/image/netctl /usr/local/bin/netctl$");
    // The launcher's JVM options are the repository launcher's own file.
    assertThat(dockerfile).contains("COPY ctl/src/main/sh/jvm-options.sh " + options + "\n");
    assertThat(Files.readString(DEPLOY.getParent().resolve("netctl")))
        .containsPattern("(?m)^\\. \"\\$root/ctl/src/main/sh/jvm-options.sh\"$");
    assertThat(launcher)
        .contains("exec " + runtime + "/bin/java ")
        .contains("-XX:SharedArchiveFile=" + archive + " ")
        .contains("-jar " + jar + " \"$@\"");
    assertThat(dockerfile).contains("netctl_record_archive " + runtime + "/bin/java " + jar + " ");
    assertThat(Files.isExecutable(DEPLOY.resolve("image/netctl"))).as("launcher mode").isTrue();
    // That the archive is usable with the options the launcher runs, and the server profile's JVM
    // finds a base archive: ImageLauncherIT, which builds the runtime as the Dockerfile does.
    assertThat(pom).contains("<Enable-Native-Access>ALL-UNNAMED</Enable-Native-Access>");
    assertThat(
            argAfter(
                strings(daemonSetPod().path("initContainers").get(0).path("command")),
                "--copy-runtime"))
        .isEqualTo(runtime);
  }

  /**
   * The kubelet probes a pod that is not on the host network at the pod's address: the controller
   * must listen there (its Deployment passes status.podIP as $NETCTL_HEALTH_HOST) on the port the
   * probes name, which is its command's default.
   */
  @Test
  void theControllersProbesReachWhereItsCommandListens() throws IOException {
    JsonNode c = deploymentPod().path("containers").get(0);
    List<String> argv = strings(c.path("command"));
    List<CommandSpec> chain = parse(argv.subList(1, argv.size()));
    String port = chain.getLast().findOption("--metrics-port").defaultValue();
    for (String probe : List.of("livenessProbe", "readinessProbe")) {
      JsonNode get = c.path(probe).path("httpGet");
      assertThat(get.path("port").asText()).as(probe + " port").isEqualTo(port);
      assertThat(get.has("host")).as(probe + ": the pod's address, not a host").isFalse();
    }
    assertThat(c.path("livenessProbe").at("/httpGet/path").asText()).isEqualTo("/liveness");
    assertThat(c.path("readinessProbe").at("/httpGet/path").asText()).isEqualTo("/readiness");
    assertThat(c.at("/ports/0/containerPort").asText()).isEqualTo(port);
    JsonNode host = null;
    for (JsonNode e : c.path("env")) {
      if (e.path("name").asText().equals("NETCTL_HEALTH_HOST")) host = e;
    }
    assertThat(host).as("NETCTL_HEALTH_HOST in the controller's env").isNotNull();
    assertThat(host.at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("status.podIP");
  }

  /** The parsed chain of commands, root first. */
  private static List<CommandSpec> parse(List<String> args) {
    CommandLine cl =
        Netctl.commandLine(
            new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    ParseResult r = cl.parseArgs(args.toArray(String[]::new));
    List<CommandSpec> chain = new ArrayList<>();
    for (ParseResult p = r; p != null; p = p.subcommand()) chain.add(p.commandSpec());
    return chain;
  }

  private static List<JsonNode> containers() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode pod : List.of(daemonSetPod(), deploymentPod())) {
      pod.path("initContainers").forEach(out::add);
      pod.path("containers").forEach(out::add);
    }
    return out;
  }

  /**
   * The conflist chains {@code portmap}, which a node may lack (every pod's ADD then fails): the
   * install container is given the image's copy ({@code --plugin}), and the Dockerfile puts a file
   * at that path.
   */
  @Test
  void thePortmapPluginTheConflistChainsIsShippedInTheImage() throws IOException {
    List<String> argv = strings(daemonSetPod().path("initContainers").get(0).path("command"));
    String plugin = argAfter(argv, "--plugin");
    assertThat(Path.of(plugin).getFileName().toString()).isEqualTo("portmap");
    String dockerfile = Files.readString(DEPLOY.resolve("image/Dockerfile"));
    assertThat(dockerfile)
        .containsPattern("(?m)^COPY --from=\\S+ \\S+/portmap " + Pattern.quote(plugin) + "$");
  }

  /**
   * BGP passwords ({@code password.secretKeyRef}) are files {@code <secrets-dir>/<name>/<key>}: the
   * DaemonSet mounts the Secret {@code netctl-bgp-passwords}, optional so the agent starts without
   * one, as the directory of that name under the agent's {@code --secrets-dir}. Without a mount a
   * peer's password named a file that could not exist in the container: the agent warned and tried
   * the session without TCP MD5, which the peer refuses.
   */
  @Test
  void theBgpPasswordsSecretIsWhereTheAgentReadsSecrets() throws IOException {
    JsonNode pod = daemonSetPod();
    JsonNode agent = pod.path("containers").get(0);
    List<String> argv = strings(agent.path("command"));
    CommandSpec run = parse(argv.subList(1, argv.size())).getLast();
    run.interpolateVariables(false);
    Matcher fallback =
        Pattern.compile(":-([^}]+)}").matcher(run.findOption("--secrets-dir").defaultValue());
    assertThat(fallback.find()).isTrue();
    String secretsDir = fallback.group(1);
    JsonNode volume = null;
    String mountPath = null;
    for (JsonNode m : agent.path("volumeMounts")) {
      for (JsonNode v : pod.path("volumes")) {
        if (v.path("name").asText().equals(m.path("name").asText()) && v.has("secret")) {
          volume = v;
          mountPath = m.path("mountPath").asText();
          assertThat(m.path("readOnly").asBoolean()).as("read-only").isTrue();
        }
      }
    }
    assertThat(volume).as("a Secret volume mounted in the agent").isNotNull();
    String secret = volume.at("/secret/secretName").asText();
    assertThat(secret).isEqualTo("netctl-bgp-passwords");
    assertThat(mountPath).isEqualTo(secretsDir + "/" + secret);
    assertThat(volume.at("/secret/optional").asBoolean()).as("optional").isTrue();
  }

  private static JsonNode daemonSetPod() throws IOException {
    return YAML.readTree(DEPLOY.resolve("namespaced/node-daemonset.yaml").toFile())
        .at("/spec/template/spec");
  }

  private static JsonNode deploymentPod() throws IOException {
    return YAML.readTree(DEPLOY.resolve("namespaced/controller-deployment.yaml").toFile())
        .at("/spec/template/spec");
  }

  /** The hostPath of the volume {@code container} mounts at {@code mountPath}, or null. */
  private static String hostPathMountedAt(JsonNode pod, JsonNode container, String mountPath) {
    for (JsonNode m : container.path("volumeMounts")) {
      if (!m.path("mountPath").asText().equals(mountPath)) continue;
      for (JsonNode v : pod.path("volumes")) {
        if (v.path("name").asText().equals(m.path("name").asText())) {
          return v.at("/hostPath/path").isMissingNode() ? null : v.at("/hostPath/path").asText();
        }
      }
    }
    return null;
  }

  private static String argAfter(List<String> argv, String option) {
    int i = argv.indexOf(option);
    assertThat(i).as(option + " in " + argv).isNotNegative().isLessThan(argv.size() - 1);
    return argv.get(i + 1);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String group(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as(regex).isTrue();
    return m.group(1);
  }
}
