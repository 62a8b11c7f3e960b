package dev.netctl.ipam.allocator;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.AllowedUse;
import dev.netctl.datastore.model.AssignmentMode;
import dev.netctl.datastore.model.IPAMConfigSpec;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.selector.Selector;
import dev.netctl.ipam.block.Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The allocator's view of the cluster read from the datastore's resources: IPPools, Nodes and the
 * default IPAMConfig. Every call reads the current objects, so pool and config changes apply to the
 * next batch.
 */
public final class ResourceEnvironment implements IpamEnvironment {
  private final ResourceClient client;

  public ResourceEnvironment(ResourceClient client) {
    this.client = client;
  }

  @Override
  public List<PoolSpec> pools() {
    List<PoolSpec> out = new ArrayList<>();
    for (IPPool pool : client.list(Kind.IP_POOL)) out.add(toSpec(pool));
    return out;
  }

  /** The allocator's view of one IPPool. */
  public static PoolSpec toSpec(IPPool pool) {
    IPPoolSpec s = pool.spec();
    Selector selector = Selector.parse(s.nodeSelector());
    return new PoolSpec(
        pool.metadata().name(),
        Cidr.parse(s.cidr()),
        s.blockSize(),
        s.disabled(),
        selector::matches,
        s.allowedUses().stream().map(AllowedUse::wire).collect(Collectors.toSet()),
        s.assignmentMode() == AssignmentMode.MANUAL);
  }

  @Override
  public Optional<Map<String, String>> nodeLabels(String node) {
    return client.find(Kind.NODE, node).map(n -> n.metadata().labels());
  }

  @Override
  public IpamSettings settings() {
    IPAMConfigSpec c = client.effectiveIpamConfig();
    return new IpamSettings(c.strictAffinity(), c.autoAllocateBlocks(), c.maxBlocksPerHost());
  }
}
