package dev.netctl.datastore.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Calico's names for a pod's attachment, shared by the CNI side that creates an endpoint and the
 * Kubernetes backend that derives one from a Pod: both must arrive at the same endpoint name and
 * host veth, or the agent would route to a device the plumbing never made.
 */
public final class EndpointNames {

  /** The prefix of every host-side veth (the agent's ownership mark for interfaces). */
  public static final String VETH_PREFIX = "cali";

  private EndpointNames() {}

  /**
   * The host end of a workload's veth: {@value #VETH_PREFIX} and the first 11 hex digits of
   * sha1(workload id), 15 characters (the kernel's limit), stable across sandboxes of one pod, as
   * Calico's.
   *
   * @param workloadId {@code <namespace>.<pod>} for a Kubernetes pod's eth0
   */
  public static String hostInterface(String workloadId) {
    return VETH_PREFIX + sha1Hex(workloadId).substring(0, 11);
  }

  /** Kubernetes' limit on an object name (a DNS-1123 subdomain), which an endpoint name obeys. */
  public static final int MAX_NAME = 253;

  /** Hex digits of the digest that ends a shortened workload part. */
  static final int DIGEST_HEX = 16;

  /**
   * Calico's endpoint name {@code <node>-<orchestrator>-<workload>-<endpoint>}, each part's '-'
   * doubled so the parts can be told apart again ({@link #parse}). A pod name may be 253
   * characters, so the node, orchestrator and interface around it (and its doubled dashes) can push
   * the name past {@value #MAX_NAME}: then, as with the host veth (prefix + hash, the kernel's 15),
   * the workload part is cut and ends in {@value #DIGEST_HEX} hex digits of sha1 of the full name —
   * still unique, still four parts, the same on every ADD, CHECK and DEL and on the Kubernetes
   * backend that derives the endpoint from the Pod. Such a name no longer holds the workload: see
   * {@link #mayBeShortened}.
   */
  public static String endpointName(
      String node, String orchestrator, String workload, String endpoint) {
    String full = join(node, orchestrator, workload, endpoint);
    if (full.length() <= MAX_NAME) return full;
    String digest = sha1Hex(full).substring(0, DIGEST_HEX);
    int room = MAX_NAME - join(node, orchestrator, digest, endpoint).length();
    int end = 0;
    for (int used = 0; end < workload.length(); end++) {
      used += workload.charAt(end) == '-' ? 2 : 1; // escaped, a '-' is two
      if (used > room) break;
    }
    // The cut ends in a letter or digit, so no DNS label of the name ends in '-' or '.'.
    while (end > 0 && !Character.isLetterOrDigit(workload.charAt(end - 1))) end--;
    return join(node, orchestrator, workload.substring(0, end) + digest, endpoint);
  }

  /**
   * Whether the workload part {@link #parse} finds in {@code name} may be a shortened one (it ends
   * in {@value #DIGEST_HEX} lower-case hex digits), so that it must not be taken for the workload:
   * the workload is then found by what has this name, e.g. the Pod whose endpoint name it is. False
   * when {@code name} is not an endpoint name.
   */
  public static boolean mayBeShortened(String name) {
    Optional<List<String>> parts = parse(name);
    if (parts.isEmpty()) return false;
    String workload = parts.get().get(2);
    if (workload.length() < DIGEST_HEX) return false;
    for (int i = workload.length() - DIGEST_HEX; i < workload.length(); i++) {
      char c = workload.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
    }
    return true;
  }

  private static String join(String node, String orchestrator, String workload, String endpoint) {
    return escape(node) + "-" + orchestrator + "-" + escape(workload) + "-" + escape(endpoint);
  }

  private static String sha1Hex(String s) {
    return HexFormat.of().formatHex(sha1(s));
  }

  private static byte[] sha1(String s) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  /**
   * The parts of a name made by {@link #endpointName}: node, orchestrator, workload, endpoint;
   * empty when the name is not one.
   */
  public static Optional<List<String>> parse(String name) {
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c != '-') {
        cur.append(c);
      } else if (i + 1 < name.length() && name.charAt(i + 1) == '-') {
        cur.append('-');
        i++;
      } else {
        parts.add(cur.toString());
        cur.setLength(0);
      }
    }
    parts.add(cur.toString());
    if (parts.size() != 4 || parts.stream().anyMatch(String::isEmpty)) return Optional.empty();
    return Optional.of(List.copyOf(parts));
  }

  private static String escape(String part) {
    return part.replace("-", "--");
  }
}
