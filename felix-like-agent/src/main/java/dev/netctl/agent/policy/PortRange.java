package dev.netctl.agent.policy;

/**
 * An inclusive port range; a single port has {@code first == last}.
 *
 * @param first the first port
 * @param last the last port
 */
public record PortRange(int first, int last) {
  public PortRange {
    if (first < 0 || last > 65535 || first > last) {
      throw new IllegalArgumentException("bad port range " + first + ":" + last);
    }
  }

  /** Parses {@code 80} or {@code 1000:2000}. */
  public static PortRange parse(String s) {
    int colon = s.indexOf(':');
    if (colon < 0) {
      int p = Integer.parseInt(s);
      return new PortRange(p, p);
    }
    return new PortRange(
        Integer.parseInt(s.substring(0, colon)), Integer.parseInt(s.substring(colon + 1)));
  }

  /** True when {@code port} lies in the range. */
  public boolean contains(int port) {
    return port >= first && port <= last;
  }

  /** {@code 80} or {@code 1000-2000}, as nft writes it. */
  public String nft() {
    return first == last ? Integer.toString(first) : first + "-" + last;
  }

  @Override
  public String toString() {
    return first == last ? Integer.toString(first) : first + ":" + last;
  }
}
