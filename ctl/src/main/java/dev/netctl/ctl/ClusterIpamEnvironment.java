package dev.netctl.ctl;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.AllowedUse;
import dev.netctl.datastore.model.IPAMConfigSpec;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.selector.Selector;
import dev.netctl.ipam.allocator.IpamEnvironment;
import dev.netctl.ipam.allocator.IpamSettings;
import dev.netctl.ipam.allocator.PoolSpec;
import dev.netctl.ipam.block.Cidr;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The allocator's view of the cluster read from the stored IPPool, Node and IPAMConfig resources.
 * Each call reads the datastore again, so a command always works on what is stored now.
 */
final class ClusterIpamEnvironment implements IpamEnvironment {
  private final ResourceClient client;

  ClusterIpamEnvironment(ResourceClient client) {
    this.client = client;
  }

  @Override
  public List<PoolSpec> pools() {
    return client.list(Kind.IP_POOL).stream().map(ClusterIpamEnvironment::toPoolSpec).toList();
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

  /** The names of the nodes that exist now: blocks of any other owner belong to a dead node. */
  Set<String> liveNodes() {
    Set<String> names = new LinkedHashSet<>();
    for (Node n : client.list(Kind.NODE)) names.add(n.metadata().name());
    return names;
  }

  static PoolSpec toPoolSpec(IPPool pool) {
    IPPoolSpec s = pool.spec();
    // Stored pools passed validation, so the selector parses; parse once per listing.
    Selector selector = Selector.parse(s.nodeSelector());
    Set<String> uses = new LinkedHashSet<>();
    for (AllowedUse u : s.allowedUses()) uses.add(u.wire());
    return new PoolSpec(
        pool.metadata().name(),
        Cidr.parse(s.cidr()),
        s.blockSize(),
        s.disabled(),
        selector::matches,
        uses);
  }
}
