package dev.netctl.bgp.speaker;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dynamic ranges and the peers accepted through them: which range an unknown address falls in
 * (the longest match, so a narrower range can override a wider one) and which peers each has. Pure
 * bookkeeping on the speaker's loop; {@link BgpSpeaker} starts and forgets the sessions.
 */
final class DynamicPeers {
  private final Map<String, DynamicRange> ranges = new LinkedHashMap<>();
  // Accepted peer address -> the name of its range, in the order accepted.
  private final Map<InetAddress, String> members = new LinkedHashMap<>();

  /** Adds a range; a range of the same name must be removed first. */
  void add(DynamicRange range) {
    if (ranges.containsKey(range.name())) {
      throw new IllegalArgumentException(
          "dynamic range " + range.name() + " already exists (remove it first)");
    }
    ranges.put(range.name(), range);
  }

  /** Removes a range; returns the addresses of its peers, which the caller stops. */
  List<InetAddress> remove(String name) {
    if (ranges.remove(name) == null) {
      throw new IllegalArgumentException("dynamic range " + name + " is not configured");
    }
    List<InetAddress> gone =
        members.entrySet().stream()
            .filter(e -> e.getValue().equals(name))
            .map(Map.Entry::getKey)
            .toList();
    gone.forEach(members::remove);
    return gone;
  }

  /** The configured ranges, in the order added. */
  List<DynamicRange> ranges() {
    return List.copyOf(ranges.values());
  }

  /** The most specific range holding {@code address}, or null. */
  DynamicRange match(InetAddress address) {
    DynamicRange best = null;
    for (DynamicRange r : ranges.values()) {
      if (r.contains(address) && (best == null || r.range().length() > best.range().length())) {
        best = r;
      }
    }
    return best;
  }

  /** The range a dynamic peer was accepted through, or null for an address that is none. */
  DynamicRange rangeOf(InetAddress address) {
    String name = members.get(address);
    return name == null ? null : ranges.get(name);
  }

  /** The peers of a range, earliest accepted first. */
  List<InetAddress> members(DynamicRange range) {
    return members.entrySet().stream()
        .filter(e -> e.getValue().equals(range.name()))
        .map(Map.Entry::getKey)
        .toList();
  }

  /** Records an accepted peer. */
  void accepted(InetAddress address, DynamicRange range) {
    members.put(address, range.name());
  }

  /** Whether {@code address} is a dynamic peer. */
  boolean isMember(InetAddress address) {
    return members.containsKey(address);
  }

  /** Forgets a dynamic peer; returns whether it was one. */
  boolean forget(InetAddress address) {
    return members.remove(address) != null;
  }
}
