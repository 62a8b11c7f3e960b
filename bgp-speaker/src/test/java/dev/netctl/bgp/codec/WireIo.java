package dev.netctl.bgp.codec;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Whole BGP messages over a plain blocking stream, for tests that script a peer byte by byte
 * (four-octet AS context, as the scripted peers advertise it).
 */
public final class WireIo {
  private WireIo() {}

  /** Reads one message: the 19-byte header, then the rest of its declared length. */
  public static BgpMessage read(DataInputStream in) throws IOException {
    byte[] header = new byte[19];
    in.readFully(header);
    int length = ((header[16] & 0xff) << 8) | (header[17] & 0xff);
    byte[] all = new byte[length];
    System.arraycopy(header, 0, all, 0, 19);
    in.readFully(all, 19, length - 19);
    return ((DecodeResult.Decoded) BgpDecoder.decode(all, CodecContext.FOUR_OCTET)).message();
  }

  /** Encodes and writes one message, flushed. */
  public static void write(OutputStream out, BgpMessage m) throws IOException {
    out.write(BgpEncoder.encode(m, CodecContext.FOUR_OCTET));
    out.flush();
  }
}
