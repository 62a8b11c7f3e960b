package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntBiFunction;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class VerbsTest {

  @Test
  void aNamedVerbAloneIsBuilt() {
    assertThat(Verbs.needed(args("get ippools"))).containsExactly(GetCommand.class);
    assertThat(Verbs.needed(args("ipam show --show-blocks"))).containsExactly(IpamCommand.class);
    assertThat(Verbs.needed(args("--datastore memory get ippools")))
        .containsExactly(GetCommand.class);
    assertThat(Verbs.needed(args("--datastore=memory --etcd-ca ca.pem apply -f x.yaml")))
        .containsExactly(ApplyCommand.class);
    // A value option's value is skipped whatever it looks like.
    assertThat(Verbs.needed(args("--datastore --help version")))
        .containsExactly(VersionCommand.class);
  }

  @Test
  void anythingElseGetsTheWholeTree() {
    for (String line :
        List.of(
            "",
            "--help",
            "-h get ippools",
            "--version",
            "-V",
            "gte ippools",
            "--datastore get ippools",
            "--bogus get",
            "-- get",
            "@args.txt",
            "completion bash",
            "generate-completion")) {
      assertThat(Verbs.needed(args(line))).as(line).isSameAs(Verbs.ALL);
    }
  }

  @Test
  void everyVerbAndAliasIsFoundByName() {
    for (String name : Verbs.names()) {
      List<Class<?>> needed = Verbs.needed(new String[] {name});
      if (name.equals("completion") || name.equals("generate-completion")) {
        assertThat(needed).as(name).isSameAs(Verbs.ALL);
      } else {
        assertThat(needed).as(name).hasSize(1);
      }
    }
  }

  /**
   * The partial tree must not change a byte of what users see: every command path's help, and a set
   * of usage errors and runs, print the same and exit the same on both trees.
   */
  @Test
  void partialTreePrintsWhatTheWholeTreePrints() {
    List<String[]> lines = new ArrayList<>();
    for (List<String> path : commandPaths(whole(), List.of())) {
      List<String> help = new ArrayList<>(path);
      help.add("--help");
      lines.add(help.toArray(String[]::new));
    }
    assertThat(lines).hasSizeGreaterThan(Verbs.ALL.size());
    for (String line :
        List.of(
            "get",
            "get nokind",
            "get ippools --bogus",
            "get ippools -o nope --datastore memory",
            "--datastore memory get ippools",
            "--datastore memory get ippools -o yaml",
            "--datastore=memory get ippool missing",
            "get ippools --datastore bogus:x",
            "--datastore memory delete ippool p",
            "--datastore memory ipam show",
            "--datastore memory ipam nosuch",
            "bgp nosuch",
            "validate",
            "version",
            "version --bogus",
            "convert -f")) {
      lines.add(args(line));
    }
    for (String[] a : lines) {
      String whole = capture((o, e) -> whole(o, e).execute(a));
      String partial = capture((o, e) -> Netctl.execute(InputStream.nullInputStream(), o, e, a));
      assertThat(partial).as(String.join(" ", a)).isEqualTo(whole);
    }
  }

  /** Every command path below {@code cl}: {@code [get]}, {@code [ipam, show]}... */
  private static List<List<String>> commandPaths(CommandLine cl, List<String> prefix) {
    List<List<String>> out = new ArrayList<>();
    for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
      List<String> path = new ArrayList<>(prefix);
      path.add(e.getKey());
      out.add(path);
      out.addAll(commandPaths(e.getValue(), path));
    }
    return out;
  }

  private static CommandLine whole() {
    return whole(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
  }

  private static CommandLine whole(PrintWriter out, PrintWriter err) {
    return Netctl.commandLine(InputStream.nullInputStream(), out, err);
  }

  /** Runs one command line and returns its exit code, stdout and stderr as one string. */
  private static String capture(ToIntBiFunction<PrintWriter, PrintWriter> command) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code = command.applyAsInt(o, e);
    }
    return "exit " + code + "\n" + out + "--- stderr\n" + err;
  }

  private static String[] args(String line) {
    return line.isEmpty() ? new String[0] : line.split(" ");
  }
}
