package dev.netctl.datastore.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What reading a manifest gave: every resource that could be read, and an error for each document
 * or list item that could not. One wrong-typed document must not hide the errors of the others, as
 * kubectl reports each object of a file on its own.
 */
public final class Decoded {
  private final List<Resource> resources = new ArrayList<>();
  private final List<CodecException> errors = new ArrayList<>();

  Decoded() {}

  /** Adds what {@code reader} reads, or notes the error it throws. */
  void read(Supplier<Resource> reader) {
    try {
      resources.add(reader.get());
    } catch (CodecException e) {
      errors.add(e);
    }
  }

  void add(CodecException error) {
    errors.add(error);
  }

  /** The resources read, in input order. */
  public List<Resource> resources() {
    return List.copyOf(resources);
  }

  /** One error per document or item that could not be read, in input order. */
  public List<CodecException> errors() {
    return List.copyOf(errors);
  }

  /**
   * The resources, when every document could be read.
   *
   * @throws CodecException the one error, or one whose message lists every error on its own line
   */
  public List<Resource> orThrow() {
    if (errors.isEmpty()) return resources();
    throw combine(errors);
  }

  /** One error for several: the lone error itself, else every message on its own line. */
  public static CodecException combine(List<CodecException> errors) {
    if (errors.size() == 1) return errors.getFirst();
    CodecException first = errors.getFirst();
    String rest =
        errors.stream().skip(1).map(CodecException::getMessage).collect(Collectors.joining("\n"));
    CodecException all =
        new CodecException(first.location(), first.field(), first.problem() + "\n" + rest, first);
    errors.stream().skip(1).forEach(all::addSuppressed);
    return all;
  }
}
