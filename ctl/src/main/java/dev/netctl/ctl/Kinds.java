package dev.netctl.ctl;

import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Resource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Kind names as users type them ({@code ippool}, {@code pools}, {@code bgppeer}...) and as netctl
 * prints them ({@code ippool.netctl.dev/p1}, the kubectl form).
 */
final class Kinds {
  /**
   * The group suffix of printed references, after kubectl's {@code ippool.crd.projectcalico.org}.
   */
  static final String GROUP = "netctl.dev";

  private Kinds() {}

  /**
   * The kind a user typed.
   *
   * @throws CliException (USAGE) listing the known kinds when it names none
   */
  static Kind<?> lookup(String typed) {
    return Kind.lookup(typed)
        .orElseThrow(
            () ->
                new CliException(
                    ExitCode.USAGE,
                    "unknown resource kind \"" + typed + "\"; known kinds: " + known()));
  }

  /** E.g. {@code ippools (ippool, pool, pools), bgppeers (...)}. */
  static String known() {
    return Kind.all().stream()
        .map(
            k -> {
              TreeSet<String> aliases = new TreeSet<>(k.shortNames());
              aliases.remove(k.plural());
              return k.plural() + " (" + String.join(", ", aliases) + ")";
            })
        .collect(Collectors.joining(", "));
  }

  /** E.g. {@code ippool.netctl.dev/p1}: what create/apply/patch print. */
  static String ref(Resource r) {
    return ref(r.kind(), r.name());
  }

  /** E.g. {@code ippool.netctl.dev/p1}. */
  static String ref(Kind<?> kind, String name) {
    return kind.name().toLowerCase(Locale.ROOT) + "." + GROUP + "/" + name;
  }

  /** Shell completion candidates for a KIND parameter: every plural and short name. */
  static final class Candidates implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      List<String> all = new ArrayList<>();
      for (Kind<?> k : Kind.all()) all.addAll(new TreeSet<>(k.shortNames()));
      return all.iterator();
    }
  }
}
