package dev.netctl.bench.bgp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * bgperf-style BGP benchmark: drives BIRD 2, GoBGP, FRR (default and tuned) and netctl's speaker as
 * a route reflector and measures session set-up, convergence, peak RSS and CPU per scenario.
 *
 * <pre>
 * BgpBench [--dut bird,gobgp,frr,frr-tuned,netctl] [--scenario fanout,bulk,churn]
 *          [--clients N] [--prefixes P] [--table T] [--timeout SECONDS] [--dut-address 127.0.0.X]
 *          [--churn-rounds R [--churn-fresh-sets]] [--results DIR] [--plot [FILE]]
 * BgpBench --plot-csv RESULTS.csv [--plot [FILE]]     (re-plot an earlier run)
 * </pre>
 */
public final class BgpBench {
  private BgpBench() {}

  /** Parsed command line. */
  record Options(
      List<String> duts,
      List<Scenario> scenarios,
      int clients,
      int prefixes,
      int table,
      Duration timeout,
      Inet4Address dutAddress,
      int churnRounds,
      boolean churnFreshSets,
      Path results,
      Path plot,
      Path plotCsv) {

    /** Parses the arguments; a bad one is named with its value and the rule it breaks. */
    static Options parse(String... args) {
      List<String> duts = List.of("bird", "gobgp", "frr", "frr-tuned", "netctl");
      List<Scenario> scenarios = List.of(Scenario.FANOUT, Scenario.BULK, Scenario.CHURN);
      int clients = 1000;
      int prefixes = 1_000_000;
      int table = 0;
      long timeout = 300;
      String address = "127.0.3.1";
      int churnRounds = 1;
      boolean churnFreshSets = false;
      Path results = Path.of("bench", "results");
      Path plot = null;
      Path plotCsv = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--dut" -> {
            duts = split(value(args, ++i, a));
            duts.forEach(BgpBench::dut);
          }
          case "--scenario" ->
              scenarios = split(value(args, ++i, a)).stream().map(Scenario::parse).toList();
          case "--clients" -> clients = positive(a, value(args, ++i, a), 60_000);
          case "--prefixes" -> prefixes = positive(a, value(args, ++i, a), 1 << 24);
          case "--table" -> table = positive(a, value(args, ++i, a), Workload.TABLE_BLOCK);
          case "--timeout" -> timeout = positive(a, value(args, ++i, a), 86_400);
          case "--dut-address" -> address = value(args, ++i, a);
          case "--churn-rounds" -> churnRounds = positive(a, value(args, ++i, a), 1000);
          case "--churn-fresh-sets" -> churnFreshSets = true;
          case "--results" -> results = Path.of(value(args, ++i, a));
          case "--plot" -> {
            boolean hasFile = i + 1 < args.length && !args[i + 1].startsWith("--");
            plot = Path.of(hasFile ? args[++i] : "docs/bench-bgp.png");
          }
          case "--plot-csv" -> plotCsv = Path.of(value(args, ++i, a));
          default -> throw new IllegalArgumentException("unknown option '" + a + "'");
        }
      }
      return new Options(
          duts,
          scenarios,
          clients,
          prefixes,
          table,
          Duration.ofSeconds(timeout),
          loopback(address),
          churnRounds,
          churnFreshSets,
          results,
          plot,
          plotCsv);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }

    private static List<String> split(String list) {
      return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static int positive(String option, String text, int max) {
      try {
        int v = Integer.parseInt(text);
        if (v >= 1 && v <= max) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          option + " value '" + text + "' must be an integer in 1.." + max);
    }

    private static Inet4Address loopback(String text) {
      try {
        if (InetAddress.getByName(text) instanceof Inet4Address a && a.getAddress()[0] == 127) {
          return a;
        }
      } catch (IOException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          "--dut-address value '" + text + "' must be an IPv4 address in 127.0.0.0/8");
    }
  }

  private static String title() {
    return "BGP route reflector benchmark ("
        + Runtime.getRuntime().availableProcessors()
        + " cores, loopback)";
  }

  /** The DUT factory for a command-line name. */
  static Supplier<Dut> dut(String name) {
    return switch (name) {
      case "bird" -> BirdDut::new;
      case "gobgp" -> GobgpDut::new;
      case "frr" -> () -> new FrrDut(false);
      case "frr-tuned" -> () -> new FrrDut(true);
      case "netctl" -> NetctlDut::new;
      default ->
          throw new IllegalArgumentException(
              "--dut value '" + name + "' is not one of bird, gobgp, frr, frr-tuned, netctl");
    };
  }

  /**
   * The DUTs in the order of a scenario's {@code repeat}-th run (from 0): the list as given turned
   * by {@code repeat}, so that each DUT runs first as often when a scenario is repeated a multiple
   * of the DUTs' number of times. The harness is a JVM still compiling itself early in a run
   * (tier-4 recompiles of its hottest code, the first reads of a new DUT's /proc files), and every
   * DUT converged faster later in a run: a DUT listed first always met the coldest harness
   * (docs/benchmarks.md, issue 14 session 21).
   */
  static List<String> inTurn(List<String> duts, int repeat) {
    List<String> turned = new ArrayList<>(duts);
    java.util.Collections.rotate(turned, -(repeat % Math.max(1, duts.size())));
    return turned;
  }

  /**
   * Runs the selected scenarios against the selected DUTs, prints the table, writes the CSV and
   * optionally the plot. Exits 2 on bad options and 1 when any scenario failed.
   */
  public static void main(String[] args) throws IOException {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("BgpBench: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (o.plotCsv() != null) {
      List<Result> earlier = ResultTable.parseCsv(Files.readString(o.plotCsv()));
      Path png = o.plot() != null ? o.plot() : Path.of("docs/bench-bgp.png");
      BarChart.write(earlier, title(), png);
      System.out.println("plot: " + png);
      return;
    }
    HarnessWarmup.run();
    HarnessWarmup.throughSockets(new ScenarioRunner(o.dutAddress(), o.timeout(), 3));
    ScenarioRunner runner =
        new ScenarioRunner(o.dutAddress(), o.timeout(), o.churnRounds(), o.churnFreshSets());
    List<Result> results = new ArrayList<>();
    Map<Scenario, Integer> repeats = new EnumMap<>(Scenario.class);
    for (Scenario s : o.scenarios()) {
      for (String d : inTurn(o.duts(), repeats.merge(s, 1, Integer::sum) - 1)) {
        System.err.printf(Locale.ROOT, "running %s on %s ...%n", s.label(), d);
        Result r = runner.run(dut(d), s, o.clients(), o.prefixes(), o.table());
        System.err.printf(
            Locale.ROOT,
            "  %s%n",
            r.ok()
                ? String.format(
                    Locale.ROOT,
                    "setup %.3f s, converge %.3f s, peak %.1f MiB",
                    r.setupSeconds(),
                    r.convergeSeconds(),
                    r.peakRssKb() / 1024.0)
                : "FAILED: " + r.error());
        results.add(r);
      }
    }
    System.out.print(ResultTable.text(results));
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path csv = o.results().resolve("bgp-" + stamp + ".csv");
    ResultTable.writeCsv(results, csv);
    System.out.println("csv: " + csv);
    if (o.plot() != null) {
      BarChart.write(results, title(), o.plot());
      System.out.println("plot: " + o.plot());
    }
    System.exit(results.stream().allMatch(Result::ok) ? 0 : 1);
  }
}
