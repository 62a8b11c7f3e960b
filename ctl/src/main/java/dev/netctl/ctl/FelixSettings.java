package dev.netctl.ctl;

import dev.netctl.agent.node.AgentOptions;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.FelixConfiguration;
import dev.netctl.datastore.model.FelixConfigurationSpec;
import dev.netctl.datastore.model.GoDuration;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Validator;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The node agent's settings from FelixConfiguration, with Felix's precedence: an explicit {@code
 * netctl node run} flag (or its environment variable) over {@code node.<name>} over {@code default}
 * over the built-in default. Read when the agent starts, and again when a FelixConfiguration
 * changes: a change to what the agent runs with restarts it ({@link #changes}), as Felix restarts
 * itself.
 */
final class FelixSettings {
  private static final System.Logger LOG = System.getLogger("netctl.agent");

  private FelixSettings() {}

  /** The options flags can set, by the flag's name: what FelixConfiguration may fill in. */
  static final List<String> FLAGS =
      List.of("--vxlan-vni", "--vxlan-port", "--health-host", "--health-port", "--resync-interval");

  /**
   * {@code node.<nodeName>} over {@code default}, each left out (with a warning) when it cannot be
   * read or is not valid: the agent must start without them, as before they existed (e.g. on
   * Kubernetes before the new CRD is applied).
   */
  static FelixConfigurationSpec read(ResourceClient client, String nodeName) {
    return read(client, nodeName, false);
  }

  /**
   * As {@link #read(ResourceClient, String)}, but with {@code strict} a store that cannot answer
   * fails the read ({@link DatastoreException}) instead of leaving that object out: a running agent
   * must not take an unreachable store for deleted settings and restart without them.
   */
  static FelixConfigurationSpec read(ResourceClient client, String nodeName, boolean strict) {
    FelixConfigurationSpec merged = FelixConfigurationSpec.empty();
    for (String name :
        List.of(FelixConfiguration.DEFAULT_NAME, FelixConfiguration.NODE_PREFIX + nodeName)) {
      Optional<FelixConfiguration> f;
      try {
        f = client.find(Kind.FELIX_CONFIGURATION, name);
      } catch (DatastoreException | IllegalArgumentException e) {
        if (strict && e instanceof DatastoreException) throw e;
        LOG.log(
            Level.WARNING,
            "FelixConfiguration \"{0}\" not read ({1}); starting without it",
            name,
            e.getMessage());
        continue;
      }
      if (f.isEmpty()) continue;
      // An invalid field (stored past netctl's checks: the CRD's schema cannot say every rule) is
      // left out, each named; the object's valid fields still apply.
      var problems = Validator.validate(f.get());
      FelixConfigurationSpec spec = f.get().spec();
      if (!problems.isEmpty()) {
        java.util.Set<String> bad = new java.util.HashSet<>();
        for (var p : problems) {
          bad.add(p.field());
          LOG.log(Level.WARNING, "ignoring FelixConfiguration \"{0}\" {1}", name, p.toString());
        }
        if (bad.contains("metadata.name")) continue;
        spec = spec.without(bad);
      }
      merged = merged.overriddenBy(spec);
    }
    return merged;
  }

  /**
   * {@code flags} with each setting {@code config} has taken from it, except those given explicitly
   * ({@code explicit}: flag names).
   */
  static AgentOptions apply(
      AgentOptions flags, Set<String> explicit, FelixConfigurationSpec config) {
    int vni = pick(explicit, "--vxlan-vni", flags.vxlanVni(), config.vxlanVNI());
    int port = pick(explicit, "--vxlan-port", flags.vxlanPort(), config.vxlanPort());
    String healthHost = pick(explicit, "--health-host", flags.healthHost(), config.healthHost());
    int healthPort = pick(explicit, "--health-port", flags.healthPort(), config.healthPort());
    if (!explicit.contains("--health-port") && Boolean.FALSE.equals(config.healthEnabled())) {
      healthPort = 0;
    }
    var resync =
        explicit.contains("--resync-interval") || config.routeRefreshInterval() == null
            ? flags.resyncInterval()
            : GoDuration.parse(config.routeRefreshInterval());
    var mtus =
        new AgentOptions.TunnelMtus(
            orZero(config.vxlanMTU()), orZero(config.vxlanMTUV6()), orZero(config.ipipMTU()));
    return new AgentOptions(
        flags.nodeName(),
        flags.ip(),
        flags.ip6(),
        flags.autodetection(),
        vni,
        port,
        flags.mtu(),
        healthHost,
        healthPort,
        flags.secretsDir(),
        resync,
        flags.routerId(),
        mtus);
  }

  /**
   * What differs between the options an agent runs with and those its FelixConfiguration now gives,
   * each as {@code field old -> new} in FelixConfiguration's terms; empty when nothing it took from
   * there changed.
   */
  static List<String> changes(AgentOptions running, AgentOptions wanted) {
    List<String> out = new ArrayList<>();
    change(out, "vxlanVNI", running.vxlanVni(), wanted.vxlanVni());
    change(out, "vxlanPort", running.vxlanPort(), wanted.vxlanPort());
    change(out, "vxlanMTU", running.tunnelMtus().vxlan(), wanted.tunnelMtus().vxlan());
    change(out, "vxlanMTUV6", running.tunnelMtus().vxlanV6(), wanted.tunnelMtus().vxlanV6());
    change(out, "ipipMTU", running.tunnelMtus().ipip(), wanted.tunnelMtus().ipip());
    change(out, "healthHost", running.healthHost(), wanted.healthHost());
    change(out, "healthPort", running.healthPort(), wanted.healthPort());
    // As the duration's exact text: two intervals differ exactly when their texts do.
    change(
        out,
        "routeRefreshInterval",
        seconds(running.resyncInterval()),
        seconds(wanted.resyncInterval()));
    return out;
  }

  private static String seconds(java.time.Duration d) {
    return d.toNanos() % 1_000_000_000 == 0
        ? d.toSeconds() + "s"
        : d.toNanos() % 1_000_000 == 0 ? d.toMillis() + "ms" : d.toNanos() + "ns";
  }

  private static void change(List<String> out, String field, Object from, Object to) {
    if (!java.util.Objects.equals(from, to)) out.add(field + " " + from + " -> " + to);
  }

  /** What {@code config} set that a flag did not override, for the start-up log line. */
  static List<String> taken(Set<String> explicit, FelixConfigurationSpec config) {
    List<String> out = new ArrayList<>();
    note(out, explicit, "--vxlan-vni", "vxlanVNI", config.vxlanVNI());
    note(out, explicit, "--vxlan-port", "vxlanPort", config.vxlanPort());
    note(out, explicit, null, "vxlanMTU", config.vxlanMTU());
    note(out, explicit, null, "vxlanMTUV6", config.vxlanMTUV6());
    note(out, explicit, null, "ipipMTU", config.ipipMTU());
    note(out, explicit, "--health-port", "healthEnabled", config.healthEnabled());
    note(out, explicit, "--health-host", "healthHost", config.healthHost());
    note(out, explicit, "--health-port", "healthPort", config.healthPort());
    note(out, explicit, "--resync-interval", "routeRefreshInterval", config.routeRefreshInterval());
    return out;
  }

  private static void note(
      List<String> out, Set<String> explicit, String flag, String field, Object value) {
    if (value == null) return;
    out.add(
        field
            + " "
            + value
            + (flag != null && explicit.contains(flag) ? " (overridden by " + flag + ")" : ""));
  }

  private static <T> T pick(Set<String> explicit, String flag, T fromFlag, T fromConfig) {
    return explicit.contains(flag) || fromConfig == null ? fromFlag : fromConfig;
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }
}
