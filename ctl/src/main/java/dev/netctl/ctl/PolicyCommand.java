package dev.netctl.ctl;

import dev.netctl.agent.policy.PolicySnapshot;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code netctl policy}: offline answers about network policy — {@code explain} one connection,
 * {@code matrix} every pod pair. Only wires its subcommands.
 */
@Command(
    name = "policy",
    description =
        "Explain and tabulate what network policy allows (from manifests or the datastore).",
    subcommands = {PolicyExplainCommand.class, PolicyMatrixCommand.class})
final class PolicyCommand extends CommandGroup {

  /** What {@code -o} of both subcommands takes. */
  enum Format {
    table,
    json
  }

  /** The kinds read from the datastore when no -f is given. */
  private static final List<Kind<?>> KINDS =
      List.of(
          Kind.TIER,
          Kind.GLOBAL_NETWORK_POLICY,
          Kind.NETWORK_POLICY,
          Kind.KUBERNETES_NETWORK_POLICY,
          Kind.PROFILE,
          Kind.WORKLOAD_ENDPOINT);

  /**
   * The snapshot the subcommands evaluate: from {@code -f} manifests (no datastore touched), or
   * from the datastore.
   */
  PolicySnapshot snapshot(FileOptions files, ResourceCodec codec, List<String> notes) {
    if (files.given()) {
      PolicyManifests m = PolicyManifests.read(files.sources(root.stdin()), codec);
      for (String p : m.synthetic())
        notes.add("pod " + p + " has no status.podIP: using a synthetic address");
      return m.snapshot();
    }
    try (Datastore store = root.datastore().open(StoreUse.EXISTING)) {
      ResourceClient client =
          new ResourceClient(store, codec, Clock.systemUTC(), ResourceVerb.TIMEOUT);
      List<Resource> all = new ArrayList<>();
      for (Kind<?> k : KINDS) all.addAll(client.list(k));
      return PolicySnapshot.of(all, List.of(), Map.of());
    }
  }
}
