package dev.netctl.ipam.allocator;

import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.block.Reservations;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Pools, nodes, settings and reservations held as plain values that a test changes as it goes. */
public final class StaticEnvironment implements IpamEnvironment {
  public final List<PoolSpec> pools = new CopyOnWriteArrayList<>();
  public final Map<String, Map<String, String>> nodes = new ConcurrentHashMap<>();
  public volatile IpamSettings settings = IpamSettings.DEFAULT;
  public volatile Reservations reservations = Reservations.NONE;

  /** Reserves {@code cidrs} (replacing earlier reservations); single addresses as /32 or /128. */
  public StaticEnvironment reserve(String... cidrs) {
    reservations =
        Reservations.of(
            java.util.Arrays.stream(cidrs)
                .map(c -> c.contains("/") ? Cidr.parse(c) : Cidr.of(Cidr.parseAddress(c)))
                .toList());
    return this;
  }

  public StaticEnvironment pool(PoolSpec p) {
    pools.removeIf(x -> x.name().equals(p.name()));
    pools.add(p);
    return this;
  }

  public StaticEnvironment node(String name, Map<String, String> labels) {
    nodes.put(name, Map.copyOf(labels));
    return this;
  }

  public StaticEnvironment nodes(String... names) {
    for (String n : names) node(n, Map.of());
    return this;
  }

  @Override
  public List<PoolSpec> pools() {
    return List.copyOf(pools);
  }

  @Override
  public Optional<Map<String, String>> nodeLabels(String node) {
    return Optional.ofNullable(nodes.get(node));
  }

  @Override
  public IpamSettings settings() {
    return settings;
  }

  @Override
  public Reservations reservations() {
    return reservations;
  }
}
