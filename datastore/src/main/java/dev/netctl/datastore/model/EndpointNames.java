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
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-1").digest(workloadId.getBytes(StandardCharsets.UTF_8));
      return VETH_PREFIX + HexFormat.of().formatHex(d).substring(0, 11);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  /**
   * Calico's endpoint name {@code <node>-<orchestrator>-<workload>-<endpoint>}, each part's '-'
   * doubled so the parts can be told apart again ({@link #parse}).
   */
  public static String endpointName(
      String node, String orchestrator, String workload, String endpoint) {
    return escape(node) + "-" + orchestrator + "-" + escape(workload) + "-" + escape(endpoint);
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
