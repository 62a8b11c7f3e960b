package dev.netctl.ctl;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders rows as kubectl does: upper-case headers, columns left-aligned and separated by three
 * spaces, no borders, so {@code awk} and {@code column} keep working on the output.
 */
public final class Table {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(List<String> headers) {
    this.headers = List.copyOf(headers);
  }

  public Table row(List<String> cells) {
    if (cells.size() != headers.size()) {
      throw new IllegalArgumentException(
          "row has " + cells.size() + " cells, table has " + headers.size() + " columns");
    }
    rows.add(cells.stream().map(c -> c == null ? "" : c).toList());
    return this;
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  public void print(PrintWriter out) {
    int[] width = new int[headers.size()];
    for (int i = 0; i < width.length; i++) width[i] = headers.get(i).length();
    for (List<String> r : rows) {
      for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], r.get(i).length());
    }
    printRow(out, headers.stream().map(h -> h.toUpperCase(java.util.Locale.ROOT)).toList(), width);
    for (List<String> r : rows) printRow(out, r, width);
    out.flush();
  }

  private static void printRow(PrintWriter out, List<String> cells, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      sb.append(c);
      if (i < cells.size() - 1) sb.append(" ".repeat(width[i] - c.length() + 3));
    }
    out.println(sb.toString().stripTrailing());
  }
}
