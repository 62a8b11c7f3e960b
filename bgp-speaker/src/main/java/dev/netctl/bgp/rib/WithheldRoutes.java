package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Prefix;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes an update group's members do not get because their attributes leave no room for the
 * prefix in one UPDATE of the group's message size: 4096 octets unless the members negotiated
 * extended messages (RFC 4271 §4.3, RFC 8654 §4). Such a route counts as not exported: it is never
 * announced, so never withdrawn either, and an earlier version the members hold is withdrawn. Each
 * is logged when first withheld (the first {@value #LOGGED} per group at warning level, the rest at
 * debug) and counted for {@code bgp peers}. Written by the RIB shards, read by any thread.
 */
public final class WithheldRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(WithheldRoutes.class);
  // A table of oversized routes would otherwise flood the log; the count shows them all.
  static final int LOGGED = 100;

  private record Key(Prefix prefix, int pathId) {}

  private final Set<Key> keys = ConcurrentHashMap.newKeySet();
  private final AtomicInteger logged = new AtomicInteger();

  /**
   * Notes that path {@code pathId} of {@code prefix} is withheld from {@code members}: its
   * attributes leave {@code room} octets for NLRI, less than the prefix needs; logged if it was not
   * withheld already.
   */
  void add(Prefix prefix, int pathId, int room, CodecContext codec, Collection<Peer> members) {
    if (!keys.add(new Key(prefix, pathId))) {
      return;
    }
    int n = logged.incrementAndGet();
    if (n > LOGGED && !LOG.isDebugEnabled()) {
      return;
    }
    String text =
        "route {} withheld from {}: its attributes leave {} of an UPDATE's {} octets for the prefix"
            + " ({}); not advertised to them, nor withdrawn"
            + (n == LOGGED ? " (further withheld routes are logged at debug level)" : "");
    Object[] args = {
      prefix,
      members.stream()
          .map(p -> AddressText.of(p.address()))
          .sorted()
          .collect(Collectors.joining(", ", "[", "]")),
      Math.max(0, room),
      codec.maxMessageSize(),
      codec.maxMessageSize() < CodecContext.MAX_EXTENDED_MESSAGE_SIZE
          ? "extended messages not negotiated, RFC 8654"
          : "too large even for extended messages"
    };
    if (n <= LOGGED) {
      LOG.warn(text, args);
    } else {
      LOG.debug(text, args);
    }
  }

  /** Notes that path {@code pathId} of {@code prefix} is no longer withheld (sent, or gone). */
  void remove(Prefix prefix, int pathId) {
    if (!keys.isEmpty()) {
      keys.remove(new Key(prefix, pathId));
    }
  }

  /** Whether any route is withheld: a cheap check before {@link #remove} on the hot path. */
  boolean any() {
    return !keys.isEmpty();
  }

  /** How many routes (prefix and path) are withheld now. */
  public int count() {
    return keys.size();
  }

  /** Forgets every withheld route (the group retired: nobody is left to withhold them from). */
  void clear() {
    keys.clear();
  }
}
