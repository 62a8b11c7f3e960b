package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Calico {@code FelixConfigurationSpec} fields whose meaning netctl's node agent has (Calico's
 * names, types and units); every field is optional, absent meaning "not set here". Calico's other
 * fields are refused by name when read ({@link #NOT_SUPPORTED}), never ignored: a setting that
 * silently did nothing would look applied.
 *
 * @param vxlanVNI the VXLAN network identifier ({@code netctl node run --vxlan-vni}; Calico 4096)
 * @param vxlanPort the VXLAN UDP port ({@code --vxlan-port}; 4789)
 * @param vxlanMTU the MTU of the IPv4 VXLAN device (default: the parent interface's minus 50)
 * @param vxlanMTUV6 the MTU of the IPv6 VXLAN device (default: the parent's minus 70)
 * @param ipipMTU the MTU of the IPIP device (default: the parent's minus 20)
 * @param healthEnabled whether the health/metrics/status endpoint runs (netctl: on)
 * @param healthHost where it listens ({@code --health-host}; 127.0.0.1)
 * @param healthPort its port ({@code --health-port}; 9099)
 * @param routeRefreshInterval a Go duration: how often the kernel is re-read in full ({@code
 *     --resync-interval}; 90s)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "vxlanVNI",
  "vxlanPort",
  "vxlanMTU",
  "vxlanMTUV6",
  "ipipMTU",
  "healthEnabled",
  "healthHost",
  "healthPort",
  "routeRefreshInterval"
})
public record FelixConfigurationSpec(
    Integer vxlanVNI,
    Integer vxlanPort,
    Integer vxlanMTU,
    Integer vxlanMTUV6,
    Integer ipipMTU,
    Boolean healthEnabled,
    String healthHost,
    Integer healthPort,
    String routeRefreshInterval) {

  /** Nothing set. */
  public static FelixConfigurationSpec empty() {
    return new FelixConfigurationSpec(null, null, null, null, null, null, null, null, null);
  }

  /**
   * This spec with the fields named (as a violation names them: {@code spec.vxlanMTU}) unset: what
   * the agent keeps of an object whose other fields are valid.
   */
  public FelixConfigurationSpec without(java.util.Set<String> fields) {
    return new FelixConfigurationSpec(
        fields.contains("spec.vxlanVNI") ? null : vxlanVNI,
        fields.contains("spec.vxlanPort") ? null : vxlanPort,
        fields.contains("spec.vxlanMTU") ? null : vxlanMTU,
        fields.contains("spec.vxlanMTUV6") ? null : vxlanMTUV6,
        fields.contains("spec.ipipMTU") ? null : ipipMTU,
        fields.contains("spec.healthEnabled") ? null : healthEnabled,
        fields.contains("spec.healthHost") ? null : healthHost,
        fields.contains("spec.healthPort") ? null : healthPort,
        fields.contains("spec.routeRefreshInterval") ? null : routeRefreshInterval);
  }

  /** These values, each replaced by {@code over}'s where that one is set (node over default). */
  public FelixConfigurationSpec overriddenBy(FelixConfigurationSpec over) {
    if (over == null) return this;
    return new FelixConfigurationSpec(
        or(over.vxlanVNI, vxlanVNI),
        or(over.vxlanPort, vxlanPort),
        or(over.vxlanMTU, vxlanMTU),
        or(over.vxlanMTUV6, vxlanMTUV6),
        or(over.ipipMTU, ipipMTU),
        or(over.healthEnabled, healthEnabled),
        or(over.healthHost, healthHost),
        or(over.healthPort, healthPort),
        or(over.routeRefreshInterval, routeRefreshInterval));
  }

  private static <T> T or(T first, T second) {
    return first != null ? first : second;
  }

  /**
   * Calico's other FelixConfiguration fields (libcalico-go's {@code FelixConfigurationSpec}):
   * netctl has no such setting, or a fixed behaviour (nftables only, prefix {@code cali}, route
   * protocol 86...), so a manifest that sets one is refused naming it.
   */
  public static final Set<String> NOT_SUPPORTED =
      new TreeSet<>(
          Set.of(
              "allowIPIPPacketsFromWorkloads",
              "allowVXLANPacketsFromWorkloads",
              "awsSrcDstCheck",
              "bpfCTLBLogFilter",
              "bpfConnectTimeLoadBalancing",
              "bpfConnectTimeLoadBalancingEnabled",
              "bpfDSROptoutCIDRs",
              "bpfDataIfacePattern",
              "bpfDisableGROForIfaces",
              "bpfDisableUnprivileged",
              "bpfEnabled",
              "bpfEnforceRPF",
              "bpfExcludeCIDRsFromNAT",
              "bpfExtToServiceConnmark",
              "bpfExternalServiceMode",
              "bpfForceTrackPacketsFromIfaces",
              "bpfHostConntrackBypass",
              "bpfHostNetworkedNATWithoutCTLB",
              "bpfKubeProxyEndpointSlicesEnabled",
              "bpfKubeProxyIptablesCleanupEnabled",
              "bpfKubeProxyMinSyncPeriod",
              "bpfL3IfacePattern",
              "bpfLogFilters",
              "bpfLogLevel",
              "bpfMapSizeConntrack",
              "bpfMapSizeIPSets",
              "bpfMapSizeIfState",
              "bpfMapSizeNATAffinity",
              "bpfMapSizeNATBackend",
              "bpfMapSizeNATFrontend",
              "bpfMapSizeRoute",
              "bpfPSNATPorts",
              "bpfPolicyDebugEnabled",
              "bpfProfiling",
              "bpfRedirectToPeer",
              "chainInsertMode",
              "dataplaneDriver",
              "dataplaneWatchdogTimeout",
              "debugDisableLogDropping",
              "debugHost",
              "debugMemoryProfilePath",
              "debugPort",
              "debugSimulateCalcGraphHangAfter",
              "debugSimulateDataplaneApplyDelay",
              "debugSimulateDataplaneHangAfter",
              "defaultEndpointToHostAction",
              "deviceRouteProtocol",
              "deviceRouteSourceAddress",
              "deviceRouteSourceAddressIPv6",
              "disableConntrackInvalidCheck",
              "endpointReportingDelay",
              "endpointReportingEnabled",
              "endpointStatusPathPrefix",
              "externalNodesList",
              "failsafeInboundHostPorts",
              "failsafeOutboundHostPorts",
              "featureDetectOverride",
              "featureGates",
              "floatingIPs",
              "genericXDPEnabled",
              "goGCThreshold",
              "goMaxProcs",
              "goMemoryLimitMB",
              "healthTimeoutOverrides",
              "interfaceExclude",
              "interfacePrefix",
              "interfaceRefreshInterval",
              "ipForwarding",
              "ipipEnabled",
              "ipsetsRefreshInterval",
              "iptablesBackend",
              "iptablesFilterAllowAction",
              "iptablesFilterDenyAction",
              "iptablesLockFilePath",
              "iptablesLockProbeInterval",
              "iptablesLockTimeout",
              "iptablesMangleAllowAction",
              "iptablesMarkMask",
              "iptablesNATOutgoingInterfaceFilter",
              "iptablesPostWriteCheckInterval",
              "iptablesRefreshInterval",
              "ipv6Support",
              "kubeNodePortRanges",
              "logDebugFilenameRegex",
              "logFilePath",
              "logPrefix",
              "logSeverityFile",
              "logSeverityScreen",
              "logSeveritySys",
              "maxIpsetSize",
              "metadataAddr",
              "metadataPort",
              "mtuIfacePattern",
              "natOutgoingAddress",
              "natPortRange",
              "netlinkTimeout",
              "nftablesFilterAllowAction",
              "nftablesFilterDenyAction",
              "nftablesMangleAllowAction",
              "nftablesMarkMask",
              "nftablesMode",
              "nftablesRefreshInterval",
              "openstackRegion",
              "policySyncPathPrefix",
              "prometheusGoMetricsEnabled",
              "prometheusMetricsEnabled",
              "prometheusMetricsHost",
              "prometheusMetricsPort",
              "prometheusProcessMetricsEnabled",
              "prometheusWireGuardMetricsEnabled",
              "removeExternalRoutes",
              "reportingInterval",
              "reportingTTL",
              "routeSource",
              "routeSyncDisabled",
              "routeTableRange",
              "routeTableRanges",
              "serviceLoopPrevention",
              "sidecarAccelerationEnabled",
              "usageReportingEnabled",
              "usageReportingInitialDelay",
              "usageReportingInterval",
              "useInternalDataplaneDriver",
              "vxlanEnabled",
              "windowsManageFirewallRules",
              "wireguardEnabled",
              "wireguardEnabledV6",
              "wireguardHostEncryptionEnabled",
              "wireguardInterfaceName",
              "wireguardInterfaceNameV6",
              "wireguardKeepAlive",
              "wireguardListeningPort",
              "wireguardListeningPortV6",
              "wireguardMTU",
              "wireguardMTUV6",
              "wireguardRoutingRulePriority",
              "wireguardThreadingEnabled",
              "workloadSourceSpoofing",
              "xdpEnabled",
              "xdpRefreshInterval"));
}
