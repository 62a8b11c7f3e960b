package dev.netctl.bench.bgp;

import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * The few BGP-4 encodings the tester peers need (RFC 4271 §4.1–§4.4): OPEN with multiprotocol,
 * route-refresh and 4-octet-AS capabilities, KEEPALIVE, and IPv4 UPDATEs carrying ORIGIN, AS_PATH,
 * NEXT_HOP, MED, LOCAL_PREF and COMMUNITIES.
 *
 * <p>This is a stop-gap: the project's codec encoder ({@code dev.netctl.bgp.codec}) was not yet
 * committed when the harness was written. It replaces this class once it lands; everything else in
 * the harness only depends on the codec's value types.
 */
final class WireEncoder {
  /** Largest message without the extended-message capability (RFC 4271 §4.1). */
  static final int MAX_MESSAGE = 4096;

  /** Header length: 16-octet marker, 2-octet length, 1-octet type. */
  static final int HEADER = 19;

  private WireEncoder() {}

  /** Encodes a message; fails for any part this stop-gap does not implement. */
  static byte[] encode(BgpMessage message) {
    return switch (message) {
      case BgpMessage.Open open -> frame(BgpMessage.TYPE_OPEN, openBody(open));
      case BgpMessage.Keepalive k -> frame(BgpMessage.TYPE_KEEPALIVE, new byte[0]);
      case BgpMessage.Update update -> {
        byte[] out = frame(BgpMessage.TYPE_UPDATE, updateBody(update));
        if (out.length > MAX_MESSAGE) {
          throw new IllegalArgumentException(
              "UPDATE of " + out.length + " bytes exceeds the " + MAX_MESSAGE + "-byte limit");
        }
        yield out;
      }
      case BgpMessage.Notification n ->
          frame(
              BgpMessage.TYPE_NOTIFICATION,
              concat(new byte[] {(byte) n.code(), (byte) n.subcode()}, n.data()));
      case BgpMessage.RouteRefresh r ->
          throw new UnsupportedOperationException("the bench never sends ROUTE-REFRESH");
    };
  }

  /** Encoded size of the path attributes, to pack NLRI up to {@link #MAX_MESSAGE}. */
  static int attributesSize(List<PathAttribute> attributes) {
    return attributes(attributes).length;
  }

  /** Encoded size of one IPv4 prefix in an NLRI or withdrawn field. */
  static int prefixSize(Prefix prefix) {
    return 1 + (prefix.length() + 7) / 8;
  }

  private static byte[] frame(int type, byte[] body) {
    byte[] out = new byte[HEADER + body.length];
    for (int i = 0; i < 16; i++) {
      out[i] = (byte) 0xff;
    }
    out[16] = (byte) (out.length >>> 8);
    out[17] = (byte) out.length;
    out[18] = (byte) type;
    System.arraycopy(body, 0, out, HEADER, body.length);
    return out;
  }

  private static byte[] openBody(BgpMessage.Open open) {
    ByteArrayOutputStream caps = new ByteArrayOutputStream();
    for (Capability c : open.capabilities()) {
      switch (c) {
        case Capability.Multiprotocol mp -> {
          caps.write(1);
          caps.write(4);
          short16(caps, mp.family().afi().code());
          caps.write(0);
          caps.write(mp.family().safi().code());
        }
        case Capability.RouteRefresh rr -> {
          caps.write(2);
          caps.write(0);
        }
        case Capability.FourOctetAs as4 -> {
          caps.write(65);
          caps.write(4);
          int32(caps, as4.asn());
        }
        default ->
            throw new UnsupportedOperationException("the bench does not send capability " + c);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(open.version());
    short16(out, open.myAs() > 0xffff ? (int) BgpMessage.AS_TRANS : (int) open.myAs());
    short16(out, open.holdTime());
    out.writeBytes(open.bgpId().getAddress());
    byte[] capBytes = caps.toByteArray();
    out.write(capBytes.length + 2);
    out.write(2); // optional parameter type: capabilities (RFC 5492 §4)
    out.write(capBytes.length);
    out.writeBytes(capBytes);
    return out.toByteArray();
  }

  private static byte[] updateBody(BgpMessage.Update update) {
    byte[] withdrawn = prefixes(update.withdrawn());
    byte[] attrs = attributes(update.attributes());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    short16(out, withdrawn.length);
    out.writeBytes(withdrawn);
    short16(out, attrs.length);
    out.writeBytes(attrs);
    out.writeBytes(prefixes(update.nlri()));
    return out.toByteArray();
  }

  private static byte[] prefixes(List<Nlri> nlri) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Nlri n : nlri) {
      Prefix p = n.prefix();
      if (p.ipv6() || n.pathId() != 0) {
        throw new UnsupportedOperationException("the bench only sends plain IPv4 NLRI: " + n);
      }
      out.write(p.length());
      for (int i = 0; i < (p.length() + 7) / 8; i++) {
        out.write(p.byteAt(i));
      }
    }
    return out.toByteArray();
  }

  private static byte[] attributes(List<PathAttribute> attributes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (PathAttribute a : attributes) {
      ByteArrayOutputStream v = new ByteArrayOutputStream();
      int flags;
      switch (a) {
        case PathAttribute.Origin o -> {
          flags = PathAttribute.FLAG_TRANSITIVE;
          v.write(o.value().ordinal());
        }
        case PathAttribute.AsPath path -> {
          flags = PathAttribute.FLAG_TRANSITIVE;
          for (PathAttribute.Segment s : path.segments()) {
            v.write(s.type().code());
            v.write(s.asns().size());
            s.asns().forEach(asn -> int32(v, asn)); // 4-octet AS, both sides advertise it
          }
        }
        case PathAttribute.NextHop nh -> {
          flags = PathAttribute.FLAG_TRANSITIVE;
          v.writeBytes(nh.address().getAddress());
        }
        case PathAttribute.MultiExitDisc med -> {
          flags = PathAttribute.FLAG_OPTIONAL;
          int32(v, med.value());
        }
        case PathAttribute.LocalPref lp -> {
          flags = PathAttribute.FLAG_TRANSITIVE;
          int32(v, lp.value());
        }
        case PathAttribute.Communities c -> {
          flags = PathAttribute.FLAG_OPTIONAL | PathAttribute.FLAG_TRANSITIVE;
          c.values().forEach(x -> int32(v, Integer.toUnsignedLong(x)));
        }
        default ->
            throw new UnsupportedOperationException("the bench does not send attribute " + a);
      }
      byte[] value = v.toByteArray();
      boolean extended = value.length > 255;
      out.write(flags | (extended ? PathAttribute.FLAG_EXTENDED_LENGTH : 0));
      out.write(a.type().code());
      if (extended) {
        short16(out, value.length);
      } else {
        out.write(value.length);
      }
      out.writeBytes(value);
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void short16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  private static void int32(ByteArrayOutputStream out, long v) {
    out.write((int) (v >>> 24));
    out.write((int) (v >>> 16));
    out.write((int) (v >>> 8));
    out.write((int) v);
  }
}
