package dev.netctl.datastore.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Recursive-descent parser for the selector language. Grammar (whitespace allowed between tokens):
 *
 * <pre>
 * or    = and ("||" and)*
 * and   = unary ("&amp;&amp;" unary)*
 * unary = "!" unary | "(" or ")" | "all()" | "global()" | "has(" key ")" | key op
 * op    = "==" value | "!=" value | "in" set | "not" "in" set
 *       | "contains" value | "starts" "with" value | "ends" "with" value
 * set   = "{" [value ("," value)*] "}"
 * value = "'" chars "'" | '"' chars '"'
 * </pre>
 */
final class SelectorParser {

  /** Label keys as Calico accepts them: letters, digits and {@code _ . / -}. */
  static final Pattern KEY = Pattern.compile("[A-Za-z0-9_./-]+");

  /** Deep enough for any real selector, shallow enough to never overflow the stack. */
  private static final int MAX_DEPTH = 64;

  private final String text;
  private int pos;
  private int depth;

  SelectorParser(String text) {
    this.text = text == null ? "" : text;
  }

  Selector parse() {
    skipSpace();
    if (pos == text.length()) return Selector.ALL;
    Selector s = or();
    skipSpace();
    if (pos != text.length()) {
      throw fail("expected '&&', '||' or the end of the selector");
    }
    return s;
  }

  private Selector or() {
    List<Selector> terms = new ArrayList<>();
    terms.add(and());
    while (consume("||")) terms.add(and());
    return terms.size() == 1 ? terms.getFirst() : new Selector.Or(terms);
  }

  private Selector and() {
    List<Selector> terms = new ArrayList<>();
    terms.add(unary());
    while (consume("&&")) terms.add(unary());
    return terms.size() == 1 ? terms.getFirst() : new Selector.And(terms);
  }

  private Selector unary() {
    if (++depth > MAX_DEPTH) throw fail("nesting deeper than " + MAX_DEPTH);
    try {
      skipSpace();
      if (consume("!")) return new Selector.Not(unary());
      if (consume("(")) {
        Selector inner = or();
        expect(")", "expected ')'");
        return inner;
      }
      int keyStart = pos;
      String word = key();
      if (word.equals("all") && consume("(")) {
        expect(")", "expected ')' after 'all('");
        return Selector.ALL;
      }
      if (word.equals("global") && consume("(")) {
        expect(")", "expected ')' after 'global('");
        return new Selector.Global();
      }
      if (word.equals("has") && consume("(")) {
        skipSpace();
        String k = key();
        if (k.isEmpty()) throw fail("expected a label key");
        expect(")", "expected ')' after the label key");
        return new Selector.Has(k);
      }
      if (word.isEmpty()) {
        pos = keyStart;
        throw fail("expected a label key, '!', '(', 'all()', 'global()' or 'has('");
      }
      skipSpace();
      if (consume("==")) return new Selector.Equals(word, value());
      if (consume("!=")) return new Selector.NotEquals(word, value());
      if (consumeWord("in")) return new Selector.In(word, set());
      if (consumeWord("not")) {
        if (!consumeWord("in")) throw fail("expected 'in' after 'not'");
        return new Selector.NotIn(word, set());
      }
      if (consumeWord("contains")) return new Selector.Contains(word, value());
      if (consumeWord("starts")) {
        if (!consumeWord("with")) throw fail("expected 'with' after 'starts'");
        return new Selector.StartsWith(word, value());
      }
      if (consumeWord("ends")) {
        if (!consumeWord("with")) throw fail("expected 'with' after 'ends'");
        return new Selector.EndsWith(word, value());
      }
      throw fail(
          "expected '==', '!=', 'in', 'not in', 'contains', 'starts with' or 'ends with' after"
              + " label key '"
              + word
              + "'");
    } finally {
      depth--;
    }
  }

  private List<String> set() {
    expect("{", "expected '{'");
    List<String> values = new ArrayList<>();
    skipSpace();
    if (consume("}")) return values;
    do {
      values.add(value());
    } while (consume(","));
    expect("}", "expected ',' or '}'");
    return values;
  }

  private String value() {
    skipSpace();
    if (pos >= text.length() || (text.charAt(pos) != '\'' && text.charAt(pos) != '"')) {
      throw fail("expected a quoted value");
    }
    char q = text.charAt(pos);
    int end = text.indexOf(q, pos + 1);
    if (end < 0) throw fail("unterminated quoted value (missing closing " + q + ")");
    String v = text.substring(pos + 1, end);
    pos = end + 1;
    return v;
  }

  private String key() {
    int start = pos;
    while (pos < text.length() && isKeyChar(text.charAt(pos))) pos++;
    return text.substring(start, pos);
  }

  private static boolean isKeyChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '.'
        || c == '/'
        || c == '-';
  }

  private void expect(String token, String expected) {
    if (!consume(token)) throw fail(expected);
  }

  private boolean consume(String token) {
    skipSpace();
    if (text.startsWith(token, pos)) {
      pos += token.length();
      return true;
    }
    return false;
  }

  /** Consumes a keyword only when it is not the start of a longer key ("inner" is no "in"). */
  private boolean consumeWord(String word) {
    skipSpace();
    int end = pos + word.length();
    if (text.startsWith(word, pos) && (end == text.length() || !isKeyChar(text.charAt(end)))) {
      pos = end;
      return true;
    }
    return false;
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
  }

  private SelectorException fail(String expected) {
    return new SelectorException(text, pos + 1, expected);
  }
}
