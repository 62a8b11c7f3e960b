package dev.netctl.bgp.codec;

import dev.netctl.bgp.codec.BgpMessage.Open;
import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Decodes an OPEN body (RFC 4271 §4.2, §6.2; RFC 5492; RFC 9072 extended parameters). */
final class OpenDecoder {
  private static final int PARAM_CAPABILITIES = 2;

  private OpenDecoder() {}

  static Open decode(ByteBuf body, byte[] lengthField) throws MalformedException {
    int version = body.readUnsignedByte();
    if (version != 4) {
      // RFC 4271 §6.2: data is the largest locally supported version, as 2 octets.
      throw new MalformedException(
          NotificationSubcode.UNSUPPORTED_VERSION_NUMBER,
          new byte[] {0, 4},
          "OPEN version " + version + " is not 4");
    }
    long myAs = body.readUnsignedShort();
    int holdTime = body.readUnsignedShort();
    byte[] id = new byte[4];
    body.readBytes(id);
    int paramsLength = body.readUnsignedByte();
    boolean extended = false;
    if (paramsLength == 255
        && body.isReadable()
        && body.getUnsignedByte(body.readerIndex()) == 255) {
      // RFC 9072 §2: non-ext type 255 marks a 2-octet parameters length.
      if (body.readableBytes() < 3) {
        throw badLength(lengthField, "OPEN extended optional parameters header truncated");
      }
      body.skipBytes(1);
      paramsLength = body.readUnsignedShort();
      extended = true;
    }
    if (body.readableBytes() != paramsLength) {
      throw badLength(
          lengthField,
          "OPEN optional parameters length "
              + paramsLength
              + " does not match the "
              + body.readableBytes()
              + " octets present");
    }
    if (holdTime == 1 || holdTime == 2) {
      throw new MalformedException(
          NotificationSubcode.UNACCEPTABLE_HOLD_TIME,
          new byte[0],
          "OPEN hold time " + holdTime + " must be 0 or at least 3");
    }
    Inet4Address bgpId;
    try {
      bgpId = (Inet4Address) InetAddress.getByAddress(id);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    if (bgpId.isAnyLocalAddress()) {
      // RFC 6286 §2.1: the identifier is a non-zero 32-bit value.
      throw new MalformedException(
          NotificationSubcode.BAD_BGP_IDENTIFIER, new byte[0], "OPEN BGP identifier is 0.0.0.0");
    }
    List<Capability> capabilities = new ArrayList<>();
    int headerSize = extended ? 3 : 2;
    while (body.isReadable()) {
      if (body.readableBytes() < headerSize) {
        throw badLength(lengthField, "OPEN optional parameter header truncated");
      }
      int type = body.readUnsignedByte();
      int length = extended ? body.readUnsignedShort() : body.readUnsignedByte();
      if (body.readableBytes() < length) {
        throw badLength(
            lengthField, "OPEN optional parameter length " + length + " overruns the message");
      }
      ByteBuf param = body.readSlice(length);
      if (type != PARAM_CAPABILITIES) {
        throw new MalformedException(
            NotificationSubcode.UNSUPPORTED_OPTIONAL_PARAMETER,
            new byte[0],
            "OPEN optional parameter type " + type + " is not supported (only capabilities, 2)");
      }
      while (param.isReadable()) {
        if (param.readableBytes() < 2) {
          throw badLength(lengthField, "capability header truncated");
        }
        int code = param.readUnsignedByte();
        int capLength = param.readUnsignedByte();
        if (param.readableBytes() < capLength) {
          throw badLength(
              lengthField,
              "capability " + code + " length " + capLength + " overruns its parameter");
        }
        capabilities.add(CapabilityCodec.read(code, param.readSlice(capLength)));
      }
    }
    for (Capability c : capabilities) {
      if (c instanceof Capability.FourOctetAs four) {
        myAs = four.asn();
        break;
      }
    }
    return new Open(version, myAs, holdTime, bgpId, capabilities);
  }

  private static MalformedException badLength(byte[] lengthField, String reason) {
    return new MalformedException(NotificationSubcode.BAD_MESSAGE_LENGTH, lengthField, reason);
  }
}
