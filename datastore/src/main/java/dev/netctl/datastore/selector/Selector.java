package dev.netctl.datastore.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A parsed Calico label selector such as {@code role == 'rr' && !has(edge)}: an immutable syntax
 * tree that is matched against a label map.
 *
 * <p>The language: {@code all()}, {@code global()} (see {@link Global}), {@code has(k)}, {@code k
 * == 'v'}, {@code k != 'v'}, {@code k in {'a','b'}}, {@code k not in {...}}, {@code k contains
 * 's'}, {@code k starts with 's'}, {@code k ends with 's'}, {@code !}, {@code &&} (binds tighter
 * than) {@code ||}, and parentheses; values take single or double quotes. As in Calico, {@code k !=
 * 'v'} and {@code k not in {...}} also match objects without label {@code k}. A blank selector
 * means {@code all()}.
 *
 * <p>{@link #toString()} is canonical and {@code parse(s.toString()).equals(s)} for every selector
 * {@code s}. Parse once and keep the tree: matching never re-parses.
 */
public sealed interface Selector {

  /** Matches everything. */
  Selector ALL = new All();

  /**
   * Parses a selector.
   *
   * @throws SelectorException naming the column where parsing failed and what was expected
   */
  static Selector parse(String text) {
    return new SelectorParser(text).parse();
  }

  /** True when an object with these labels is selected. */
  boolean matches(Map<String, String> labels);

  /**
   * True when {@code global()} appears anywhere in the selector. Calico allows it only as the whole
   * of a rule's {@code namespaceSelector}; everywhere else validation refuses it.
   */
  default boolean mentionsGlobal() {
    return switch (this) {
      case Global g -> true;
      case Not n -> n.operand().mentionsGlobal();
      case And a -> a.operands().stream().anyMatch(Selector::mentionsGlobal);
      case Or o -> o.operands().stream().anyMatch(Selector::mentionsGlobal);
      default -> false;
    };
  }

  /** The canonical text form, which parses back to an equal selector. */
  @Override
  String toString();

  /** {@code all()}. */
  record All() implements Selector {
    @Override
    public boolean matches(Map<String, String> labels) {
      return true;
    }

    @Override
    public String toString() {
      return "all()";
    }
  }

  /**
   * {@code global()}: on its own it matches everything, as in Calico's parser. Its meaning comes
   * from where it is allowed, a rule's {@code namespaceSelector}: there it selects the endpoints
   * outside every namespace (GlobalNetworkSets and HostEndpoints in Calico), the opposite of {@code
   * all()}, which selects the endpoints of every namespace.
   */
  record Global() implements Selector {
    @Override
    public boolean matches(Map<String, String> labels) {
      return true;
    }

    @Override
    public String toString() {
      return "global()";
    }
  }

  /**
   * {@code has(key)}.
   *
   * @param key the label key
   */
  record Has(String key) implements Selector {
    public Has {
      checkKey(key);
    }

    @Override
    public boolean matches(Map<String, String> labels) {
      return labels.containsKey(key);
    }

    @Override
    public String toString() {
      return "has(" + key + ")";
    }
  }

  /**
   * {@code key == 'value'}: the label is present with exactly this value.
   *
   * @param key the label key
   * @param value the required value
   */
  record Equals(String key, String value) implements Selector {
    public Equals {
      checkKey(key);
      checkValue(value);
    }

    @Override
    public boolean matches(Map<String, String> labels) {
      return value.equals(labels.get(key));
    }

    @Override
    public String toString() {
      return key + " == " + quote(value);
    }
  }

  /**
   * {@code key != 'value'}: the label is absent or has another value.
   *
   * @param key the label key
   * @param value the excluded value
   */
  record NotEquals(String key, String value) implements Selector {
    public NotEquals {
      checkKey(key);
      checkValue(value);
    }

    @Override
    public boolean matches(Map<String, String> labels) {
      return !value.equals(labels.get(key));
    }

    @Override
    public String toString() {
      return key + " != " + quote(value);
    }
  }

  /**
   * {@code key contains 's'}: the label is present and its value contains the text.
   *
   * @param key the label key
   * @param value the text
   */
  record Contains(String key, String value) implements Selector {
    public Contains {
      checkKey(key);
      checkValue(value);
    }

    @Override
    public boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return v != null && v.contains(value);
    }

    @Override
    public String toString() {
      return key + " contains " + quote(value);
    }
  }

  /**
   * {@code key starts with 's'}: the label is present and its value starts with the text.
   *
   * @param key the label key
   * @param value the prefix
   */
  record StartsWith(String key, String value) implements Selector {
    public StartsWith {
      checkKey(key);
      checkValue(value);
    }

    @Override
    public boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return v != null && v.startsWith(value);
    }

    @Override
    public String toString() {
      return key + " starts with " + quote(value);
    }
  }

  /**
   * {@code key ends with 's'}: the label is present and its value ends with the text.
   *
   * @param key the label key
   * @param value the suffix
   */
  record EndsWith(String key, String value) implements Selector {
    public EndsWith {
      checkKey(key);
      checkValue(value);
    }

    @Override
    public boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return v != null && v.endsWith(value);
    }

    @Override
    public String toString() {
      return key + " ends with " + quote(value);
    }
  }

  /**
   * {@code key in {'a', 'b'}}: the label is present with one of the values.
   *
   * @param key the label key
   * @param values the allowed values, kept sorted and distinct
   */
  record In(String key, List<String> values) implements Selector {
    public In {
      checkKey(key);
      values = canonicalSet(values);
    }

    @Override
    public boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return v != null && values.contains(v);
    }

    @Override
    public String toString() {
      return key + " in " + set(values);
    }
  }

  /**
   * {@code key not in {'a', 'b'}}: the label is absent or has none of the values.
   *
   * @param key the label key
   * @param values the excluded values, kept sorted and distinct
   */
  record NotIn(String key, List<String> values) implements Selector {
    public NotIn {
      checkKey(key);
      values = canonicalSet(values);
    }

    @Override
    public boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return v == null || !values.contains(v);
    }

    @Override
    public String toString() {
      return key + " not in " + set(values);
    }
  }

  /**
   * {@code !operand}.
   *
   * @param operand the negated selector
   */
  record Not(Selector operand) implements Selector {
    public Not {
      Objects.requireNonNull(operand, "operand");
    }

    @Override
    public boolean matches(Map<String, String> labels) {
      return !operand.matches(labels);
    }

    @Override
    public String toString() {
      return "!"
          + (operand instanceof And || operand instanceof Or ? "(" + operand + ")" : operand);
    }
  }

  /**
   * {@code a && b && ...}: all operands match.
   *
   * @param operands two or more selectors
   */
  record And(List<Selector> operands) implements Selector {
    public And {
      operands = List.copyOf(operands);
      if (operands.size() < 2) throw new IllegalArgumentException("&& needs two or more operands");
    }

    @Override
    public boolean matches(Map<String, String> labels) {
      for (Selector s : operands) {
        if (!s.matches(labels)) return false;
      }
      return true;
    }

    @Override
    public String toString() {
      // A nested && or || keeps its parentheses so that the tree shape survives a round trip.
      return operands.stream()
          .map(s -> s instanceof And || s instanceof Or ? "(" + s + ")" : s.toString())
          .collect(Collectors.joining(" && "));
    }
  }

  /**
   * {@code a || b || ...}: at least one operand matches.
   *
   * @param operands two or more selectors
   */
  record Or(List<Selector> operands) implements Selector {
    public Or {
      operands = List.copyOf(operands);
      if (operands.size() < 2) throw new IllegalArgumentException("|| needs two or more operands");
    }

    @Override
    public boolean matches(Map<String, String> labels) {
      for (Selector s : operands) {
        if (s.matches(labels)) return true;
      }
      return false;
    }

    @Override
    public String toString() {
      // && binds tighter than ||, so only a nested || needs parentheses.
      return operands.stream()
          .map(s -> s instanceof Or ? "(" + s + ")" : s.toString())
          .collect(Collectors.joining(" || "));
    }
  }

  private static void checkKey(String key) {
    if (key == null || !SelectorParser.KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("invalid label key: " + key);
    }
  }

  private static void checkValue(String value) {
    Objects.requireNonNull(value, "value");
    if (value.indexOf('\'') >= 0 && value.indexOf('"') >= 0) {
      // the language has no escapes, so such a value cannot be written
      throw new IllegalArgumentException("a value cannot contain both quote characters: " + value);
    }
  }

  private static List<String> canonicalSet(List<String> values) {
    values.forEach(Selector::checkValue);
    return List.copyOf(new TreeSet<>(values));
  }

  private static String quote(String v) {
    return v.indexOf('"') >= 0 ? "'" + v + "'" : "\"" + v + "\"";
  }

  private static String set(List<String> values) {
    List<String> q = new ArrayList<>();
    for (String v : values) q.add(quote(v));
    return "{" + String.join(", ", q) + "}";
  }
}
