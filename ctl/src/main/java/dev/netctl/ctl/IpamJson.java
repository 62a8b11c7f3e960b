package dev.netctl.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;

/**
 * JSON for the IPAM verbs: {@code ipam show -o json} and the {@code ipam check} report file that
 * {@code ipam release --from-report} reads back. Records are written field by field, in order.
 */
final class IpamJson {
  static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private IpamJson() {}

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  static void print(PrintWriter out, Object value) {
    out.println(write(value));
    out.flush();
  }
}
