package dev.netctl.datastore;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the TLS material for a remote datastore lives. Every part is optional: a CA alone verifies
 * the server; a certificate and key together authenticate the client (mutual TLS).
 *
 * @param caFile PEM bundle of the certificate authorities trusted for the server, or null for the
 *     JDK's default trust store
 * @param certFile PEM client certificate chain, or null for no client authentication
 * @param keyFile PEM client private key in PKCS#8 form (as etcd's and Kubernetes' tooling writes
 *     it), or null; required exactly when {@code certFile} is given
 */
public record TlsOptions(Path caFile, Path certFile, Path keyFile) {
  public TlsOptions {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException(
          "TLS client certificate and key must be given together: cert="
              + certFile
              + ", key="
              + keyFile);
    }
    for (Path p : new Path[] {caFile, certFile, keyFile}) {
      if (p != null && !Files.isReadable(p)) {
        throw new IllegalArgumentException("TLS file " + p + " does not exist or is unreadable");
      }
    }
  }

  /** True when any TLS material is configured. */
  public static boolean enabled(TlsOptions tls) {
    return tls != null && (tls.caFile != null || tls.certFile != null);
  }
}
