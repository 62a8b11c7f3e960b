package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.PathAttribute.Segment;
import dev.netctl.bgp.codec.Prefix;
import java.util.List;

/**
 * Encoded sizes of UPDATE parts (RFC 4271 §4.3), so the packer can fill messages up to the limit
 * without encoding them. Sizes are exact for what this layer emits and an upper bound for the
 * 2-octet-AS conversion (AS_TRANS plus AS4_PATH / AS4_AGGREGATOR, RFC 6793 §4.2.2), which the
 * encoder performs.
 */
final class EncodedSize {
  /** Marker (16), length (2), type (1). */
  static final int HEADER = 19;

  /** Header plus withdrawn-routes length (2) and total-path-attribute length (2). */
  static final int EMPTY_UPDATE = HEADER + 4;

  /** MP_REACH value bytes before the next hop and NLRI: AFI 2, SAFI 1, next-hop length 1. */
  static final int MP_REACH_FIXED = 4;

  /** MP_UNREACH value bytes before the NLRI: AFI 2, SAFI 1. */
  static final int MP_UNREACH_FIXED = 3;

  private EncodedSize() {}

  /** Bytes of one NLRI entry: length octet, address octets, and a path id with ADD-PATH. */
  static int nlri(Prefix prefix, boolean addPath) {
    return 1 + (prefix.length() + 7) / 8 + (addPath ? 4 : 0);
  }

  /** Bytes of an attribute with {@code valueLength} value octets, header included. */
  static int attribute(int valueLength) {
    // Extended length only when the value needs it (REFERENCE: above 255 bytes).
    return (valueLength > 255 ? 4 : 3) + valueLength;
  }

  /** Bytes of every attribute in {@code set} (not NEXT_HOP or MP_*), headers included. */
  static int attributes(List<PathAttribute> set, CodecContext codec) {
    int total = 0;
    for (PathAttribute a : set) {
      total +=
          switch (a) {
            case PathAttribute.Origin o -> attribute(1);
            case PathAttribute.AsPath p -> {
              int size = attribute(segments(p.segments(), codec.fourOctetAs() ? 4 : 2));
              if (!codec.fourOctetAs() && needsFourOctets(p.segments())) {
                size += attribute(segments(p.segments(), 4));
              }
              yield size;
            }
            case PathAttribute.NextHop n -> attribute(4);
            case PathAttribute.MultiExitDisc m -> attribute(4);
            case PathAttribute.LocalPref l -> attribute(4);
            case PathAttribute.AtomicAggregate x -> attribute(0);
            case PathAttribute.Aggregator g ->
                codec.fourOctetAs()
                    ? attribute(8)
                    : attribute(6) + (g.asn() > 0xffff ? attribute(8) : 0);
            case PathAttribute.Communities c -> attribute(4 * c.values().size());
            case PathAttribute.OriginatorId o -> attribute(4);
            case PathAttribute.ClusterList c -> attribute(4 * c.clusterIds().size());
            case PathAttribute.MpReach r ->
                attribute(MP_REACH_FIXED + 1 + 16 * r.nextHops().size() + 32 * r.nlri().size());
            case PathAttribute.MpUnreach u ->
                attribute(MP_UNREACH_FIXED + 21 * u.withdrawn().size());
            case PathAttribute.As4Path p -> attribute(segments(p.segments(), 4));
            case PathAttribute.As4Aggregator g -> attribute(8);
            case PathAttribute.LargeCommunities c -> attribute(12 * c.values().size());
            case PathAttribute.Unknown u -> attribute(u.value().length);
          };
    }
    return total;
  }

  private static int segments(List<Segment> segments, int asWidth) {
    int size = 0;
    for (Segment s : segments) {
      int n = s.asns().size();
      // A segment holds at most 255 ASNs; longer ones are split, each with its 2-byte header.
      int pieces = Math.max(1, (n + 254) / 255);
      size += 2 * pieces + asWidth * n;
    }
    return size;
  }

  private static boolean needsFourOctets(List<Segment> segments) {
    for (Segment s : segments) {
      for (long asn : s.asns()) {
        if (asn > 0xffff) {
          return true;
        }
      }
    }
    return false;
  }
}
