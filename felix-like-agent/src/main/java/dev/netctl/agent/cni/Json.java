package dev.netctl.agent.cni;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and writer with no dependencies, so the plugin executable loads nothing but
 * the JDK and a handful of its own classes. Objects are {@code LinkedHashMap<String, Object>} (key
 * order kept), arrays {@code List<Object>}, numbers {@code Long} when integral else {@code Double},
 * and {@code true}/{@code false}/{@code null} as {@code Boolean} and Java null.
 */
public final class Json {

  /** Malformed JSON: where and why. */
  public static final class ParseException extends RuntimeException {
    ParseException(String message) {
      super(message);
    }
  }

  private static final int MAX_DEPTH = 64;

  private final String s;
  private int i;

  private Json(String s) {
    this.s = s;
  }

  /** Parses one JSON value; anything but whitespace after it is an error. */
  public static Object parse(String text) {
    Json p = new Json(text);
    Object v = p.value(0);
    p.ws();
    if (p.i != text.length()) throw p.error("unexpected text after the value");
    return v;
  }

  /** Parses a JSON object. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(String text) {
    Object v = parse(text);
    if (!(v instanceof Map)) throw new ParseException("expected a JSON object");
    return (Map<String, Object>) v;
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
    ws();
    if (i >= s.length()) throw error("unexpected end of input");
    char c = s.charAt(i);
    return switch (c) {
      case '{' -> object(depth);
      case '[' -> array(depth);
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) yield number();
        throw error("unexpected character '" + c + "'");
      }
    };
  }

  private Map<String, Object> object(int depth) {
    Map<String, Object> m = new LinkedHashMap<>();
    i++;
    ws();
    if (peek() == '}') {
      i++;
      return m;
    }
    while (true) {
      ws();
      if (peek() != '"') throw error("expected a string key");
      String k = string();
      ws();
      expect(':');
      m.put(k, value(depth + 1));
      ws();
      char c = next();
      if (c == '}') return m;
      if (c != ',') throw error("expected ',' or '}'");
    }
  }

  private List<Object> array(int depth) {
    List<Object> l = new ArrayList<>();
    i++;
    ws();
    if (peek() == ']') {
      i++;
      return l;
    }
    while (true) {
      l.add(value(depth + 1));
      ws();
      char c = next();
      if (c == ']') return l;
      if (c != ',') throw error("expected ',' or ']'");
    }
  }

  private String string() {
    i++;
    StringBuilder b = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') return b.toString();
      if (c < 0x20) throw error("control character in a string");
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (i + 4 > s.length()) throw error("short \\u escape");
          try {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          } catch (NumberFormatException x) {
            throw error("bad \\u escape");
          }
          i += 4;
        }
        default -> throw error("bad escape '\\" + e + "'");
      }
    }
  }

  private Object number() {
    int start = i;
    if (peek() == '-') i++;
    boolean integral = true;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        i++;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        integral = false;
        i++;
      } else {
        break;
      }
    }
    String n = s.substring(start, i);
    try {
      if (integral) return Long.parseLong(n);
      return Double.parseDouble(n);
    } catch (NumberFormatException e) {
      throw new ParseException("bad number '" + n + "' at offset " + start);
    }
  }

  private Object literal(String word, Object v) {
    if (!s.startsWith(word, i)) throw error("unexpected literal");
    i += word.length();
    return v;
  }

  private void ws() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
  }

  private char peek() {
    return i < s.length() ? s.charAt(i) : 0;
  }

  private char next() {
    if (i >= s.length()) throw error("unexpected end of input");
    return s.charAt(i++);
  }

  private void expect(char c) {
    if (next() != c) throw error("expected '" + c + "'");
  }

  private ParseException error(String why) {
    return new ParseException(why + " at offset " + i);
  }

  // ------------------------------------------------------------------ writing

  /** Writes a value (maps, lists, strings, numbers, booleans, null) as compact JSON. */
  public static String write(Object v) {
    StringBuilder b = new StringBuilder();
    write(b, v);
    return b.toString();
  }

  // An instanceof chain, not a pattern switch: a type switch bootstraps method handles and spins a
  // hidden class on first use, tens of milliseconds of a plugin process that lives for fifty.
  private static void write(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String str) {
      quote(b, str);
    } else if (v instanceof Boolean bool) {
      b.append(bool.booleanValue());
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        b.append("null");
      } else {
        b.append(d);
      }
    } else if (v instanceof Number n) {
      b.append(n.longValue());
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) b.append(',');
        first = false;
        quote(b, String.valueOf(e.getKey()));
        b.append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof List<?> l) {
      b.append('[');
      for (int k = 0; k < l.size(); k++) {
        if (k > 0) b.append(',');
        write(b, l.get(k));
      }
      b.append(']');
    } else {
      quote(b, v.toString());
    }
  }

  private static void quote(StringBuilder b, String str) {
    b.append('"');
    for (int k = 0; k < str.length(); k++) {
      char c = str.charAt(k);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append("\\u00")
                .append(Character.forDigit(c >> 4, 16))
                .append(Character.forDigit(c & 15, 16));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
