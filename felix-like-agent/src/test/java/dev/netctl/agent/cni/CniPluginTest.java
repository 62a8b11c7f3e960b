package dev.netctl.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin's own logic, in-process: what it answers alone and what it sends the agent. */
class CniPluginTest {

  @TempDir Path dir;

  private record Out(int exit, Map<String, Object> json) {}

  private static Out run(Map<String, String> env, String stdin) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int exit =
        CniPlugin.run(
            "netctl",
            env,
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(buf, true, StandardCharsets.UTF_8));
    String text = buf.toString(StandardCharsets.UTF_8).strip();
    return new Out(exit, text.isEmpty() ? null : Json.parseObject(text));
  }

  private String conf(String version, String socket) {
    return "{\"cniVersion\":\""
        + version
        + "\",\"name\":\"n\",\"type\":\"netctl\",\"agent_socket\":\""
        + socket
        + "\"}";
  }

  private static Map<String, String> add() {
    Map<String, String> env = new HashMap<>();
    env.put("CNI_COMMAND", "ADD");
    env.put("CNI_CONTAINERID", "c1");
    env.put("CNI_NETNS", "/var/run/netns/x");
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_ARGS", "K8S_POD_NAME=p");
    return env;
  }

  @Test
  void versionNeedsNoAgent() {
    Out o = run(Map.of("CNI_COMMAND", "VERSION"), "");
    assertThat(o.exit()).isZero();
    assertThat(o.json()).containsEntry("cniVersion", "1.1.0");
  }

  /** A YAML habit: {@code cniVersion: 1.0} written as a number is not "missing". */
  @Test
  void aCniVersionThatIsNotAStringIsNamedWithItsValue() {
    Out o = run(add(), "{\"cniVersion\":1.0,\"name\":\"n\",\"type\":\"netctl\"}");
    assertThat(o.exit()).isEqualTo(1);
    assertThat(o.json()).containsEntry("code", 7L);
    assertThat(o.json().get("msg") + " " + o.json().get("details"))
        .contains("cniVersion")
        .contains("1.0")
        .contains("must be a string")
        .doesNotContain("missing");
  }

  @Test
  void theSpecsCodesForWhatThePluginDecidesAlone() {
    String absent = dir.resolve("absent.sock").toString();
    assertThat(run(Map.of(), conf("1.0.0", absent)).json().get("code")).isEqualTo(4L);
    assertThat(run(Map.of("CNI_COMMAND", "FROB"), conf("1.0.0", absent)).json().get("code"))
        .isEqualTo(4L);
    Map<String, String> noIfName = add();
    noIfName.remove("CNI_IFNAME");
    assertThat(run(noIfName, conf("1.0.0", absent)).json().get("code")).isEqualTo(4L);
    assertThat(run(add(), "{oops").json().get("code")).isEqualTo(6L);
    assertThat(run(add(), "{\"name\":\"n\"}").json().get("code")).isEqualTo(7L);
    Out old = run(add(), conf("0.2.0", absent));
    assertThat(old.exit()).isEqualTo(1);
    assertThat(old.json()).containsEntry("code", 1L).containsEntry("cniVersion", "1.1.0");
    Out down = run(add(), conf("0.4.0", absent));
    assertThat(down.json()).containsEntry("code", 11L).containsEntry("cniVersion", "0.4.0");
    assertThat((String) down.json().get("msg")).contains(absent);
    Out status = run(Map.of("CNI_COMMAND", "STATUS"), conf("1.1.0", absent));
    assertThat(status.json()).containsEntry("code", 50L);
  }

  /** As libcni's skel: a config older than the command is refused before the agent is asked. */
  @Test
  void commandsNewerThanTheConfigVersionAreCode1() {
    String absent = dir.resolve("absent.sock").toString();
    Map<String, String> check = add();
    check.put("CNI_COMMAND", "CHECK");
    Out oldCheck = run(check, conf("0.3.1", absent));
    assertThat(oldCheck.exit()).isEqualTo(1);
    assertThat(oldCheck.json()).containsEntry("code", 1L).containsEntry("cniVersion", "0.3.1");
    assertThat((String) oldCheck.json().get("details")).contains("0.3.1", "CHECK", "0.4.0");
    assertThat(run(check, conf("0.4.0", absent)).json()).containsEntry("code", 11L);
    for (String command : new String[] {"STATUS", "GC"}) {
      Out old = run(Map.of("CNI_COMMAND", command), conf("1.0.0", absent));
      assertThat(old.exit()).isEqualTo(1);
      assertThat(old.json()).as(command).containsEntry("code", 1L);
      assertThat((String) old.json().get("msg")).contains(command);
    }
    assertThat(run(Map.of("CNI_COMMAND", "GC"), conf("1.1.0", absent)).json())
        .containsEntry("code", 11L);
  }

  @Test
  void sendsOneRequestWithTheEnvironmentAndConfigAndPrintsTheAgentsAnswer() throws Exception {
    Path sock = dir.resolve("agent.sock");
    AtomicReference<Map<String, Object>> got = new AtomicReference<>();
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      Thread agent =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (SocketChannel c = server.accept()) {
                      got.set(
                          Json.parseObject(
                              new String(
                                  Channels.newInputStream(c).readAllBytes(),
                                  StandardCharsets.UTF_8)));
                      c.write(
                          ByteBuffer.wrap(
                              "{\"ok\":false,\"error\":{\"cniVersion\":\"1.0.0\",\"code\":100,\"msg\":\"no\"}}"
                                  .getBytes(StandardCharsets.UTF_8)));
                    } catch (IOException e) {
                      throw new RuntimeException(e);
                    }
                  });
      Out o = run(add(), conf("1.0.0", sock.toString()));
      agent.join();
      assertThat(o.exit()).isEqualTo(1);
      assertThat(o.json()).containsEntry("code", 100L).containsEntry("msg", "no");
    }
    assertThat(got.get())
        .containsEntry("command", "ADD")
        .containsEntry("plugin", "netctl")
        .containsEntry("containerID", "c1")
        .containsEntry("netns", "/var/run/netns/x")
        .containsEntry("ifName", "eth0")
        .containsEntry("args", "K8S_POD_NAME=p");
    assertThat(((Map<?, ?>) got.get().get("config")).get("agent_socket"))
        .isEqualTo(sock.toString());
    assertThat(Files.exists(sock)).isTrue();
  }
}
