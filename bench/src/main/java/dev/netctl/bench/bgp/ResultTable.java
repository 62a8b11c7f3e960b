package dev.netctl.bench.bgp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Renders results as a fixed-width table for stdout and as CSV. */
final class ResultTable {
  private static final String CSV_HEADER =
      "dut,scenario,sessions,prefixes,setup_s,load_s,converge_s,peak_rss_mib,cpu_s,error";

  private ResultTable() {}

  /** The human-readable table. */
  static String text(List<Result> results) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%-10s %-8s %8s %9s %9s %9s %11s %10s %8s  %s%n",
            "DUT",
            "SCENARIO",
            "SESSIONS",
            "PREFIXES",
            "SETUP s",
            "LOAD s",
            "CONVERGE s",
            "PEAK MiB",
            "CPU s",
            "ERROR"));
    for (Result r : results) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-10s %-8s %8d %9d %9s %9s %11s %10s %8s  %s%n",
              r.dut(),
              r.scenario(),
              r.sessions(),
              r.prefixes(),
              num(r.setupSeconds(), 3),
              num(r.loadSeconds(), 3),
              num(r.convergeSeconds(), 3),
              r.peakRssKb() < 0 ? "-" : num(r.peakRssKb() / 1024.0, 1),
              num(r.cpuSeconds(), 2),
              r.error()));
    }
    return b.toString();
  }

  /** The CSV text, one header line then one line per result. */
  static String csv(List<Result> results) {
    StringBuilder b = new StringBuilder(CSV_HEADER).append('\n');
    for (Result r : results) {
      b.append(r.dut()).append(',').append(r.scenario()).append(',');
      b.append(r.sessions()).append(',').append(r.prefixes()).append(',');
      b.append(csvNum(r.setupSeconds(), 3)).append(',');
      b.append(csvNum(r.loadSeconds(), 3)).append(',');
      b.append(csvNum(r.convergeSeconds(), 3)).append(',');
      b.append(r.peakRssKb() < 0 ? "" : csvNum(r.peakRssKb() / 1024.0, 1)).append(',');
      b.append(csvNum(r.cpuSeconds(), 2)).append(',');
      b.append('"').append(r.error().replace("\"", "\"\"")).append('"').append('\n');
    }
    return b.toString();
  }

  /** Writes the CSV to {@code file}, creating its directory. */
  static void writeCsv(List<Result> results, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, csv(results));
  }

  /** Reads back a CSV written by {@link #csv}, to re-plot without re-running. */
  static List<Result> parseCsv(String text) {
    return text.lines().skip(1).filter(l -> !l.isBlank()).map(ResultTable::parseLine).toList();
  }

  private static Result parseLine(String line) {
    String[] f = line.split(",", 10); // the error column is last and may hold commas
    if (f.length != 10) {
      throw new IllegalArgumentException("CSV line has " + f.length + " of 10 columns: " + line);
    }
    String error = f[9];
    if (error.length() >= 2 && error.startsWith("\"") && error.endsWith("\"")) {
      error = error.substring(1, error.length() - 1).replace("\"\"", "\"");
    }
    return new Result(
        f[0],
        f[1],
        Integer.parseInt(f[2]),
        Integer.parseInt(f[3]),
        cell(f[4]),
        cell(f[5]),
        cell(f[6]),
        f[7].isEmpty() ? -1 : Math.round(Double.parseDouble(f[7]) * 1024),
        cell(f[8]),
        error);
  }

  private static double cell(String text) {
    return text.isEmpty() ? Double.NaN : Double.parseDouble(text);
  }

  private static String num(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String csvNum(double v, int decimals) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
