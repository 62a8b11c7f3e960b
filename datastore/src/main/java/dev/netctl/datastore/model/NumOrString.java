package dev.netctl.datastore.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;

/**
 * A string field that Calico also takes as a number ({@code numorstring.Protocol}: {@code protocol:
 * 6} or {@code protocol: TCP}), kept as its text. Every other string field refuses a number, as
 * Kubernetes does ({@link ResourceCodec}).
 */
final class NumOrString extends StdScalarDeserializer<String> {
  private static final long serialVersionUID = 1L;

  NumOrString() {
    super(String.class);
  }

  @Override
  public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    if (p.hasToken(JsonToken.VALUE_STRING) || p.hasToken(JsonToken.VALUE_NUMBER_INT)) {
      return p.getText();
    }
    return (String) ctxt.handleUnexpectedToken(String.class, p);
  }

  /** Writes a number back as a number ({@code protocol: 6}, as Calico prints it), else text. */
  static final class Writer extends StdScalarSerializer<String> {
    private static final long serialVersionUID = 1L;

    Writer() {
      super(String.class);
    }

    @Override
    public void serialize(String value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      if (value.matches("[0-9]{1,9}")) gen.writeNumber(Integer.parseInt(value));
      else gen.writeString(value);
    }
  }
}
