package dev.netctl.bgp.codec;

import dev.netctl.bgp.codec.BgpMessage.Update;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes messages (RFC 4271 §4). Values that cannot be put on the wire (a message over the
 * negotiated size, a 4-octet AS without the capability) are caller bugs and raise {@link
 * IllegalArgumentException} naming the field and the limit.
 */
public final class BgpEncoder {
  private BgpEncoder() {}

  // The header's marker: all ones (RFC 4271 §4.1).
  private static final byte[] MARKER = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
  };

  /** Encodes into a new array. */
  public static byte[] encode(BgpMessage message, CodecContext ctx) {
    ByteBuf out = Unpooled.buffer();
    try {
      encode(message, ctx, out);
      return ByteBufUtil.getBytes(out);
    } finally {
      out.release();
    }
  }

  /** Appends the encoded message to {@code out}; on failure {@code out} is left unchanged. */
  public static void encode(BgpMessage message, CodecContext ctx, ByteBuf out) {
    if (message instanceof Update u && out.hasArray() && writePacked(u, ctx, out)) {
      return;
    }
    int start = out.writerIndex();
    try {
      out.writeBytes(MARKER); // one copy, not sixteen bounds-checked writes per message
      out.writeShort(0); // length, patched below
      out.writeByte(message.typeCode());
      switch (message) {
        case BgpMessage.Open o -> writeOpen(out, o);
        case Update u -> writeUpdate(out, u, ctx);
        case BgpMessage.Notification n -> {
          out.writeByte(n.code());
          out.writeByte(n.subcode());
          out.writeBytes(n.data());
        }
        case BgpMessage.Keepalive k -> {}
        case BgpMessage.RouteRefresh r -> {
          out.writeShort(r.family().afi().code());
          out.writeByte(r.subtype());
          out.writeByte(r.family().safi().code());
        }
      }
      int length = out.writerIndex() - start;
      int max =
          message instanceof Update || message instanceof BgpMessage.Notification
              ? ctx.maxMessageSize()
              : CodecContext.MAX_MESSAGE_SIZE;
      if (length > max) {
        throw tooLong(message, length, max);
      }
      out.setShort(start + 16, length);
    } catch (RuntimeException e) {
      out.writerIndex(start);
      throw e;
    }
  }

  private static IllegalArgumentException tooLong(BgpMessage message, int length, int max) {
    return new IllegalArgumentException(
        message.getClass().getSimpleName()
            + " of "
            + length
            + " octets exceeds the "
            + max
            + "-octet maximum");
  }

  private static final byte[] NO_ATTRIBUTES = new byte[0];

  /**
   * Writes the UPDATE an update group sends (IPv4 NLRI packed, attributes the packer encoded or
   * none) straight into the heap buffer's array and returns true; false, with nothing written, for
   * any other UPDATE. Written field by field through the buffer, one such UPDATE took some twenty
   * calls, each checking indices and capacity, which the C1-only speaker runs as written: most of
   * the event loop's encoding time of a churn of a thousand small UPDATEs (issue 14 session 16).
   */
  private static boolean writePacked(Update u, CodecContext ctx, ByteBuf out) {
    Ipv4NlriList withdrawn = packedOrEmpty(u.withdrawn());
    Ipv4NlriList nlri = packedOrEmpty(u.nlri());
    List<PathAttribute> attributes = u.attributes();
    byte[] wire =
        attributes instanceof EncodedAttributes e
            ? e.wireFor(ctx)
            : attributes.isEmpty() ? NO_ATTRIBUTES : null;
    if (withdrawn == null || nlri == null || wire == null) {
      return false;
    }
    boolean addPath = ctx.addPath(AddressFamily.IPV4_UNICAST);
    int max = ctx.maxMessageSize();
    // At most a path id, the length octet and four address octets per prefix; a bound far past
    // the maximum (a caller's error) goes the general way, not into a buffer grown to fit it.
    int bound =
        BgpDecoder.HEADER_SIZE
            + 4
            + wire.length
            + (addPath ? 9 : 5) * (withdrawn.size() + nlri.size());
    if (bound > 3 * max) {
      return false;
    }
    out.ensureWritable(bound);
    byte[] b = out.array();
    int start = out.arrayOffset() + out.writerIndex();
    System.arraycopy(MARKER, 0, b, start, MARKER.length);
    int withdrawnAt = start + BgpDecoder.HEADER_SIZE;
    int at = NlriCodec.put(b, withdrawnAt + 2, withdrawn, addPath);
    putShort(b, withdrawnAt, at - withdrawnAt - 2);
    putShort(b, at, wire.length);
    System.arraycopy(wire, 0, b, at + 2, wire.length);
    at = NlriCodec.put(b, at + 2 + wire.length, nlri, addPath);
    int length = at - start;
    if (length > max) {
      throw tooLong(u, length, max);
    }
    putShort(b, start + 16, length);
    b[start + 18] = (byte) u.typeCode();
    out.writerIndex(out.writerIndex() + length);
    return true;
  }

  private static Ipv4NlriList packedOrEmpty(List<Nlri> nlri) {
    if (nlri instanceof Ipv4NlriList p) {
      return p;
    }
    return nlri.isEmpty() ? Ipv4NlriList.empty() : null;
  }

  private static void putShort(byte[] b, int at, int value) {
    b[at] = (byte) (value >>> 8);
    b[at + 1] = (byte) value;
  }

  private static void writeOpen(ByteBuf out, BgpMessage.Open o) {
    boolean hasFourOctet =
        o.capabilities().stream().anyMatch(c -> c instanceof Capability.FourOctetAs);
    if (o.myAs() > 0xffff && !hasFourOctet) {
      throw new IllegalArgumentException(
          "OPEN AS " + o.myAs() + " needs the 4-octet AS capability (RFC 6793)");
    }
    out.writeByte(o.version());
    out.writeShort((int) (o.myAs() > 0xffff ? BgpMessage.AS_TRANS : o.myAs()));
    out.writeShort(o.holdTime());
    out.writeBytes(o.bgpId().getAddress());
    // One optional parameter per capability: peers accept both layouts (RFC 5492 §4).
    List<byte[]> values = new ArrayList<>();
    int total = 0;
    for (Capability c : o.capabilities()) {
      byte[] v = CapabilityCodec.value(c);
      if (v.length > 253) {
        throw new IllegalArgumentException(
            "capability " + c.code() + " value of " + v.length + " octets exceeds 253");
      }
      values.add(v);
      total += 4 + v.length;
    }
    if (total > 255) {
      throw new IllegalArgumentException(
          "OPEN optional parameters of " + total + " octets exceed 255");
    }
    out.writeByte(total);
    for (int i = 0; i < values.size(); i++) {
      byte[] v = values.get(i);
      out.writeByte(2);
      out.writeByte(2 + v.length);
      out.writeByte(o.capabilities().get(i).code().code());
      out.writeByte(v.length);
      out.writeBytes(v);
    }
  }

  private static void writeUpdate(ByteBuf out, Update u, CodecContext ctx) {
    boolean addPath = ctx.addPath(AddressFamily.IPV4_UNICAST);
    int lengthAt = out.writerIndex();
    out.writeShort(0);
    requireIpv4(u.withdrawn(), "withdrawn");
    NlriCodec.writeAll(out, u.withdrawn(), addPath);
    out.setShort(lengthAt, out.writerIndex() - lengthAt - 2);
    lengthAt = out.writerIndex();
    out.writeShort(0);
    byte[] wire =
        u.attributes() instanceof EncodedAttributes e ? e.wireFor(ctx) : null; // see the packer
    if (wire != null) {
      out.writeBytes(wire);
    } else {
      AttributeEncoder.writeAll(out, u.attributes(), ctx);
    }
    out.setShort(lengthAt, out.writerIndex() - lengthAt - 2);
    requireIpv4(u.nlri(), "nlri");
    NlriCodec.writeAll(out, u.nlri(), addPath);
  }

  private static void requireIpv4(List<Nlri> nlri, String field) {
    if (nlri.isEmpty() || nlri instanceof Ipv4NlriList) {
      return; // IPv4 by construction; no iterator for an empty field, the usual case
    }
    for (Nlri n : nlri) {
      if (n.prefix().ipv6()) {
        throw new IllegalArgumentException(
            "UPDATE " + field + " " + n + " is IPv6; it belongs in MP_REACH/MP_UNREACH");
      }
    }
  }
}
