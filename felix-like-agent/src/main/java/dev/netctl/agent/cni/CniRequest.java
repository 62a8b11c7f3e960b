package dev.netctl.agent.cni;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One plugin invocation as the agent receives it over the socket.
 *
 * @param command ADD, DEL, CHECK, STATUS or GC
 * @param plugin {@code netctl} (main) or {@code netctl-ipam} (IPAM only)
 * @param containerId CNI_CONTAINERID
 * @param netns CNI_NETNS, the pod's network namespace path
 * @param ifName CNI_IFNAME
 * @param args CNI_ARGS split into key/value pairs
 * @param config the network config
 */
public record CniRequest(
    String command,
    String plugin,
    String containerId,
    String netns,
    String ifName,
    Map<String, String> args,
    NetConf config) {

  /** Reads the plugin's request object. */
  @SuppressWarnings("unchecked")
  public static CniRequest of(Map<String, Object> m) {
    if (!(m.get("config") instanceof Map<?, ?> config)) {
      throw new CniError(CniError.DECODE_FAILURE, "request without a network config");
    }
    return new CniRequest(
        text(m, "command"),
        m.get("plugin") instanceof String p ? p : CniPlugin.MAIN_TYPE,
        text(m, "containerID"),
        text(m, "netns"),
        text(m, "ifName"),
        parseArgs(text(m, "args")),
        NetConf.parse((Map<String, Object>) config));
  }

  /** CNI_ARGS: {@code K=V;K2=V2} (SPEC.md); a pair without '=' is refused with code 4. */
  static Map<String, String> parseArgs(String cniArgs) {
    Map<String, String> out = new LinkedHashMap<>();
    if (cniArgs == null || cniArgs.isBlank()) return out;
    for (String pair : cniArgs.split(";")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new CniError(
            CniError.INVALID_ENVIRONMENT,
            "invalid CNI_ARGS",
            "\"" + pair + "\" is not KEY=VALUE (CNI_ARGS = \"" + cniArgs + "\")");
      }
      out.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return out;
  }

  private static String text(Map<String, Object> m, String k) {
    return m.get(k) instanceof String s ? s : null;
  }

  /** The Kubernetes namespace from CNI_ARGS, or null outside Kubernetes. */
  public String podNamespace() {
    return args.get("K8S_POD_NAMESPACE");
  }

  /** The Kubernetes pod name from CNI_ARGS, or null outside Kubernetes. */
  public String podName() {
    return args.get("K8S_POD_NAME");
  }

  /** The IPAM handle of this attachment: see {@link #handle(String, String, String)}. */
  public String handle() {
    return handle(config.name(), containerId, ifName);
  }

  /**
   * The IPAM handle of one attachment. {@code eth0}'s is Calico's {@code <network>.<containerID>},
   * which the controller's IPAM GC knows. The spec keys an attachment by network, container and
   * interface, so another interface of the container on the same network (Multus attaching one
   * network twice) gets its own, {@code <network>:<ifname>:<containerID>}: ':' is in none of the
   * three names (SPEC.md), so no two attachments share one, and it does not start with {@code
   * <network>.}, so the controller, which reads a container ID after that prefix, leaves it to DEL
   * and CNI GC.
   */
  static String handle(String network, String containerId, String ifName) {
    return ifName == null || ifName.equals(PodPlumbing.PRIMARY_IFNAME)
        ? network + "." + containerId
        : network + ":" + ifName + ":" + containerId;
  }
}
