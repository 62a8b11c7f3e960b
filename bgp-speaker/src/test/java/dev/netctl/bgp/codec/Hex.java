package dev.netctl.bgp.codec;

import java.util.HexFormat;

/** Test helper: builds byte fixtures from hex fragments, one per commented wire field. */
final class Hex {
  private Hex() {}

  /** Concatenates hex fragments; spaces are ignored. */
  static byte[] bytes(String... parts) {
    return HexFormat.of().parseHex(String.join("", parts).replace(" ", ""));
  }

  /** 16 marker octets of 0xff (RFC 4271 §4.1). */
  static final String MARKER = "ffffffffffffffffffffffffffffffff";

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
