package dev.netctl.bgp.codec;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the prefix encoding shared by UPDATE and MP_*_NLRI (RFC 4271 §4.3, RFC 7911 §3).
 */
final class NlriCodec {
  private NlriCodec() {}

  /**
   * Reads every prefix in {@code in} (a slice of exactly the NLRI field).
   *
   * @throws MalformedException with {@code subcode} and empty data when a length is out of range or
   *     a prefix runs past the field
   */
  static List<Nlri> read(ByteBuf in, boolean ipv6, boolean addPath, NotificationSubcode subcode)
      throws MalformedException {
    List<Nlri> out = new ArrayList<>();
    int max = ipv6 ? 128 : 32;
    byte[] address = ipv6 ? new byte[16] : null;
    while (in.isReadable()) {
      int pathId = 0;
      if (addPath) {
        if (in.readableBytes() < 4) {
          throw new MalformedException(
              subcode,
              new byte[0],
              "NLRI path identifier truncated: " + in.readableBytes() + " octets left");
        }
        pathId = in.readInt();
      }
      if (!in.isReadable()) {
        throw new MalformedException(subcode, new byte[0], "NLRI prefix length octet missing");
      }
      int length = in.readUnsignedByte();
      if (length > max) {
        throw new MalformedException(
            subcode, new byte[0], "NLRI prefix length " + length + " exceeds " + max);
      }
      int bytes = (length + 7) / 8;
      if (in.readableBytes() < bytes) {
        throw new MalformedException(
            subcode,
            new byte[0],
            "NLRI prefix /"
                + length
                + " needs "
                + bytes
                + " octets, "
                + in.readableBytes()
                + " left");
      }
      if (ipv6) {
        java.util.Arrays.fill(address, (byte) 0);
        in.readBytes(address, 0, bytes);
        out.add(new Nlri(pathId, Prefix.of(true, address, length)));
      } else {
        // Octet by octet: readBytes into an array costs a ByteBuffer copy per prefix on a direct
        // buffer, and IPv4 is the million-prefix case.
        int v4 = 0;
        for (int i = 0; i < 4; i++) {
          v4 = v4 << 8 | (i < bytes ? in.readUnsignedByte() : 0);
        }
        out.add(new Nlri(pathId, Prefix.ipv4(v4, length)));
      }
    }
    return out;
  }

  /** Octets {@code nlri} takes on the wire. */
  static int size(Nlri nlri, boolean addPath) {
    return (addPath ? 4 : 0) + 1 + (nlri.prefix().length() + 7) / 8;
  }

  /** Writes one entry. */
  static void write(ByteBuf out, Nlri nlri, boolean addPath) {
    if (addPath) {
      out.writeInt(nlri.pathId());
    }
    Prefix p = nlri.prefix();
    out.writeByte(p.length());
    int bytes = (p.length() + 7) / 8;
    for (int i = 0; i < bytes; i++) {
      out.writeByte(p.byteAt(i));
    }
  }
}
