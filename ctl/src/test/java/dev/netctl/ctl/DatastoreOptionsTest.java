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
    Cli.Run other = Cli.raw("", "get", "nodes", "--datastore", "embedded:" + dir.resolve("o.db"));
    assertThat(other.err())
        .as("a different file is a different store")
        .isEqualTo("No resources found.\n");
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
    assertThat(r.err()).startsWith("error: datastore etcd:" + endpoint + " unavailable");
    assertThat(r.err()).doesNotContain("\tat ");
  }
}
