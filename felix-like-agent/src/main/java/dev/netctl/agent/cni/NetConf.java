package dev.netctl.agent.cni;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network config the runtime passed on stdin, with Calico's field names where they exist.
 *
 * @param cniVersion the version the runtime speaks (checked by the plugin)
 * @param name the network name; the IPAM handle is {@code <name>.<containerID>}
 * @param type {@code netctl} or {@code netctl-ipam} (or, for netctl-ipam, the main plugin's type)
 * @param mtu the pod interface MTU; 0 = the agent's
 * @param ipv4Pools pool names or CIDRs to take IPv4 addresses from; empty = any that selects the
 *     node
 * @param ipv6Pools the same for IPv6
 * @param assignIpv4 whether to assign an IPv4 address (Calico's default: yes)
 * @param assignIpv6 whether to assign an IPv6 address (Calico's default: no)
 * @param nodename the node the config was written for, or null
 * @param labels pod labels from {@code args.cni.labels} (CNI CONVENTIONS' per-invocation args)
 * @param annotations pod annotations from {@code args.cni.annotations}
 * @param prevResult the previous plugin's result in a chain (CHECK, DEL), or null
 * @param validAttachments GC's {@code cni.dev/valid-attachments} as (containerID, ifname) pairs
 */
public record NetConf(
    String cniVersion,
    String name,
    String type,
    int mtu,
    List<String> ipv4Pools,
    List<String> ipv6Pools,
    boolean assignIpv4,
    boolean assignIpv6,
    String nodename,
    Map<String, String> labels,
    Map<String, String> annotations,
    Map<String, Object> prevResult,
    List<Attachment> validAttachments) {

  /** A live attachment GC must keep. */
  public record Attachment(String containerId, String ifName) {}

  /** Reads and validates a config; every refusal names the field, the value and the rule. */
  public static NetConf parse(Map<String, Object> c) {
    String version = string(c, "cniVersion", "");
    String name = string(c, "name", null);
    if (name == null || name.isBlank()) {
      throw invalid("name", c.get("name"), "is required (the network name)");
    }
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]*")) {
      throw invalid("name", name, "must be letters, digits, '_', '.', '-'");
    }
    Map<String, Object> ipam = object(c, "ipam");
    long mtu = number(c, "mtu", 0);
    if (mtu != 0 && (mtu < 68 || mtu > 65535)) throw invalid("mtu", mtu, "must be 68-65535");
    boolean v4 = bool(ipam, c, "assign_ipv4", true);
    boolean v6 = bool(ipam, c, "assign_ipv6", false);
    if (!v4 && !v6) {
      throw invalid("ipam.assign_ipv4", "false", "and assign_ipv6 both false: nothing to assign");
    }
    Map<String, Object> args = object(object(c, "args"), "cni");
    List<Attachment> attachments = new ArrayList<>();
    if (c.get("cni.dev/valid-attachments") instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map<?, ?> m && m.get("containerID") instanceof String id) {
          attachments.add(new Attachment(id, m.get("ifname") instanceof String i ? i : null));
        }
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> prev =
        c.get("prevResult") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    return new NetConf(
        version,
        name,
        string(c, "type", ""),
        (int) mtu,
        strings(ipam, "ipv4_pools"),
        strings(ipam, "ipv6_pools"),
        v4,
        v6,
        string(c, "nodename", null),
        stringMap(args, "labels"),
        stringMap(args, "annotations"),
        prev,
        attachments);
  }

  /** Whether results must carry the per-IP {@code version} field (spec before 1.0.0). */
  public boolean legacyResult() {
    return cniVersion.startsWith("0.");
  }

  static CniError invalid(String field, Object value, String rule) {
    return new CniError(
        CniError.INVALID_CONFIG,
        "invalid network config",
        "field " + field + " = " + Json.write(value) + ": " + rule);
  }

  private static String string(Map<String, Object> c, String k, String dflt) {
    Object v = c.get(k);
    if (v == null) return dflt;
    if (v instanceof String s) return s;
    throw invalid(k, v, "must be a string");
  }

  private static long number(Map<String, Object> c, String k, long dflt) {
    Object v = c.get(k);
    if (v == null) return dflt;
    if (v instanceof Long n) return n;
    throw invalid(k, v, "must be an integer");
  }

  /** Calico writes these as strings ("true"); booleans are accepted too. ipam's wins. */
  private static boolean bool(
      Map<String, Object> ipam, Map<String, Object> top, String k, boolean dflt) {
    Object v = ipam.containsKey(k) ? ipam.get(k) : top.get(k);
    String where = ipam.containsKey(k) ? "ipam." + k : k;
    // if-chains, not a guarded switch: the formatter's parser does not know `case ... when`.
    if (v == null) return dflt;
    if (v instanceof Boolean b) return b;
    if (v instanceof String s && s.equalsIgnoreCase("true")) return true;
    if (v instanceof String s && s.equalsIgnoreCase("false")) return false;
    throw invalid(where, v, "must be true or false");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Map<String, Object> c, String k) {
    Object v = c.get(k);
    if (v == null) return Map.of();
    if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
    throw invalid(k, v, "must be an object");
  }

  private static List<String> strings(Map<String, Object> c, String k) {
    Object v = c.get(k);
    if (v == null) return List.of();
    if (!(v instanceof List<?> l)) throw invalid("ipam." + k, v, "must be a list of strings");
    List<String> out = new ArrayList<>();
    for (Object o : l) {
      if (!(o instanceof String s)) throw invalid("ipam." + k, v, "must be a list of strings");
      out.add(s);
    }
    return List.copyOf(out);
  }

  private static Map<String, String> stringMap(Map<String, Object> c, String k) {
    Object v = c.get(k);
    if (v == null) return Map.of();
    if (!(v instanceof Map<?, ?> m)) throw invalid("args.cni." + k, v, "must be an object");
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        throw invalid("args.cni." + k + "." + e.getKey(), e.getValue(), "must be a string");
      }
      out.put((String) e.getKey(), s);
    }
    return out;
  }
}
