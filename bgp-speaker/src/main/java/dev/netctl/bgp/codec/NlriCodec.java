package dev.netctl.bgp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads and writes the prefix encoding shared by UPDATE and MP_*_NLRI (RFC 4271 §4.3, RFC 7911 §3).
 */
final class NlriCodec {
  private NlriCodec() {}

  /**
   * Reads every prefix in {@code in} (readable: exactly the NLRI field) and moves past them.
   *
   * @throws MalformedException with {@code subcode} and empty data when a length is out of range or
   *     a prefix runs past the field
   */
  static List<Nlri> read(ByteBuf in, boolean ipv6, boolean addPath, NotificationSubcode subcode)
      throws MalformedException {
    int length = in.readableBytes();
    List<Nlri> out = read(in, in.readerIndex(), length, ipv6, addPath, subcode);
    in.skipBytes(length);
    return out;
  }

  /**
   * Reads every prefix in the {@code size} octets of {@code in} from {@code from}, the NLRI field,
   * without moving its indices.
   *
   * @throws MalformedException with {@code subcode} and empty data when a length is out of range or
   *     a prefix runs past the field
   */
  static List<Nlri> read(
      ByteBuf in, int from, int size, boolean ipv6, boolean addPath, NotificationSubcode subcode)
      throws MalformedException {
    // Plain array reads: an octet read from a ByteBuf goes through several layers of index and
    // buffer-state checks, four million times for a million IPv4 prefixes. A heap buffer (every
    // message BgpDecoder decodes) is read in its own array, where the field lies; any other is
    // copied once to a scratch array of the thread's, reused for every field up to the standard
    // message size: a new array per NLRI field was among a churn's largest allocations.
    if (size == 0 && !ipv6 && !addPath) {
      return Ipv4NlriList.empty(); // most UPDATEs have an empty withdrawn or NLRI field
    }
    // Within what was written, as the buffer's own reads would check: the array may hold more.
    Objects.checkFromIndexSize(from, size, in.writerIndex());
    byte[] b;
    int at;
    if (in.hasArray()) {
      b = in.array();
      at = in.arrayOffset() + from;
    } else {
      b = size <= SCRATCH_SIZE ? SCRATCH.get() : new byte[size];
      in.getBytes(from, b, 0, size);
      at = 0;
    }
    int end = at + size;
    long[] packed = !ipv6 && !addPath ? new long[countIpv4(b, at, end)] : null;
    int count = 0;
    List<Nlri> out = packed != null ? null : new ArrayList<>(size / (ipv6 ? 9 : 4) + 1);
    int max = ipv6 ? 128 : 32;
    while (at < end) {
      int pathId = 0;
      if (addPath) {
        if (end - at < 4) {
          throw new MalformedException(
              subcode,
              new byte[0],
              "NLRI path identifier truncated: " + (end - at) + " octets left");
        }
        pathId =
            (b[at] & 0xff) << 24
                | (b[at + 1] & 0xff) << 16
                | (b[at + 2] & 0xff) << 8
                | b[at + 3] & 0xff;
        at += 4;
        if (at == end) {
          throw new MalformedException(subcode, new byte[0], "NLRI prefix length octet missing");
        }
      }
      int length = b[at++] & 0xff;
      if (length > max) {
        throw new MalformedException(
            subcode, new byte[0], "NLRI prefix length " + length + " exceeds " + max);
      }
      int bytes = (length + 7) / 8;
      if (end - at < bytes) {
        throw new MalformedException(
            subcode,
            new byte[0],
            "NLRI prefix /" + length + " needs " + bytes + " octets, " + (end - at) + " left");
      }
      if (ipv6) {
        byte[] address = new byte[16];
        System.arraycopy(b, at, address, 0, bytes);
        out.add(new Nlri(pathId, Prefix.of(true, address, length)));
      } else {
        // The octets present, the rest zero; by count rather than a loop of four with a test each,
        // which the C1-only speaker runs as written, for every prefix received.
        int v4 =
            switch (bytes) {
              case 0 -> 0;
              case 1 -> (b[at] & 0xff) << 24;
              case 2 -> (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16;
              case 3 -> (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8;
              default ->
                  (b[at] & 0xff) << 24
                      | (b[at + 1] & 0xff) << 16
                      | (b[at + 2] & 0xff) << 8
                      | b[at + 3] & 0xff;
            };
        if (packed != null) {
          // Host bits cleared, as Prefix.ipv4 does.
          int network = length == 0 ? 0 : v4 & (-1 << (32 - length));
          packed[count++] = Integer.toUnsignedLong(network) << 8 | length;
        } else {
          out.add(new Nlri(pathId, Prefix.ipv4(v4, length)));
        }
      }
      at += bytes;
    }
    return packed != null ? Ipv4NlriList.of(packed, count) : out;
  }

  /**
   * Prefixes in {@code b} from {@code at} to {@code end} as far as they are well-formed; what
   * follows a bad length is left to the reading loop to reject.
   */
  private static int countIpv4(byte[] b, int at, int end) {
    int n = 0;
    for (; at < end; n++) {
      at += 1 + ((b[at] & 0xff) + 7) / 8;
    }
    return n;
  }

  private static final int SCRATCH_SIZE = CodecContext.MAX_MESSAGE_SIZE;
  // A Netty FastThreadLocal: on the event loop (a FastThreadLocalThread) an array index, where a
  // ThreadLocal's lookup goes through Reference.refersTo, a native call the C1-only speaker does
  // not intrinsify (about 1.5 % of the loop's samples of a churn, for two reads and a write per
  // UPDATE). Other threads get what a ThreadLocal costs.
  private static final FastThreadLocal<byte[]> SCRATCH =
      new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
          return new byte[SCRATCH_SIZE];
        }
      };

  /** Octets {@code nlri} takes on the wire. */
  static int size(Nlri nlri, boolean addPath) {
    return (addPath ? 4 : 0) + 1 + (nlri.prefix().length() + 7) / 8;
  }

  /** The most octets one entry takes: a path id, the length octet and an IPv6 address. */
  static final int MAX_SIZE = 4 + 1 + 16;

  /**
   * Writes every entry of {@code nlri} through one scratch array, copied to {@code out} in a few
   * bulk writes: octet writes to a ByteBuf go through its index and capacity checks each.
   */
  static void writeAll(ByteBuf out, List<Nlri> nlri, boolean addPath) {
    // The thread's scratch array (a write never runs inside a read): a new one per field was a
    // churn's largest allocation on the outbound path.
    byte[] b = SCRATCH.get();
    Ipv4NlriList packed = nlri instanceof Ipv4NlriList p ? p : null;
    int at = 0;
    for (int i = 0, n = nlri.size(); i < n; i++) {
      if (b.length - at < MAX_SIZE) {
        out.writeBytes(b, 0, at);
        at = 0;
      }
      at =
          packed != null ? put(b, at, packed.packed(i), addPath) : put(b, at, nlri.get(i), addPath);
    }
    out.writeBytes(b, 0, at);
  }

  /** Writes every entry of {@code nlri} to {@code out} (an MP_REACH or MP_UNREACH value). */
  static void writeAll(OctetWriter out, List<Nlri> nlri, boolean addPath) {
    int n = nlri.size();
    int at = out.reserve(n * MAX_SIZE);
    byte[] b = out.array();
    Ipv4NlriList packed = nlri instanceof Ipv4NlriList p ? p : null;
    for (int i = 0; i < n; i++) {
      at =
          packed != null ? put(b, at, packed.packed(i), addPath) : put(b, at, nlri.get(i), addPath);
    }
    out.advanceTo(at);
  }

  /**
   * Puts every prefix of {@code nlri} into {@code b} from {@code at}, which has room for them;
   * returns the index after the last.
   */
  static int put(byte[] b, int at, Ipv4NlriList nlri, boolean addPath) {
    for (int i = 0, n = nlri.size(); i < n; i++) {
      at = put(b, at, nlri.packed(i), addPath);
    }
    return at;
  }

  /** Puts one packed IPv4 prefix ({@link Ipv4NlriList#pack}), path id 0, into {@code b}. */
  private static int put(byte[] b, int at, long packed, boolean addPath) {
    if (addPath) {
      b[at++] = 0;
      b[at++] = 0;
      b[at++] = 0;
      b[at++] = 0;
    }
    int length = (int) (packed & 0xff);
    b[at] = (byte) length;
    int address = (int) (packed >>> 8);
    // By count rather than a loop with a test per octet, which the C1-only speaker runs as written
    // for every prefix sent (as the reading side does).
    switch ((length + 7) >>> 3) {
      case 0 -> {}
      case 1 -> b[at + 1] = (byte) (address >>> 24);
      case 2 -> {
        b[at + 1] = (byte) (address >>> 24);
        b[at + 2] = (byte) (address >>> 16);
      }
      case 3 -> {
        b[at + 1] = (byte) (address >>> 24);
        b[at + 2] = (byte) (address >>> 16);
        b[at + 3] = (byte) (address >>> 8);
      }
      default -> {
        b[at + 1] = (byte) (address >>> 24);
        b[at + 2] = (byte) (address >>> 16);
        b[at + 3] = (byte) (address >>> 8);
        b[at + 4] = (byte) address;
      }
    }
    return at + 1 + ((length + 7) >>> 3);
  }

  /** Puts one entry into {@code b} at {@code at}; returns the index after it. */
  private static int put(byte[] b, int at, Nlri nlri, boolean addPath) {
    if (addPath) {
      int id = nlri.pathId();
      b[at++] = (byte) (id >>> 24);
      b[at++] = (byte) (id >>> 16);
      b[at++] = (byte) (id >>> 8);
      b[at++] = (byte) id;
    }
    Prefix p = nlri.prefix();
    b[at++] = (byte) p.length();
    int bytes = (p.length() + 7) / 8;
    for (int i = 0; i < bytes; i++) {
      b[at++] = p.byteAt(i);
    }
    return at;
  }
}
