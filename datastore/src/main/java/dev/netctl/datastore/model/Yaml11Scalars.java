package dev.netctl.datastore.model;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.CharArrayReader;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Refuses the unquoted scalars that Calico's and Kubernetes' readers and this one read differently.
 *
 * <p>calicoctl reads YAML with go-yaml v2 (YAML 1.1, through projectcalico/go-yaml-wrapper),
 * kubectl with sigs.k8s.io/yaml over go-yaml v3 (YAML 1.2 core, with 1.1 octals kept), netctl with
 * Jackson (YAML 1.1 booleans, not all of its numbers). They agree on {@code true}/{@code false},
 * decimal, {@code 0x} and {@code 0b} numbers, octals such as {@code 0755} (493 to all three),
 * floats and null. They part ways on:
 *
 * <ul>
 *   <li>{@code yes}, {@code no}, {@code on}, {@code off} in their spellings: a boolean to calicoctl
 *       and Jackson, text to kubectl. {@code natOutgoing: on} or a label {@code enabled: yes} would
 *       mean one thing with one tool and another with the other. ({@code y} and {@code n} are
 *       booleans to calicoctl only: text here as for kubectl, so that the namespaces x, y, z of
 *       Kubernetes' policy tests read as they do there; netctl writes them quoted.)
 *   <li>{@code 08}, {@code 0o17}, {@code 0X1A}: numbers (8, 15, 26) to both Go readers, text to
 *       Jackson.
 *   <li>map keys: the Go readers turn a key {@code on}, {@code True} or {@code 0x1A} into the text
 *       of the boolean or number ({@code "true"}, {@code "26"}); Jackson keeps the key as written.
 * </ul>
 *
 * <p>Such a scalar, as a value, list entry or key, is refused naming its field, the value as
 * written and the rule. Quoted, it is text to every reader.
 */
final class Yaml11Scalars extends YAMLParser {

  /** What go-yaml v2 reads as booleans beyond YAML 1.2's true/false (Jackson takes all but y/n). */
  private static final Set<String> YAML11_TRUE =
      Set.of("y", "Y", "yes", "Yes", "YES", "on", "On", "ON");

  private static final Set<String> YAML11_FALSE =
      Set.of("n", "N", "no", "No", "NO", "off", "Off", "OFF");

  /** An integer as Go's strconv.ParseInt(s, 0, 64) reads it once YAML's underscores are gone. */
  private static final Pattern GO_INT =
      Pattern.compile("[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)");

  /** go-yaml's float pattern (both versions). */
  private static final Pattern GO_FLOAT =
      Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");

  /** A factory whose parsers are {@link Yaml11Scalars}; everything else as {@link YAMLFactory}. */
  static final class Factory extends YAMLFactory {
    private static final long serialVersionUID = 1L;

    Factory(YAMLFactoryBuilder builder) {
      super(builder);
    }

    @Override
    protected YAMLParser _createParser(Reader r, IOContext ctxt) {
      return new Yaml11Scalars(
          ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
    }

    @Override
    protected YAMLParser _createParser(
        char[] data, int offset, int len, IOContext ctxt, boolean recyclable) {
      return _createParser(new CharArrayReader(data, offset, len), ctxt);
    }
  }

  /** An ambiguous scalar: where it is, as written, and why it is refused. */
  static final class AmbiguousScalar extends JsonParseException {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String problem;

    AmbiguousScalar(JsonParser p, String field, String problem) {
      super(p, (field.isEmpty() ? "" : "field " + field + " ") + problem);
      this.field = field;
      this.problem = problem;
    }

    /** The field path ({@code spec.natOutgoing}, {@code items[0].metadata.labels.a}). */
    String field() {
      return field;
    }

    /** The value as written and the rule it breaks. */
    String problem() {
      return problem;
    }
  }

  private Yaml11Scalars(
      IOContext ctxt,
      int parserFeatures,
      int formatFeatures,
      LoaderOptions loaderOptions,
      ObjectCodec codec,
      Reader reader) {
    super(ctxt, parserFeatures, formatFeatures, loaderOptions, codec, reader);
  }

  @Override
  public JsonToken nextToken() throws IOException {
    JsonToken t = super.nextToken();
    // a key's scalar never goes through _decodeScalar; Jackson keeps it as written
    if (t == JsonToken.FIELD_NAME && _lastEvent instanceof ScalarEvent key && plain(key)) {
      String rule = keyRule(key.getValue());
      if (rule != null) throw ambiguous(key.getValue(), "key", rule);
    }
    return t;
  }

  @Override
  protected JsonToken _decodeScalar(ScalarEvent scalar) throws IOException {
    JsonToken t = super._decodeScalar(scalar);
    if (plain(scalar)) {
      String rule = valueRule(scalar.getValue(), t);
      if (rule != null) throw ambiguous(scalar.getValue(), "value", rule);
    }
    return t;
  }

  /** Quoted, block and explicitly tagged scalars are read alike by every reader. */
  private static boolean plain(ScalarEvent scalar) {
    return scalar.isPlain() && scalar.getTag() == null;
  }

  private AmbiguousScalar ambiguous(String value, String what, String rule) {
    return new AmbiguousScalar(this, path(), "\"" + value + "\" (unquoted " + what + ") " + rule);
  }

  /**
   * Why the plain value {@code v}, which Jackson read as {@code token}, is refused, or null when
   * calicoctl, kubectl and Jackson read it alike.
   */
  /**
   * Whether text written unquoted would be read as something else by some reader (or refused here):
   * the writer must quote it.
   */
  static boolean needsQuotes(String text) {
    return YAML11_TRUE.contains(text) || YAML11_FALSE.contains(text) || goNumber(text) != null;
  }

  static String valueRule(String v, JsonToken token) {
    String words = booleanWordRule(v);
    if (words != null) return words;
    if (token == JsonToken.VALUE_STRING) {
      String number = goNumber(v);
      if (number != null) {
        return "is the number "
            + number
            + " to calicoctl and kubectl but text to this reader: write "
            + number
            + " for a number, or put the text in quotes";
      }
    }
    return null;
  }

  /** Why the plain key {@code k} is refused, or null when every reader keeps it as written. */
  static String keyRule(String k) {
    String words = booleanWordRule(k);
    if (words != null) return words;
    if (YAML12_BOOLEAN_SPELLINGS.contains(k) && !k.equals(k.toLowerCase(Locale.ROOT))) {
      return "is the key \""
          + k.toLowerCase(Locale.ROOT)
          + "\" to calicoctl and kubectl (a boolean made text): write it in lower case, or put"
          + " the text in quotes";
    }
    String number = goNumber(k);
    if (number != null && !number.equals(k)) {
      return "is the key \""
          + number
          + "\" to calicoctl and kubectl (a number made text): write "
          + number
          + ", or put the text in quotes";
    }
    return null;
  }

  private static final Set<String> YAML12_BOOLEAN_SPELLINGS =
      Set.of("true", "True", "TRUE", "false", "False", "FALSE");

  private static String booleanWordRule(String v) {
    boolean truth = YAML11_TRUE.contains(v);
    if (!truth && !YAML11_FALSE.contains(v)) return null;
    if (v.length() == 1) return null; // y, n: text to kubectl and Jackson alike
    return "is the boolean "
        + truth
        + " to calicoctl (YAML 1.1) but text to kubectl (YAML 1.2): write "
        + truth
        + " for a boolean, or put the text in quotes";
  }

  /**
   * The number go-yaml reads {@code v} as, in the text its Kubernetes reader would give it, or null
   * when it reads text (floats without trailing zeros, as Go prints most of them).
   */
  static String goNumber(String v) {
    String plain = v.replace("_", "");
    if (GO_INT.matcher(plain).matches()) {
      boolean negative = plain.startsWith("-");
      String digits = plain.startsWith("-") || plain.startsWith("+") ? plain.substring(1) : plain;
      int radix = 10;
      if (digits.length() > 1 && digits.charAt(0) == '0') {
        char c = Character.toLowerCase(digits.charAt(1));
        radix = c == 'x' ? 16 : c == 'b' ? 2 : 8;
        digits = c == 'x' || c == 'b' || c == 'o' ? digits.substring(2) : digits.substring(1);
      }
      BigInteger n = new BigInteger(digits, radix);
      return (negative ? n.negate() : n).toString();
    }
    return GO_FLOAT.matcher(plain).matches()
        ? new BigDecimal(plain.startsWith("+") ? plain.substring(1) : plain)
            .stripTrailingZeros()
            .toPlainString()
        : null;
  }

  /** The field being read as a dotted path, list entries as {@code [i]}. */
  private String path() {
    Deque<String> parts = new ArrayDeque<>();
    for (JsonStreamContext c = getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.push("[" + Math.max(c.getCurrentIndex(), 0) + "]");
      } else if (c.getCurrentName() != null) {
        parts.push(c.getCurrentName());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String part : parts) {
      if (!out.isEmpty() && !part.startsWith("[")) out.append('.');
      out.append(part);
    }
    return out.toString();
  }
}
