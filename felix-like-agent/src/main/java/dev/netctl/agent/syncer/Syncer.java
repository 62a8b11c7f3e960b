package dev.netctl.agent.syncer;

import dev.netctl.agent.calc.BlockInfo;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.model.BGPConfiguration;
import dev.netctl.datastore.model.BGPFilter;
import dev.netctl.datastore.model.BGPPeer;
import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.PoolAdmission;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.datastore.model.Validator;
import dev.netctl.datastore.model.WorkloadEndpoint;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.store.IpamStore;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lists and watches every kind the node needs and keeps a current, validated copy of each. The
 * agent reads {@link #snapshot()} when {@code onChange} told it something moved; nothing downstream
 * runs before {@link #inSync()}.
 *
 * <p>Start is retried with backoff while the datastore is unreachable; the dataplane is left as it
 * is meanwhile (the agent does not apply before the first in-sync).
 */
public final class Syncer implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("netctl.agent.syncer");

  private final KindFeed<IPPool> pools;
  // name → why; each logged once, when its refusal starts
  private volatile Map<String, String> refusedPools = Map.of();
  private final KindFeed<Node> nodes;
  private final KindFeed<BlockInfo> blocks;
  private final KindFeed<WorkloadEndpoint> workloads;
  private final KindFeed<BGPConfiguration> bgpConfigs;
  private final KindFeed<BGPPeer> bgpPeers;
  private final KindFeed<BGPFilter> bgpFilters;
  // Network policy: every policy kind, tiers and profiles (namespace labels), as resources.
  private final List<KindFeed<? extends Resource>> policy;
  private static final List<Kind<? extends Resource>> POLICY_KINDS =
      List.of(
          Kind.NETWORK_POLICY,
          Kind.GLOBAL_NETWORK_POLICY,
          Kind.KUBERNETES_NETWORK_POLICY,
          Kind.TIER,
          Kind.PROFILE);
  private final List<KindFeed<?>> all;
  private volatile boolean closed;
  // Set by watch threads, taken by the agent's loop with getAndSet: a set in between is never lost.
  private final AtomicBoolean full = new AtomicBoolean(true);
  private final Set<String> changedBlocks = ConcurrentHashMap.newKeySet();
  // Policy inputs (the policy kinds and workload endpoints) by storage kind; their changes are
  // reported apart, as keys, so a policy or remote pod change is not a full recalculation.
  private final Map<String, KindFeed<? extends Resource>> policyInputs;
  private final AtomicBoolean policyAll = new AtomicBoolean(true);
  private final Set<PolicyKey> changedPolicy = ConcurrentHashMap.newKeySet();

  public Syncer(Datastore store, Runnable onChange) {
    ResourceCodec codec = new ResourceCodec();
    KindFeed.Changes any =
        (name, deleted) -> {
          full.set(true);
          onChange.run();
        };
    KindFeed.Changes blockChange =
        (name, deleted) -> {
          // A new or changed block is the one change frequent enough to be worth applying alone;
          // a deletion (or a relist) recomputes everything.
          if (name == null || deleted) full.set(true);
          else changedBlocks.add(name);
          onChange.run();
        };
    this.pools = resource(store, codec, Kind.IP_POOL, any);
    this.nodes = resource(store, codec, Kind.NODE, any);
    // A workload endpoint is a policy input (its labels and addresses fill sets) and, on this
    // node, a route: its changes are reported as policy keys; the agent decides whether it is its
    // own (a full apply) or a remote one (policy only). A relist is everything.
    this.workloads =
        resource(
            store, codec, Kind.WORKLOAD_ENDPOINT, policyChange(Kind.WORKLOAD_ENDPOINT, onChange));
    this.bgpConfigs = resource(store, codec, Kind.BGP_CONFIGURATION, any);
    this.bgpPeers = resource(store, codec, Kind.BGP_PEER, any);
    this.bgpFilters = resource(store, codec, Kind.BGP_FILTER, any);
    this.blocks = new KindFeed<>(store, IpamStore.BLOCK_KIND, Syncer::blockInfo, blockChange);
    this.policy = new ArrayList<>();
    for (Kind<? extends Resource> k : POLICY_KINDS) {
      policy.add(resource(store, codec, k, policyChange(k, onChange)));
    }
    Map<String, KindFeed<? extends Resource>> inputs = new java.util.HashMap<>();
    for (int i = 0; i < POLICY_KINDS.size(); i++) {
      inputs.put(POLICY_KINDS.get(i).storageKind(), policy.get(i));
    }
    inputs.put(Kind.WORKLOAD_ENDPOINT.storageKind(), workloads);
    this.policyInputs = Map.copyOf(inputs);
    List<KindFeed<?>> feeds =
        new ArrayList<>(List.of(pools, nodes, blocks, workloads, bgpConfigs, bgpPeers, bgpFilters));
    feeds.addAll(policy);
    this.all = List.copyOf(feeds);
  }

  /**
   * A policy input's change: its key, or (a relist) everything of the policy inputs. Not a full
   * recalculation by itself, except for a relist of workload endpoints (local ones are routes).
   */
  private KindFeed.Changes policyChange(Kind<?> kind, Runnable onChange) {
    return (name, deleted) -> {
      if (name == null) {
        policyAll.set(true);
        if (kind == Kind.WORKLOAD_ENDPOINT) full.set(true);
      } else {
        changedPolicy.add(new PolicyKey(kind.storageKind(), name));
      }
      onChange.run();
    };
  }

  private static <R extends Resource> KindFeed<R> resource(
      Datastore store, ResourceCodec codec, Kind<R> kind, KindFeed.Changes onChange) {
    return new KindFeed<>(
        store,
        kind.storageKind(),
        e -> {
          R r = codec.fromStorage(kind, e.value(), e.revision());
          Validator.throwIfAny(Validator.validate(r));
          return r;
        },
        onChange);
  }

  /**
   * Only what routing needs of a block: its CIDR and owner. A stored block also carries its
   * allocation arrays (two lists per address), which the agent would otherwise keep for every block
   * of the cluster.
   */
  private static BlockInfo blockInfo(dev.netctl.datastore.Entry e) {
    AllocationBlock b = IpamStore.decode(e, AllocationBlock.class).value();
    return new BlockInfo(Cidr.parse(b.cidr()), b.deleted() ? null : b.affinityNode());
  }

  /**
   * Lists every kind and starts the watches, retrying with backoff until it succeeds or the syncer
   * is closed. Blocks the caller.
   */
  public void start() throws InterruptedException {
    long backoff = 200;
    List<KindFeed<?>> pending = new ArrayList<>(all);
    while (!pending.isEmpty() && !closed) {
      try {
        pending.getFirst().start();
        pending.removeFirst();
        backoff = 200;
      } catch (Exception e) {
        LOG.log(
            Level.WARNING,
            "datastore unreachable ({0}); dataplane kept as it is, retrying in {1} ms",
            e.getMessage(),
            backoff);
        Thread.sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  /** Whether every kind has been listed and is being watched. */
  public boolean inSync() {
    for (KindFeed<?> f : all) if (!f.synced()) return false;
    return true;
  }

  /** The current objects. */
  public Snapshot snapshot() {
    List<Resource> policyResources = new ArrayList<>();
    for (KindFeed<? extends Resource> f : policy) policyResources.addAll(f.values());
    return new Snapshot(
        admittedPools(),
        nodes.values(),
        blocks.values(),
        workloads.values(),
        bgpConfigs.values(),
        bgpPeers.values(),
        bgpFilters.values(),
        policyResources);
  }

  /**
   * The pools the dataplane may use: an invalid pool never got into the feed; of overlapping pools
   * (written past netctl's checks, e.g. by kubectl) the older is kept on every node alike ({@link
   * PoolAdmission}). A refusal is logged when it starts; the controller records it on the pool.
   */
  private List<IPPool> admittedPools() {
    List<PoolAdmission.Verdict> verdicts = PoolAdmission.judge(pools.values());
    Map<String, String> refused = new TreeMap<>();
    List<IPPool> accepted = new ArrayList<>();
    for (PoolAdmission.Verdict v : verdicts) {
      if (v.accepted()) {
        accepted.add(v.pool());
        continue;
      }
      String why = v.violations().getFirst().message();
      refused.put(v.pool().name(), why);
      if (!refusedPools.containsKey(v.pool().name())) {
        LOG.log(Level.WARNING, "ignoring {0}", why);
      }
    }
    refusedPools = Collections.unmodifiableMap(refused);
    return accepted;
  }

  /** The pools the last snapshot left out of the dataplane, each with why, by name. */
  public List<String> refusedPools() {
    return List.copyOf(refusedPools.values());
  }

  /**
   * Makes the next {@link #drainChanges} report every policy input for comparison, as a relist
   * does: the agent's periodic resync repairs whatever a missed change left behind.
   */
  public void requestPolicyAll() {
    policyAll.set(true);
  }

  /**
   * What changed since the last call: either "everything" (any kind other than blocks and policy
   * inputs, a deleted block, a relist), or only the named blocks, which the caller may apply alone;
   * and apart, the policy inputs that changed (or all of them after a relist).
   */
  public Changes drainChanges() {
    // Take the flags before reading the sets: a change landing in between is seen twice, never
    // lost.
    boolean all = full.getAndSet(false);
    boolean allPolicy = policyAll.getAndSet(false);
    List<BlockInfo> blocks = new ArrayList<>();
    for (var it = changedBlocks.iterator(); it.hasNext(); ) {
      String name = it.next();
      it.remove();
      BlockInfo b = this.blocks.get(name);
      if (b != null) blocks.add(b);
      else all = true;
    }
    Set<PolicyKey> policyKeys = new java.util.HashSet<>();
    for (var it = changedPolicy.iterator(); it.hasNext(); ) {
      policyKeys.add(it.next());
      it.remove();
    }
    return new Changes(all, blocks, allPolicy, allPolicy ? Set.of() : Set.copyOf(policyKeys));
  }

  /**
   * See {@link #drainChanges}.
   *
   * @param full everything but the policy inputs must be recalculated
   * @param blocks the blocks that changed alone
   * @param policyAll every policy input must be compared (a relist); {@code policy} is then empty
   * @param policy the policy inputs (policy kinds, tiers, profiles, workload endpoints) that
   *     changed
   */
  public record Changes(
      boolean full, List<BlockInfo> blocks, boolean policyAll, Set<PolicyKey> policy) {}

  /** A policy input: its storage kind and the name it is stored under. */
  public record PolicyKey(String kind, String name) {}

  /** The current object of a policy input, or null when it is gone (or was left out). */
  public Resource policyInput(PolicyKey key) {
    KindFeed<? extends Resource> f = policyInputs.get(key.kind());
    return f == null ? null : f.get(key.name());
  }

  /** Every current policy input (policy kinds, tiers, profiles, workload endpoints) by key. */
  public Map<PolicyKey, Resource> policyInputs() {
    Map<PolicyKey, Resource> out = new java.util.HashMap<>();
    for (var f : policyInputs.entrySet()) {
      for (var e : f.getValue().byName().entrySet()) {
        out.put(new PolicyKey(f.getKey(), e.getKey()), e.getValue());
      }
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
    for (KindFeed<?> f : all) f.close();
  }

  /** What the syncer holds at one moment. */
  public record Snapshot(
      List<IPPool> pools,
      List<Node> nodes,
      List<BlockInfo> blocks,
      List<WorkloadEndpoint> workloads,
      List<BGPConfiguration> bgpConfigs,
      List<BGPPeer> bgpPeers,
      List<BGPFilter> bgpFilters,
      List<Resource> policy) {}
}
