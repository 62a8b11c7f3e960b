package dev.netctl.datastore.model;

/**
 * A manifest or stored object could not be read. The message says where (source, document, kind and
 * name when known), which field, the offending value when there is one, and what is wrong, e.g.
 * {@code pools.yaml: document 2 (IPPool "p1"): field spec.ipipMode "Sometimes" must be one of
 * Always, CrossSubnet, Never}.
 */
public final class CodecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String location;
  private final String field;
  private final String problem;

  /**
   * @param location where: source, document index, kind and name as far as known
   * @param field the field path, or null when the document as a whole is wrong
   * @param problem what is wrong, including the value when there is one
   * @param cause the parser's exception, if any
   */
  public CodecException(String location, String field, String problem, Throwable cause) {
    super(location + ": " + detail(field, problem), cause);
    this.location = location;
    this.field = field;
    this.problem = problem;
  }

  /** Where: source, document index, kind and name as far as known. */
  public String location() {
    return location;
  }

  /** The field path, or null. */
  public String field() {
    return field;
  }

  /**
   * The message without its location ({@code field spec.x "v" must be ...}), for a caller that
   * decoded one object alone and knows better where it sits.
   */
  public String detail() {
    return detail(field, problem);
  }

  private static String detail(String field, String problem) {
    return (field == null ? "" : "field " + field + " ") + problem;
  }

  /** What is wrong. */
  public String problem() {
    return problem;
  }
}
