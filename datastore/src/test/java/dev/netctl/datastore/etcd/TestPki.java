package dev.netctl.datastore.etcd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway certificate authority for TLS tests, made with the {@code openssl} command: a CA, a
 * server certificate for 127.0.0.1 and a client certificate, keys in PKCS#8 PEM. The server
 * certificate may also act as a client: etcd's built-in gateway dials itself with it.
 *
 * <p>Missing openssl skips the test, except under {@code CI=true}, where it fails.
 */
public record TestPki(
    Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {

  private static final Path OPENSSL = Path.of("/usr/bin/openssl");

  /** Creates the CA and both certificates in {@code dir}. */
  public static TestPki create(Path dir) throws IOException, InterruptedException {
    if (!Files.isExecutable(OPENSSL)) {
      String why = OPENSSL + " not found: install Debian's openssl package";
      if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why);
      Assumptions.abort(why);
    }
    Path ca = dir.resolve("ca.pem");
    Path caKey = dir.resolve("ca-key.pem");
    run(
        dir,
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=netctl-test-ca",
        "-keyout",
        caKey.toString(),
        "-out",
        ca.toString());
    Path server =
        issue(
            dir,
            ca,
            caKey,
            "server",
            "subjectAltName=IP:127.0.0.1\n" + "extendedKeyUsage=serverAuth,clientAuth\n");
    Path client = issue(dir, ca, caKey, "client", "extendedKeyUsage=clientAuth\n");
    return new TestPki(
        ca, server, dir.resolve("server-key.pem"), client, dir.resolve("client-key.pem"));
  }

  private static Path issue(Path dir, Path ca, Path caKey, String name, String extensions)
      throws IOException, InterruptedException {
    Path key = dir.resolve(name + "-key.pem");
    Path csr = dir.resolve(name + ".csr");
    Path cert = dir.resolve(name + ".pem");
    Path ext = Files.writeString(dir.resolve(name + ".ext"), extensions, StandardCharsets.UTF_8);
    run(
        dir,
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        "/CN=netctl-test-" + name,
        "-keyout",
        key.toString(),
        "-out",
        csr.toString());
    run(
        dir,
        "x509",
        "-req",
        "-in",
        csr.toString(),
        "-CA",
        ca.toString(),
        "-CAkey",
        caKey.toString(),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        ext.toString(),
        "-out",
        cert.toString());
    return cert;
  }

  private static void run(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(OPENSSL.toString()));
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "openssl "
              + String.join(" ", args)
              + " failed:\n"
              + Files.readString(dir.resolve("openssl.log")));
    }
  }
}
