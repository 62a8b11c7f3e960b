package dev.netctl.ctl;

import dev.netctl.datastore.model.GoDuration;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations the way Kubernetes tools write them (Go's grammar, as the resources' fields):
 * {@code 500ms}, {@code 30s}, {@code 1m30s}, {@code 1h}.
 */
final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return GoDuration.parse(value.trim());
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(
          "\"" + value + "\" is not a duration (numbers with ms, s, m or h: 30s, 15m, 1m30s)");
    }
  }
}
