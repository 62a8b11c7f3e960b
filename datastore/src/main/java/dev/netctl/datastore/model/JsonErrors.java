package dev.netctl.datastore.model;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Jackson's errors in the terms of the file a person wrote: where (a field path such as {@code
 * spec.peers[2].asNumber}) and what was expected ("an integer", "one of Always, Never"), never
 * Java's type names. Shared by every reader of user files (resources, speaker configuration, IPAM
 * reports).
 */
public final class JsonErrors {
  private JsonErrors() {}

  /** The field path of the error, dotted, indices in brackets; empty at the top level. */
  public static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (!sb.isEmpty()) sb.append('.');
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  /** What a value of {@code type} is, as the rule of an error says it ("must be " + this). */
  public static String describe(Class<?> type) {
    if (type == null) return "a valid value";
    if (type == Long.class || type == Integer.class || type == int.class || type == long.class) {
      return "an integer";
    }
    if (type == Boolean.class || type == boolean.class) return "true or false";
    if (type == String.class) return "a string";
    if (type.isEnum()) {
      return "one of "
          + Arrays.stream(type.getEnumConstants())
              .map(Object::toString)
              .collect(Collectors.joining(", "));
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) return "a list";
    if (type.isRecord() || Map.class.isAssignableFrom(type)) return "an object";
    return "a " + type.getSimpleName();
  }

  /** The first line of a message, empty for none: Jackson appends source excerpts below it. */
  public static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
