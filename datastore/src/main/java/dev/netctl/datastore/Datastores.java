package dev.netctl.datastore;

import dev.netctl.datastore.embedded.EmbeddedDatastore;
import dev.netctl.datastore.etcd.EtcdDatastore;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.datastore.migrate.WriteGate;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Opens a {@link Datastore} from a one-line spec, the form users write in {@code --datastore} and
 * {@code NETCTL_DATASTORE}.
 *
 * <p>Accepted forms: {@code embedded} (the file {@code ~/.netctl/netctl.db}), {@code
 * embedded:PATH}, {@code etcd:http://HOST:PORT[,http://HOST:PORT...]} (or https), {@code memory}
 * (process-local, for tests and demos), and {@code kubernetes[:KUBECONFIG]} (the API server named
 * by that kubeconfig, else the default kubeconfig or the in-cluster service account; found through
 * a {@link DatastoreProvider}).
 */
public final class Datastores {

  /** The environment variable that names the datastore when no flag does. */
  public static final String ENV = "NETCTL_DATASTORE";

  static final String FORMS =
      "accepted forms: embedded, embedded:PATH, etcd:http://HOST:PORT[,http://HOST:PORT...],"
          + " memory, kubernetes[:KUBECONFIG]";

  private Datastores() {}

  /** A parsed datastore spec. */
  public sealed interface Spec {
    /** A process-local {@link MemoryDatastore}. */
    record Memory() implements Spec {}

    /** An {@link EmbeddedDatastore} on {@code file}. */
    record Embedded(Path file) implements Spec {}

    /** An {@link EtcdDatastore} on these client endpoints. */
    record Etcd(List<URI> endpoints) implements Spec {
      public Etcd {
        endpoints = List.copyOf(endpoints);
      }
    }

    /**
     * The Kubernetes API server; kubeconfig null for the default ({@code $KUBECONFIG}, {@code
     * ~/.kube/config}, else the in-cluster service account).
     */
    record Kubernetes(Path kubeconfig) implements Spec {}
  }

  /**
   * Opens the datastore named by {@code spec}, behind the migration lock's {@link WriteGate}: every
   * write through it is refused while the store is locked for migration.
   *
   * @param tls TLS material for etcd, or null; rejected for the local backends where it means
   *     nothing
   * @throws IllegalArgumentException when the spec is malformed
   * @throws UnsupportedOperationException for {@code kubernetes} when its module is not on the
   *     class path
   * @throws DatastoreException.Unavailable when an embedded file cannot be opened
   */
  public static Datastore open(String spec, TlsOptions tls) {
    return open(spec, tls, null);
  }

  /**
   * Opens the datastore named by {@code spec} as {@link #open(String, TlsOptions)} does, an etcd
   * store waiting {@code etcdConnectTimeout} for its first answer (null: {@link
   * #DEFAULT_ETCD_CONNECT_TIMEOUT}); the other backends do not use it.
   */
  public static Datastore open(String spec, TlsOptions tls, Duration etcdConnectTimeout) {
    return new WriteGate(openForMigration(spec, tls, etcdConnectTimeout));
  }

  /**
   * Opens the datastore named by {@code spec} without the write gate: for the migration's own
   * commands (lock, unlock, export, import), which write while the store is locked.
   *
   * @see #open
   */
  public static Datastore openForMigration(String spec, TlsOptions tls) {
    return openForMigration(spec, tls, null);
  }

  /**
   * {@link #openForMigration(String, TlsOptions)} with an etcd connect timeout, as {@link
   * #open(String, TlsOptions, Duration)} takes it.
   */
  public static Datastore openForMigration(
      String spec, TlsOptions tls, Duration etcdConnectTimeout) {
    Spec parsed = parse(spec);
    if (TlsOptions.enabled(tls) && !(parsed instanceof Spec.Etcd)) {
      throw new IllegalArgumentException(
          "datastore \"" + spec + "\": TLS options apply only to an etcd datastore");
    }
    return switch (parsed) {
      case Spec.Memory m -> new MemoryDatastore();
      case Spec.Embedded e -> new EmbeddedDatastore(e.file());
      case Spec.Etcd e ->
          new EtcdDatastore(
              e.endpoints(),
              tls,
              etcdConnectTimeout == null
                  ? EtcdDatastore.Options.DEFAULT
                  : EtcdDatastore.Options.DEFAULT.withConnectTimeout(etcdConnectTimeout));
      case Spec.Kubernetes k -> provider("kubernetes", spec).open(k);
    };
  }

  /**
   * The provider of a backend that lives in another module. Looked up only when a spec names it, so
   * the other backends never load its classes.
   */
  private static DatastoreProvider provider(String scheme, String spec) {
    for (DatastoreProvider p : ServiceLoader.load(DatastoreProvider.class)) {
      if (p.scheme().equals(scheme)) return p;
    }
    throw new UnsupportedOperationException(
        "datastore \""
            + spec
            + "\": the "
            + scheme
            + " backend is not on the class path (module kube-datastore); use embedded or etcd");
  }

  /**
   * Loads the code the backend of {@code spec} needs before its first open (for the embedded store:
   * the sqlite driver and its native library), opening nothing. A caller with other start-up work
   * can run this on another thread; a malformed spec is ignored here and reported by {@link #open}.
   */
  public static void preload(String spec) {
    try {
      if (parse(spec) instanceof Spec.Embedded) EmbeddedDatastore.loadDriver();
    } catch (IllegalArgumentException e) {
      // open() reports it with the exit code for usage errors.
    }
  }

  /**
   * The environment variable that sets the etcd connect timeout when no flag does, as calicoctl
   * takes its etcd settings from {@code ETCD_*} variables.
   */
  public static final String ETCD_CONNECT_TIMEOUT_ENV = "NETCTL_ETCD_CONNECT_TIMEOUT";

  /** How long an etcd store waits for its first answer unless told otherwise. */
  public static final Duration DEFAULT_ETCD_CONNECT_TIMEOUT =
      EtcdDatastore.Options.DEFAULT.connectTimeout();

  /** The shortest connect timeout taken: below it not even a TLS handshake on a LAN finishes. */
  public static final Duration MIN_ETCD_CONNECT_TIMEOUT = Duration.ofMillis(100);

  /** The longest: past it a dead endpoint is better reported than waited for. */
  public static final Duration MAX_ETCD_CONNECT_TIMEOUT = Duration.ofMinutes(10);

  /**
   * An etcd connect timeout as a user writes it, in Go's duration form as calicoctl and etcdctl
   * take durations ({@code 3s}, {@code 500ms}, {@code 1m30s}).
   *
   * @param source where it came from, for the error ({@code --etcd-connect-timeout}, the variable)
   * @throws IllegalArgumentException naming the source, the value and the rule
   */
  public static Duration parseEtcdConnectTimeout(String text, String source) {
    Duration d;
    try {
      d = dev.netctl.datastore.model.GoDuration.parse(text == null ? "" : text.strip());
    } catch (IllegalArgumentException e) {
      d = null;
    }
    if (d == null
        || d.compareTo(MIN_ETCD_CONNECT_TIMEOUT) < 0
        || d.compareTo(MAX_ETCD_CONNECT_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          source
              + " \""
              + text
              + "\" must be a duration from 100ms to 10m, such as 3s or 500ms (the default is "
              + DEFAULT_ETCD_CONNECT_TIMEOUT.toSeconds()
              + "s)");
    }
    return d;
  }

  /**
   * The etcd connect timeout from {@value #ETCD_CONNECT_TIMEOUT_ENV}, or null when it is unset.
   *
   * @throws IllegalArgumentException when it is set to something else than a duration in range
   */
  public static Duration etcdConnectTimeoutFromEnvironment() {
    return etcdConnectTimeoutFrom(System.getenv());
  }

  static Duration etcdConnectTimeoutFrom(Map<String, String> env) {
    String v = env.get(ETCD_CONNECT_TIMEOUT_ENV);
    return v == null || v.isBlank() ? null : parseEtcdConnectTimeout(v, ETCD_CONNECT_TIMEOUT_ENV);
  }

  /** The spec from {@code NETCTL_DATASTORE}, else {@code embedded} (the default file). */
  public static String defaultSpec() {
    return defaultSpec(System.getenv());
  }

  static String defaultSpec(Map<String, String> env) {
    String v = env.get(ENV);
    return v == null || v.isBlank() ? "embedded" : v.strip();
  }

  /** {@code ~/.netctl/netctl.db}: where {@code embedded} without a path keeps its file. */
  public static Path defaultEmbeddedFile() {
    return Path.of(System.getProperty("user.home"), ".netctl", "netctl.db");
  }

  /** Parses a spec without opening anything. */
  public static Spec parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw bad(spec == null ? "" : spec, "it is empty");
    }
    String s = spec.strip();
    int colon = s.indexOf(':');
    String scheme = colon < 0 ? s : s.substring(0, colon);
    String rest = colon < 0 ? null : s.substring(colon + 1);
    return switch (scheme) {
      case "memory" -> {
        if (rest != null) throw bad(spec, "memory takes no argument");
        yield new Spec.Memory();
      }
      case "embedded" -> {
        if (rest == null) yield new Spec.Embedded(defaultEmbeddedFile());
        if (rest.isBlank()) throw bad(spec, "embedded: needs a file path after the colon");
        yield new Spec.Embedded(expandHome(rest.strip()));
      }
      case "etcd" -> {
        if (rest == null || rest.isBlank()) {
          throw bad(spec, "etcd needs at least one endpoint, e.g. etcd:http://127.0.0.1:2379");
        }
        yield new Spec.Etcd(endpoints(spec, rest));
      }
      case "kubernetes" ->
          new Spec.Kubernetes(rest == null || rest.isBlank() ? null : expandHome(rest.strip()));
      default -> throw bad(spec, "unknown datastore kind \"" + scheme + "\"");
    };
  }

  private static List<URI> endpoints(String spec, String list) {
    List<URI> out = new ArrayList<>();
    String firstScheme = null;
    for (String part : list.split(",", -1)) {
      String p = part.strip();
      URI uri;
      try {
        uri = new URI(p);
      } catch (URISyntaxException e) {
        throw bad(spec, "endpoint \"" + p + "\" is not a URL: " + e.getReason());
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw bad(spec, "endpoint \"" + p + "\" must start with http:// or https://");
      }
      if (uri.getHost() == null || uri.getPort() < 1) {
        throw bad(spec, "endpoint \"" + p + "\" must name a host and a port");
      }
      if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
        throw bad(spec, "endpoint \"" + p + "\" must not have a path");
      }
      if (firstScheme != null && !firstScheme.equals(uri.getScheme())) {
        throw bad(spec, "endpoints mix http and https");
      }
      firstScheme = uri.getScheme();
      out.add(uri);
    }
    return out;
  }

  private static Path expandHome(String path) {
    if (path.equals("~")) return Path.of(System.getProperty("user.home"));
    if (path.startsWith("~/")) return Path.of(System.getProperty("user.home"), path.substring(2));
    return Path.of(path);
  }

  private static IllegalArgumentException bad(String spec, String why) {
    return new IllegalArgumentException(
        "bad datastore spec \"" + spec + "\": " + why + "; " + FORMS);
  }
}
