package dev.netctl.datastore.selector;

/**
 * A selector did not parse. The message quotes the selector, gives the 1-based column where parsing
 * failed and says what was expected there, e.g. {@code selector "a == " column 6: expected a quoted
 * value}.
 */
public final class SelectorException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String selector;
  private final int column;
  private final String expected;

  /**
   * @param selector the selector text
   * @param column 1-based column of the failure; length + 1 means "at the end"
   * @param expected what should have been there, e.g. {@code expected a quoted value}
   */
  public SelectorException(String selector, int column, String expected) {
    super("selector \"" + selector + "\" column " + column + ": " + expected);
    this.selector = selector;
    this.column = column;
    this.expected = expected;
  }

  /** The selector text. */
  public String selector() {
    return selector;
  }

  /** 1-based column of the failure. */
  public int column() {
    return column;
  }

  /** What was expected, e.g. {@code expected a quoted value}. */
  public String expected() {
    return expected;
  }
}
