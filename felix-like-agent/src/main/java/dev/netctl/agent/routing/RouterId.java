package dev.netctl.agent.routing;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/**
 * The BGP identifier of a node (Calico's {@code CALICO_ROUTER_ID}): a 32-bit number written as a
 * dotted quad. By default it is the node's IPv4 address; an IPv6-only node has none, so it takes an
 * explicit id or {@code hash}, a stable id derived from the node name. Pure.
 */
public final class RouterId {

  /** The option value that asks for the id derived from the node name. */
  public static final String HASH = "hash";

  private static final Pattern DOTTED_QUAD =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

  private RouterId() {}

  /**
   * Checks an option value: empty or null (derive it), {@code hash}, or a dotted quad other than
   * 0.0.0.0.
   *
   * @return null when {@code value} is acceptable, else the rule it breaks
   */
  public static String problem(String value) {
    if (value == null || value.isEmpty() || value.equals(HASH)) return null;
    if (!DOTTED_QUAD.matcher(value).matches()) {
      return "must be a dotted-quad IPv4 address (a 32-bit BGP identifier) or hash";
    }
    if (value.equals("0.0.0.0")) {
      return "must not be 0.0.0.0 (a BGP identifier is a non-zero 32-bit number, RFC 6286)";
    }
    return null;
  }

  /**
   * The router id a node runs with.
   *
   * @param option the {@code --router-id} value: null or empty, {@code hash} or a dotted quad
   * @param nodeName the node's name, for {@code hash}
   * @param ipv4 the node's IPv4 address, or null on an IPv6-only node (which then hashes)
   * @throws IllegalArgumentException when {@code option} breaks {@link #problem}'s rules
   */
  public static Inet4Address resolve(String option, String nodeName, InetAddress ipv4) {
    String why = problem(option);
    if (why != null) throw new IllegalArgumentException("--router-id " + option + ": " + why);
    if (option == null || option.isEmpty()) {
      return ipv4 instanceof Inet4Address a ? a : hash(nodeName);
    }
    if (option.equals(HASH)) return hash(nodeName);
    return parse(option);
  }

  /**
   * The id derived from a node name: the first four bytes of the name's SHA-256, the first lowered
   * by 32 when it is above 223 so that the id never looks like a multicast or reserved address —
   * the same id calico-node derives for the same name, so a cluster mixing both agrees. All zero (1
   * in 2^32 names) becomes 0.0.0.1: a BGP identifier must not be zero.
   */
  public static Inet4Address hash(String nodeName) {
    byte[] digest;
    try {
      digest =
          MessageDigest.getInstance("SHA-256").digest(nodeName.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
    byte[] id = {digest[0], digest[1], digest[2], digest[3]};
    if ((id[0] & 0xff) > 223) id[0] = (byte) ((id[0] & 0xff) - 32);
    if (id[0] == 0 && id[1] == 0 && id[2] == 0 && id[3] == 0) id[3] = 1;
    return of(id);
  }

  /** A dotted quad as an address (no name lookup). */
  public static Inet4Address parse(String dottedQuad) {
    if (!DOTTED_QUAD.matcher(dottedQuad).matches()) {
      throw new IllegalArgumentException(dottedQuad + " is not a dotted-quad IPv4 address");
    }
    String[] parts = dottedQuad.split("\\.");
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) b[i] = (byte) Integer.parseInt(parts[i]);
    return of(b);
  }

  private static Inet4Address of(byte[] b) {
    try {
      return (Inet4Address) InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an IPv4 address", e);
    }
  }
}
