package dev.netctl.datastore.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;

/**
 * BGP AS numbers as Calico writes them: a plain integer ({@code 64512}), a quoted integer ({@code
 * "64512"}) or asdot notation ({@code 1.10} = 1 × 65536 + 10, RFC 5396).
 *
 * <p>Parsing only checks the syntax; the range 1–4294967295 is a validation rule, so that an
 * out-of-range number is reported together with the resource and field it came from.
 */
public final class AsNumber {

  /** The largest 4-byte AS number (RFC 6793). */
  public static final long MAX = 4_294_967_295L;

  /**
   * The rule a value the {@link Deserializer} refuses broke, as its error message states it (no
   * {@code ": "} in it: readers take the reason after the last one of Jackson's message).
   */
  public static final String RULE =
      "must be an AS number, a plain integer or asdot X.Y with halves 0-65535 (RFC 5396)";

  private AsNumber() {}

  /**
   * Parses plain or asdot notation.
   *
   * @throws IllegalArgumentException when the text is neither
   */
  public static long parse(String text) {
    String t = text.strip();
    if (!t.matches("[0-9]{1,20}(\\.[0-9]{1,5})?")) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not an AS number (a plain integer or asdot X.Y)");
    }
    int dot = t.indexOf('.');
    try {
      if (dot < 0) return Long.parseLong(t);
      long high = Long.parseLong(t.substring(0, dot));
      long low = Long.parseLong(t.substring(dot + 1));
      if (high < 0 || high > 65535 || low < 0 || low > 65535) {
        throw new IllegalArgumentException(
            "\"" + text + "\" is not an AS number: asdot halves must be 0-65535");
      }
      return high * 65536 + low;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not an AS number (a plain integer or asdot X.Y)", e);
    }
  }

  /** Renders asdot notation for numbers above 65535 ({@code 1.10}), plain otherwise. */
  public static String toAsdot(long asn) {
    return asn > 65535 ? (asn >>> 16) + "." + (asn & 0xffff) : Long.toString(asn);
  }

  /**
   * Jackson deserializer for {@code Long asNumber} fields. Numbers written as YAML floats such as
   * {@code 1.10} arrive as text so the trailing zero of the low half survives (the codec reads
   * floats as BigDecimal for that reason).
   */
  public static final class Deserializer extends StdDeserializer<Long> {
    private static final long serialVersionUID = 1L;

    /** Used by Jackson. */
    public Deserializer() {
      super(Long.class);
    }

    @Override
    public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_NUMBER_INT) {
        return p.getLongValue();
      }
      if (t == JsonToken.VALUE_NUMBER_FLOAT) {
        String text = p.getDecimalValue().toPlainString();
        return parseOrReport(text, p, ctxt);
      }
      if (t == JsonToken.VALUE_STRING) {
        return parseOrReport(p.getText(), p, ctxt);
      }
      return (Long) ctxt.handleUnexpectedToken(Long.class, p);
    }

    private static Long parseOrReport(String text, JsonParser p, DeserializationContext ctxt)
        throws IOException {
      try {
        return parse(text);
      } catch (IllegalArgumentException e) {
        return (Long) ctxt.handleWeirdStringValue(Long.class, text, RULE);
      }
    }
  }
}
