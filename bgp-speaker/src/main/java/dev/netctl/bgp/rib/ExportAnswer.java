package dev.netctl.bgp.rib;

/**
 * What a prefix-independent export made of one interned attribute set for one group, kept on the
 * set itself ({@link AttributeSet#exportAnswer}): the answer is a function of exactly these inputs,
 * and a withdrawal or announcement of many prefixes whose attribute sets alternate (a thousand sets
 * over ten thousand prefixes) would otherwise miss a last-answer memo on every prefix and look up a
 * map each time.
 *
 * @param config the RIB's configuration (sets are shared by every RIB in the process)
 * @param profile the group's profile, compared by identity
 * @param source the route's source, compared by identity
 * @param ipv6 the prefix's family
 * @param out the attributes to advertise, or null for none
 */
record ExportAnswer(
    RibConfig config, OutboundProfile profile, Peer source, boolean ipv6, AttributeSet out) {

  /** Whether this answers the same question. */
  boolean answers(RibConfig c, OutboundProfile p, Peer s, boolean v6) {
    return config == c && profile == p && source == s && ipv6 == v6;
  }
}
