package dev.netctl.bench.bgp;

/** The measured situations, named as on the command line. */
enum Scenario {
  /** N route-reflector clients each announce one /26; every client must end up holding all N. */
  FANOUT,
  /** One injector sends P prefixes over 1,000 attribute sets; one monitor must hold all P. */
  BULK,
  /** 10,000 prefixes loaded, then all withdrawn and re-announced back to back. */
  CHURN,
  /**
   * The fan-out with one client that stops reading before the announcements: the other N - 1 must
   * hold all N, then the stalled one reads again and must catch up with the full table.
   */
  SLOW;

  /** Prefix count of the churn scenario's load. */
  static final int CHURN_PREFIXES = 10_000;

  /** The command-line name. */
  String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The scenario for a command-line name. */
  static Scenario parse(String name) {
    for (Scenario s : values()) {
      if (s.label().equals(name.trim())) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "--scenario value '" + name + "' is not one of fanout, bulk, churn, slow");
  }
}
