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
    byte[] d = SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(d, 0, 6);
  }

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException(e);
            }
          });

  // endpoint chains name every applicable policy's chain: hash each policy once
  private static final java.util.Map<PolicyId, String> POLICY_HASH =
      new java.util.concurrent.ConcurrentHashMap<>();

  // many rules share a selector: hash its canonical text once
  private static final java.util.Map<dev.netctl.datastore.selector.Selector, String> SET_NAMES =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static final java.util.Map<dev.netctl.datastore.selector.Selector, String> SET_NAMES_V6 =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The IP set of a selector's endpoints: {@code s-} ({@code s6-} for IPv6) and a hash of its
   * canonical text.
   */
  public static String setName(dev.netctl.datastore.selector.Selector selector, IpFamily family) {
    var names = family == IpFamily.V4 ? SET_NAMES : SET_NAMES_V6;
    if (names.size() > 100_000) names.clear(); // bounded: selectors of deleted policies
    return names.computeIfAbsent(selector, k -> "s" + family.setTag + "-" + hash(k.toString()));
  }

  /** The chain holding one direction of a policy's rules. */
  public static String policyChain(PolicyId id, Direction d) {
    String h = POLICY_HASH.computeIfAbsent(id, k -> hash(k.toString()));
    if (POLICY_HASH.size() > 100_000) POLICY_HASH.clear(); // bounded: ids of deleted policies
    return "p-" + h + (d == Direction.INGRESS ? "-i" : "-e");
  }

  /**
   * The endpoint chain with these rules: {@code ei-}/{@code ee-} and a hash of them, so endpoints
   * with the same policies share it.
   */
  public static String endpointChain(java.util.List<String> rules, Direction d) {
    return (d == Direction.INGRESS ? "ei-" : "ee-") + hash(String.join("\n", rules));
  }
}
