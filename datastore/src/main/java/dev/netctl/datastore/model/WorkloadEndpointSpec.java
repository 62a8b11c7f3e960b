package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What a workload endpoint is (Calico {@code WorkloadEndpointSpec}, the fields netctl uses).
 *
 * @param orchestrator {@code k8s}, or whatever created the workload
 * @param workload the workload's id for non-Kubernetes orchestrators
 * @param node the node the endpoint lives on
 * @param containerID the sandbox container id the CNI plugin was called for
 * @param pod the Kubernetes pod name
 * @param endpoint the interface inside the pod, usually {@code eth0}
 * @param serviceAccountName the pod's service account
 * @param ipNetworks the pod's addresses as /32 and /128 CIDRs
 * @param ipv4Gateway the gateway the pod routes through ({@code 169.254.1.1} in Calico's plumbing)
 * @param ipv6Gateway the IPv6 gateway, if any
 * @param profiles the profiles applied ({@code kns.<namespace>}, {@code ksa.<ns>.<sa>})
 * @param interfaceName the host side of the veth, e.g. {@code cali1234567890a}
 * @param mac the pod side's MAC address
 * @param ports the pod's named container ports, for named-port policy rules
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({
  "orchestrator",
  "workload",
  "node",
  "containerID",
  "pod",
  "endpoint",
  "serviceAccountName",
  "ipNetworks",
  "ipv4Gateway",
  "ipv6Gateway",
  "profiles",
  "interfaceName",
  "mac",
  "ports"
})
public record WorkloadEndpointSpec(
    String orchestrator,
    String workload,
    String node,
    String containerID,
    String pod,
    String endpoint,
    String serviceAccountName,
    List<String> ipNetworks,
    String ipv4Gateway,
    String ipv6Gateway,
    List<String> profiles,
    String interfaceName,
    String mac,
    List<EndpointPort> ports) {

  public WorkloadEndpointSpec {
    ipNetworks = ipNetworks == null ? List.of() : ipNetworks.stream().map(Cidr::canonical).toList();
    ipv4Gateway = Cidr.canonical(ipv4Gateway);
    ipv6Gateway = Cidr.canonical(ipv6Gateway);
    profiles = profiles == null ? List.of() : List.copyOf(profiles);
    ports = ports == null ? List.of() : List.copyOf(ports);
  }

  /**
   * A named port of a workload (Calico {@code WorkloadEndpointPort}).
   *
   * @param name the port's name, what a named-port rule refers to
   * @param protocol TCP, UDP or SCTP
   * @param port the port number, 1-65535
   * @param hostPort a host port mapped to it, or 0
   */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  @JsonPropertyOrder({"name", "protocol", "port", "hostPort"})
  public record EndpointPort(String name, String protocol, int port, int hostPort) {}
}
