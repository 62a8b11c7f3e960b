package dev.netctl.ctl;

import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Resource;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * The {@code -o} formats of {@code get} and {@code convert}. YAML of several objects is a
 * multi-document stream and JSON of several a {@code kind: List}; both read back with {@code apply
 * -f}, so {@code get -o yaml | apply -f -} is a no-op.
 */
enum OutputFormat {
  TABLE,
  WIDE,
  YAML,
  JSON,
  NAME;

  /**
   * Parses what follows {@code -o}.
   *
   * @throws CliException USAGE naming the accepted formats
   */
  static OutputFormat parse(String text, List<OutputFormat> accepted) {
    for (OutputFormat f : accepted) {
      if (f.name().equalsIgnoreCase(text)) return f;
    }
    throw new CliException(
        ExitCode.USAGE,
        "unknown output format \""
            + text
            + "\"; use one of "
            + String.join(
                ", ", accepted.stream().map(f -> f.name().toLowerCase(Locale.ROOT)).toList()));
  }

  /** Whether an empty result is reported as {@code No resources found.} on stderr. */
  boolean isTextual() {
    return this == TABLE || this == WIDE || this == NAME;
  }

  /** Prints objects of one kind; a table is printed only when there are rows. */
  void print(Kind<?> kind, List<? extends Resource> items, PrintWriter out) {
    print(kind, items, out, kind::row);
  }

  /**
   * Prints objects of one kind, a table's cells made by {@code rows} (resource, wide): for columns
   * that need more than the object itself, such as a node's inherited AS number.
   */
  void print(
      Kind<?> kind,
      List<? extends Resource> items,
      PrintWriter out,
      BiFunction<Resource, Boolean, List<String>> rows) {
    print(kind, items, out, rows, true);
  }

  /**
   * As {@link #print(Kind, List, PrintWriter, BiFunction)}; a table of a namespaced kind leaves out
   * its NAMESPACE column when {@code namespaceColumn} is false (calicoctl prints it only when asked
   * about namespaces: {@code -A} or {@code -n}). YAML and JSON always carry the namespace.
   */
  void print(
      Kind<?> kind,
      List<? extends Resource> items,
      PrintWriter out,
      BiFunction<Resource, Boolean, List<String>> rows,
      boolean namespaceColumn) {
    switch (this) {
      case TABLE, WIDE -> {
        if (items.isEmpty()) return;
        boolean wide = this == WIDE;
        List<String> headers = kind.headers(wide);
        // the namespaced kinds' tables lead with NAMESPACE
        int skip = !namespaceColumn && headers.getFirst().equals("NAMESPACE") ? 1 : 0;
        Table t = new Table(headers.subList(skip, headers.size()));
        for (Resource r : items) {
          List<String> cells = rows.apply(r, wide);
          t.row(cells.subList(skip, cells.size()));
        }
        t.print(out);
      }
      case YAML -> out.print(ResourceVerb.CODEC.toYaml(items));
      case JSON -> out.print(ResourceVerb.CODEC.toJson(items));
      case NAME -> items.forEach(r -> out.println(Kinds.ref(r)));
    }
    out.flush();
  }

  /** Completion candidates: the lower-case names. */
  static final class Candidates implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return java.util.Arrays.stream(values())
          .map(f -> f.name().toLowerCase(Locale.ROOT))
          .iterator();
    }
  }
}
