package dev.netctl.bgp.codec;

import dev.netctl.bgp.codec.Capability.AddPathFamily;
import dev.netctl.bgp.codec.Capability.AddPathMode;
import dev.netctl.bgp.codec.Capability.GracefulRestartFamily;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * Capability values (RFC 5492 §4). A known capability whose value is malformed is kept as {@link
 * Capability.Unknown}: RFC 5492 lets a speaker ignore what it cannot use, and the session then
 * simply does not negotiate it.
 */
final class CapabilityCodec {
  private CapabilityCodec() {}

  /** Parses one capability from a slice of exactly its value. */
  static Capability read(int code, ByteBuf v) {
    int len = v.readableBytes();
    byte[] raw = ByteBufUtil.getBytes(v);
    Capability parsed =
        switch (code) {
          case 1 ->
              len == 4
                  ? new Capability.Multiprotocol(
                      AddressFamily.of(v.getUnsignedShort(0), v.getUnsignedByte(3)))
                  : null;
          case 2 -> len == 0 ? new Capability.RouteRefresh() : null;
          case 6 -> len == 0 ? new Capability.ExtendedMessage() : null;
          case 70 -> len == 0 ? new Capability.EnhancedRouteRefresh() : null;
          case 65 -> len == 4 ? new Capability.FourOctetAs(v.getUnsignedInt(0)) : null;
          case 64 -> gracefulRestart(v, len);
          case 69 -> addPath(v, len);
          default -> null;
        };
    return parsed != null ? parsed : new Capability.Unknown(code, raw);
  }

  private static Capability gracefulRestart(ByteBuf v, int len) {
    if (len < 2 || (len - 2) % 4 != 0) {
      return null;
    }
    int head = v.getUnsignedShort(0);
    List<GracefulRestartFamily> families = new ArrayList<>();
    for (int i = 2; i < len; i += 4) {
      families.add(
          new GracefulRestartFamily(
              AddressFamily.of(v.getUnsignedShort(i), v.getUnsignedByte(i + 2)),
              (v.getUnsignedByte(i + 3) & 0x80) != 0));
    }
    return new Capability.GracefulRestart(
        (head & 0x8000) != 0, (head & 0x4000) != 0, head & 0x0fff, families);
  }

  private static Capability addPath(ByteBuf v, int len) {
    if (len == 0 || len % 4 != 0) {
      return null;
    }
    List<AddPathFamily> families = new ArrayList<>();
    for (int i = 0; i < len; i += 4) {
      AddPathMode mode = AddPathMode.fromCode(v.getUnsignedByte(i + 3));
      if (mode == null) {
        return null;
      }
      families.add(
          new AddPathFamily(
              AddressFamily.of(v.getUnsignedShort(i), v.getUnsignedByte(i + 2)), mode));
    }
    return new Capability.AddPath(families);
  }

  /** The value bytes of {@code c} (without code and length). */
  static byte[] value(Capability c) {
    ByteBuf out = Unpooled.buffer();
    switch (c) {
      case Capability.Multiprotocol m -> {
        out.writeShort(m.family().afi().code());
        out.writeByte(0); // reserved
        out.writeByte(m.family().safi().code());
      }
      case Capability.RouteRefresh r -> {}
      case Capability.ExtendedMessage e -> {}
      case Capability.EnhancedRouteRefresh e -> {}
      case Capability.FourOctetAs f -> out.writeInt((int) f.asn());
      case Capability.GracefulRestart g -> {
        out.writeShort(
            (g.restarting() ? 0x8000 : 0)
                | (g.gracefulNotification() ? 0x4000 : 0)
                | g.restartTimeSeconds());
        for (GracefulRestartFamily f : g.families()) {
          out.writeShort(f.family().afi().code());
          out.writeByte(f.family().safi().code());
          out.writeByte(f.forwardingPreserved() ? 0x80 : 0);
        }
      }
      case Capability.AddPath a -> {
        for (AddPathFamily f : a.families()) {
          out.writeShort(f.family().afi().code());
          out.writeByte(f.family().safi().code());
          out.writeByte(f.mode().code());
        }
      }
      case Capability.Unknown u -> out.writeBytes(u.value());
    }
    return ByteBufUtil.getBytes(out);
  }
}
