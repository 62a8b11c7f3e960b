package dev.netctl.ctl;

import dev.netctl.datastore.model.CodecException;
import dev.netctl.datastore.model.Decoded;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.datastore.model.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * {@code -f FILE|-} (repeatable) and {@code -R}: where the manifests of create, apply, replace,
 * delete, validate and convert come from. Files hold multi-document YAML, JSON objects or arrays,
 * or a {@code List}; a directory contributes its {@code .yaml}, {@code .yml} and {@code .json}
 * files (its subdirectories too with {@code -R}), in path order so runs are reproducible.
 */
final class FileOptions {

  @Option(
      names = {"-f", "--filename"},
      paramLabel = "FILE",
      description = "Manifest file or directory; - reads stdin. Repeatable.")
  List<String> files = new ArrayList<>();

  @Option(
      names = {"-R", "--recursive"},
      description = "Also read the subdirectories of a directory given with -f.")
  boolean recursive;

  boolean given() {
    return !files.isEmpty();
  }

  /**
   * Reads and parses every file. Parsing rejects unknown kinds, apiVersions and fields ({@link
   * dev.netctl.datastore.model.CodecException}, exit INVALID); a missing or unreadable path is a
   * usage error.
   *
   * @throws CliException USAGE when no -f was given, a path is bad, or the input holds no object
   */
  List<Manifest> read(InputStream stdin, ResourceCodec codec) {
    return read(stdin, codec, null, true);
  }

  /**
   * As {@link #read(InputStream, ResourceCodec)}, with objects of namespaced kinds that name no
   * namespace put in {@code namespace} (null: {@code default}).
   *
   * <p>Every document of every file is read even when one cannot be: a wrong-typed field in one
   * document must not hide the errors of the others. When any cannot be read, the failure lists
   * each such document and, with {@code validate}, the rules the readable ones break (those a
   * validator checks without a datastore), so one run shows everything to fix.
   *
   * @throws CliException INVALID listing every error when a document cannot be read
   */
  List<Manifest> read(InputStream stdin, ResourceCodec codec, String namespace, boolean validate) {
    List<Manifest> out = new ArrayList<>();
    List<CodecException> errors = new ArrayList<>();
    for (Source src : sources(stdin)) {
      String name = src.name();
      Decoded decoded = codec.decodeManifests(src.text(), name, namespace);
      decoded.resources().forEach(r -> out.add(new Manifest(r, name)));
      errors.addAll(decoded.errors());
    }
    if (!errors.isEmpty()) {
      List<String> lines = new ArrayList<>();
      errors.forEach(e -> lines.add(e.getMessage()));
      if (validate) {
        List<Violation> violations = Preflight.stateless(out);
        if (!violations.isEmpty()) lines.add(Preflight.describe(out, violations));
      }
      throw new CliException(ExitCode.INVALID, String.join("\n", lines));
    }
    if (out.isEmpty()) {
      throw new CliException(
          ExitCode.USAGE, "no objects found in " + String.join(", ", files) + " (empty input)");
    }
    return out;
  }

  /**
   * One file's text.
   *
   * @param text its content
   * @param name its path, or {@code <stdin>}
   */
  record Source(String text, String name) {}

  /**
   * The text of every file, in order, for verbs that read more kinds than netctl stores.
   *
   * @throws CliException USAGE when no -f was given or a path is bad
   */
  List<Source> sources(InputStream stdin) {
    if (files.isEmpty()) throw new CliException(ExitCode.USAGE, "-f FILE is required");
    List<Source> out = new ArrayList<>();
    boolean stdinRead = false;
    for (String f : files) {
      if (f.equals("-")) {
        if (stdinRead) throw new CliException(ExitCode.USAGE, "-f - may be given only once");
        stdinRead = true;
        out.add(new Source(readStdin(stdin), "<stdin>"));
        continue;
      }
      for (Path p : expand(f)) out.add(new Source(readFile(p), p.toString()));
    }
    return out;
  }

  private List<Path> expand(String f) {
    Path p = Path.of(f);
    if (!Files.exists(p)) {
      throw new CliException(ExitCode.USAGE, "the path \"" + f + "\" does not exist");
    }
    if (!Files.isDirectory(p)) return List.of(p);
    try (Stream<Path> s = recursive ? Files.walk(p) : Files.list(p)) {
      List<Path> manifests =
          s.filter(Files::isRegularFile).filter(FileOptions::isManifest).sorted().toList();
      if (manifests.isEmpty()) {
        throw new CliException(
            ExitCode.USAGE,
            "the directory \""
                + f
                + "\" holds no .yaml, .yml or .json file"
                + (recursive ? "" : " (use -R for subdirectories)"));
      }
      return manifests;
    } catch (IOException e) {
      throw new CliException(ExitCode.USAGE, "cannot read directory \"" + f + "\": " + e);
    }
  }

  private static boolean isManifest(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
  }

  private static String readFile(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new CliException(ExitCode.INVALID, "\"" + p + "\" is not UTF-8 text");
    } catch (IOException e) {
      throw new CliException(
          ExitCode.USAGE, "cannot read \"" + p + "\": " + e.getClass().getSimpleName());
    }
  }

  private static String readStdin(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException(ExitCode.USAGE, "cannot read stdin: " + e.getMessage());
    }
  }
}
