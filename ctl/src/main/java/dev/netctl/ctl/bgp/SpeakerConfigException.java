package dev.netctl.ctl.bgp;

import java.util.List;

/**
 * A speaker config file that cannot be used. The message holds one line per violation, each naming
 * the file, the field, the value and the rule, so a user fixes them all in one pass.
 */
public final class SpeakerConfigException extends RuntimeException {
  private final List<String> violations;

  /** One exception for all the violations of one file. */
  public SpeakerConfigException(List<String> violations) {
    super(String.join("\n", violations));
    this.violations = List.copyOf(violations);
  }

  /** Each violation, in file order. */
  public List<String> violations() {
    return violations;
  }
}
