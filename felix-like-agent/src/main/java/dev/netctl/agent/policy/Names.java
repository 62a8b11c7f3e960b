package dev.netctl.agent.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Names of the nftables objects netctl owns. */
public final class Names {
  /** The family of netctl's policy table. */
  public static final String FAMILY = "inet";

  /** The name of netctl's policy table. */
  public static final String TABLE = "netctl";

  private Names() {}

  /** 12 hex digits of SHA-256: short, stable names for chains and sets. */
  public static String hash(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The chain holding one direction of a policy's rules. */
  public static String policyChain(PolicyId id, Direction d) {
    return "p-" + hash(id.toString()) + (d == Direction.INGRESS ? "-i" : "-e");
  }

  /** The chain one endpoint's traffic in one direction goes through. */
  public static String endpointChain(String iface, Direction d) {
    return (d == Direction.INGRESS ? "ei-" : "ee-") + iface;
  }
}
