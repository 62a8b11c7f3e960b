package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(90)
class DatastoreOptionsTest {
  @TempDir Path dir;

  static final String NODE = "apiVersion: netctl.dev/v1\nkind: Node\nmetadata: {name: n1}\n";

  @Test
  void theDatastoreOptionWorksBeforeAndAfterTheVerb() {
    String spec = "embedded:" + dir.resolve("s.db");
    Cli.Run before = Cli.raw(NODE, "--datastore", spec, "apply", "-f", "-");
    assertThat(before.exitCode()).as(before.toString()).isZero();
    Cli.Run after = Cli.raw("", "get", "nodes", "-o", "name", "--datastore", spec);
    assertThat(after.out()).isEqualTo("node.netctl.dev/n1\n");
    String otherSpec = "embedded:" + dir.resolve("o.db");
    Cli.Run pool = Cli.raw(POOL, "--datastore", otherSpec, "apply", "-f", "-");
    assertThat(pool.exitCode()).as(pool.toString()).isZero();
    Cli.Run other = Cli.raw("", "get", "nodes", "--datastore", otherSpec);
    assertThat(other.err())
        .as("a different file is a different store")
        .isEqualTo("No resources found.\n");
  }

  static final String POOL =
      "apiVersion: netctl.dev/v1\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.7.0.0/16}\n";

  @Test
  void aVerbThatNeedsAStoreRefusesAMissingFileNamingItAndCreatesNothing() {
    Path typo = dir.resolve("typo").resolve("netctl.db");
    String spec = "embedded:" + typo;
    for (String[] verb :
        new String[][] {
          {"get", "ippools"},
          {"delete", "ippool", "p"},
          {"patch", "ippool", "p", "-p", "{}"},
          {"ipam", "show", "--show-blocks"},
          {"ipam", "check"},
          {"ipam", "release", "--handle", "h"},
          {"datastore", "migrate", "export"}
        }) {
      Cli.Run r = Cli.raw("", concat(verb, "--datastore", spec));
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.UNAVAILABLE);
      assertThat(r.err())
          .as(String.join(" ", verb))
          .isEqualTo(
              "error: datastore file "
                  + typo
                  + " does not exist: a store file is made by the first command that writes to"
                  + " it (apply, create, ipam configure, node run); check the path given by"
                  + " --datastore or NETCTL_DATASTORE\n");
      assertThat(r.out()).isEmpty();
    }
    assertThat(typo.getParent()).doesNotExist();
  }

  @Test
  void aWritingVerbCreatesTheFileButNotAMissingDirectory() throws Exception {
    Path fresh = dir.resolve("fresh.db");
    Cli.Run created = Cli.raw(POOL, "apply", "-f", "-", "--datastore", "embedded:" + fresh);
    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(fresh).exists();

    Path nested = dir.resolve("no-such-dir").resolve("s.db");
    Cli.Run missingDir = Cli.raw(POOL, "apply", "-f", "-", "--datastore", "embedded:" + nested);
    assertThat(missingDir.exitCode()).as(missingDir.toString()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(missingDir.err())
        .isEqualTo(
            "error: datastore file "
                + nested
                + " cannot be created: "
                + nested.getParent()
                + " does not exist (netctl makes only its own ~/.netctl; create the directory or"
                + " fix the path)\n");
    assertThat(nested.getParent()).doesNotExist();

    Cli.Run demo = Cli.raw("", "demo", "--bgp-only", "--datastore", "embedded:" + nested);
    assertThat(demo.exitCode()).as(demo.toString()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(demo.err()).contains(nested.getParent() + " does not exist").doesNotContain("\tat ");
    assertThat(nested.getParent()).doesNotExist();
  }

  @Test
  void theDefaultStoreServesAFirstTimeUserWithoutAnyDirectoryYet() throws Exception {
    Path home = dir.resolve("new-user");
    String saved = System.getProperty("user.home");
    System.setProperty("user.home", home.toString());
    try {
      Cli.Run first = Cli.raw("", "get", "ippools", "--datastore", "embedded");
      assertThat(first.exitCode()).as(first.toString()).isZero();
      assertThat(first.err()).isEqualTo("No resources found.\n");
      Cli.Run apply = Cli.raw(POOL, "apply", "-f", "-", "--datastore", "embedded");
      assertThat(apply.exitCode()).as(apply.toString()).isZero();
      assertThat(home.resolve(".netctl").resolve("netctl.db")).exists();
    } finally {
      System.setProperty("user.home", saved);
    }
  }

  @Test
  void verbsThatNeverOpenAStoreDoNotListTheDatastoreOptions() {
    for (String[] verb :
        new String[][] {
          {"bgp", "run"},
          {"bgp", "peers"},
          {"cni", "install"},
          {"validate"},
          {"convert"},
          {"version"}
        }) {
      Cli.Run help = Cli.raw("", concat(verb, "--help"));
      assertThat(help.exitCode()).as(help.toString()).isZero();
      assertThat(help.out())
          .as(String.join(" ", verb) + " --help")
          .doesNotContain("--datastore", "--etcd-ca", "--etcd-cert", "--etcd-key");
    }
    // still accepted (and ignored) after the verb, as before it: scripts giving them everywhere
    // work
    Cli.Run given = Cli.raw("", "version", "--datastore", "etcd:http://127.0.0.1:1");
    assertThat(given.exitCode()).as(given.toString()).isZero();

    for (String[] verb :
        new String[][] {{"get"}, {"ipam", "show"}, {"node", "run"}, {"cni", "serve"}}) {
      assertThat(Cli.raw("", concat(verb, "--help")).out())
          .as(String.join(" ", verb) + " --help")
          .contains("--datastore=SPEC", "--etcd-ca=FILE");
    }
  }

  private static String[] concat(String[] head, String... tail) {
    String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  @Test
  void aMalformedSpecIsAUsageError() throws Exception {
    Cli.Run r = Cli.raw("", "get", "nodes", "--datastore", "mongodb:x");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).startsWith("error: bad datastore spec \"mongodb:x\"");
    Path ca = dir.resolve("ca.pem");
    Cli.Run missing = Cli.raw("", "get", "nodes", "--etcd-ca", ca.toString());
    assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(missing.err())
        .isEqualTo("error: TLS file " + ca + " does not exist or is unreadable\n");
    Files.writeString(ca, "not really a certificate");
    Cli.Run tls = Cli.raw("", "get", "nodes", "--datastore", "memory", "--etcd-ca", ca.toString());
    assertThat(tls.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(tls.err()).contains("TLS options apply only to an etcd datastore");
  }

  @Test
  void anUnusableEmbeddedFileIsUnavailableNamingIt() throws Exception {
    Path notADir = dir.resolve("file");
    Files.writeString(notADir, "x");
    String spec = "embedded:" + notADir.resolve("s.db");
    Cli.Run r = Cli.raw("", "get", "nodes", "--datastore", spec);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(r.err()).contains(notADir.toString()).doesNotContain("\tat ");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void anUnreachableEtcdIsUnavailableNamingItsAddress() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + port;
    Cli.Run r = Cli.raw("", "get", "ippools", "--datastore", "etcd:" + endpoint);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(r.err())
        .as("fails after the connect timeout (3 s), not the operation timeout (15 s)")
        .isEqualTo(
            "error: datastore etcd:"
                + endpoint
                + " unavailable: cannot connect within 3 s (etcd down or unreachable, or the TLS"
                + " handshake refused)\n");
  }

  /** calicoctl's users set etcd timeouts for slow links: the connect timeout is theirs to set. */
  @Test
  void theEtcdConnectTimeoutIsTakenFromTheFlag() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + port;
    Cli.Run r =
        Cli.raw(
            "",
            "get",
            "ippools",
            "--datastore",
            "etcd:" + endpoint,
            "--etcd-connect-timeout",
            "700ms");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(r.err())
        .isEqualTo(
            "error: datastore etcd:"
                + endpoint
                + " unavailable: cannot connect within 700 ms (etcd down or unreachable, or the"
                + " TLS handshake refused)\n");
  }

  @Test
  void aBadEtcdConnectTimeoutIsAUsageErrorNamingFlagValueAndRule() {
    for (String bad : new String[] {"3", "abc", "50ms", "1h"}) {
      Cli.Run r =
          Cli.raw(
              "",
              "get",
              "ippools",
              "--datastore",
              "etcd:http://127.0.0.1:2379",
              "--etcd-connect-timeout",
              bad);
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.USAGE);
      assertThat(r.err())
          .as(bad)
          .isEqualTo(
              "error: --etcd-connect-timeout \""
                  + bad
                  + "\" must be a duration from 100ms to 10m, such as 3s or 500ms (the default is"
                  + " 3s)\n");
    }
  }
}
