package dev.netctl.ctl;

import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.model.Kind;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Overlaps a command's library start-up with picocli's. While the main thread builds the verb's
 * model and parses the command line, a daemon thread initializes the resource codec (Jackson; its
 * date formats alone pull in the JDK's locale data) and the deserializers of the kind the command
 * names, loads the datastore's driver (sqlite and its native library) and initializes BigDecimal,
 * which the codec's parser needs. That is class loading and initialization only: nothing is opened,
 * read or written, and the main thread, which needs both moments later, finds them ready or waits
 * for the class being initialized. On a single core it costs nothing extra: the same work, in
 * another order.
 */
final class Warmup {

  private Warmup() {}

  /** Starts the warm-up for {@code verbs} (as {@link Verbs#needed} chose them) when it helps. */
  static void start(List<Class<?>> verbs, String[] args) {
    if (verbs.size() != 1) return;
    Class<?> verb = verbs.getFirst();
    boolean resources = ResourceVerb.class.isAssignableFrom(verb) || verb == IpamCommand.class;
    if (!resources) return;
    // validate and convert read manifests but never open a datastore.
    String spec =
        verb == ValidateCommand.class || verb == ConvertCommand.class ? null : datastoreSpec(args);
    Thread.ofPlatform()
        .daemon()
        .name("netctl-warmup")
        .start(
            () -> {
              // In the order the main thread needs them: the codec when picocli creates the
              // verb, the driver when it opens the store, the rest when it decodes.
              Objects.requireNonNull(ResourceVerb.CODEC); // runs ResourceVerb's initializer
              if (spec != null) Datastores.preload(spec);
              // Jackson's parsers hold BigDecimal constants, and JDK 25's BigDecimal initializer
              // squares large powers of ten: a fifth of a get's main thread before this.
              Objects.requireNonNull(BigDecimal.ONE);
              Kind<?> kind = namedKind(args);
              if (kind != null) ResourceVerb.CODEC.prepare(kind);
            });
  }

  /**
   * The kind the command line names (the first word after the verb that is a kind or an alias, as
   * in {@code get ippools -o yaml}), or null. A wrong guess only prepares a kind not read.
   */
  static Kind<?> namedKind(String[] args) {
    boolean afterVerb = false;
    for (String a : args) {
      if (!afterVerb) {
        afterVerb = Verbs.isVerb(a);
        continue;
      }
      if (a.startsWith("-")) continue;
      Optional<Kind<?>> kind = Kind.lookup(a);
      if (kind.isPresent()) return kind.get();
    }
    return null;
  }

  /** The spec {@code --datastore} gives (before or after the verb), else the default one. */
  static String datastoreSpec(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--datastore") && i + 1 < args.length) return args[i + 1];
      if (args[i].startsWith("--datastore=")) return args[i].substring("--datastore=".length());
    }
    return Datastores.defaultSpec();
  }
}
