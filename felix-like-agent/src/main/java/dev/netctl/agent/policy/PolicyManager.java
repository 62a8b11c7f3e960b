package dev.netctl.agent.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.datastore.model.Profile;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.Tier;
import dev.netctl.datastore.model.WorkloadEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The policy dataplane manager: cheap {@code on*} updates (no kernel I/O), and {@link #apply()}
 * that writes what changed to nftables as one transaction ({@link NftTransaction}: over netlink by
 * {@link NftCommand.Binary}, {@code nft -f} as its fallback).
 *
 * <p>Owns one table, {@code inet netctl}: a forward base chain (conntrack established/related
 * accept, invalid drop, then the source's egress and the destination's ingress via interface
 * verdict maps; an interface with our prefix that is not in the map is dropped), an input base
 * chain putting a pod's traffic to its own node through the same egress dispatch, endpoint chains
 * per direction shared by every local endpoint with the same policies (named after a hash of their
 * rules), one chain per policy and direction it has, and named sets per selector and named port.
 * Incremental: a changed policy rewrites only its chains (flush + add); a changed policy placement
 * (selector, order, tier, types) rewrites the endpoint chains whose policy list changed; pod churn
 * adds and deletes set and map elements. The first apply is a mark-and-sweep of what the table
 * already holds (listed with {@code nft -j list table inet netctl}, never the whole ruleset): owned
 * objects that are still wanted are flushed and rewritten, the rest deleted.
 *
 * <p>Not thread-safe: the agent's dataplane thread calls everything.
 */
public final class PolicyManager {

  private static final String FORWARD = "forward";
  private static final String FROM_WL = "from-wl";
  private static final String TO_WL = "to-wl";
  private static final String INPUT = "input";
  private static final String WL_TO_HOST = "wl-to-host";

  /**
   * ICMPv6 a pod sends its node before any policy is checked: multicast listener query, report and
   * done, router solicitation and advertisement, neighbour solicitation and advertisement (130-136,
   * what Calico lets through). Without neighbour discovery with its node a pod has no IPv6 at all,
   * whatever its egress policy allows.
   */
  private static final List<Integer> ICMPV6_TO_HOST = List.of(130, 131, 132, 133, 134, 135, 136);

  private static final List<String> BASE_CHAINS =
      List.of(FORWARD, INPUT, WL_TO_HOST, FROM_WL, TO_WL);
  private static final String EGRESS_MAP = "wl-egress";
  private static final String INGRESS_MAP = "wl-ingress";

  private final String node;
  private final String prefix;
  private final NftCommand nft;

  // inputs
  private final Map<PolicyId, Resource> policies = new HashMap<>();
  private final Set<PolicyId> dirtyPolicies = new HashSet<>();
  private final Map<String, Tier.Spec> tierSpecs = new HashMap<>();
  private final Map<String, Map<String, String>> namespaces = new HashMap<>();
  private final Map<String, Map<String, String>> serviceAccounts = new HashMap<>();
  private final Map<String, Endpoint> endpoints = new HashMap<>();
  // endpoint keys by label, for filling new sets; null when labels changed since it was built
  private Map<String, List<String>> labelIndex;
  private final Map<String, Endpoint> dirtyEndpoints = new LinkedHashMap<>(); // key -> previous
  private boolean placementDirty = true;
  private boolean labelsDirty;

  // computed, desired
  private final Map<PolicyId, CompiledPolicy> compiled = new HashMap<>();
  private final Map<PolicyId, Set<NftSet>> policySets = new HashMap<>();
  private final Map<String, Integer> setRefs = new HashMap<>();
  private final Map<String, NftSet> sets = new HashMap<>();
  private final Map<String, Map<String, String>> labels = new HashMap<>(); // endpoint key -> labels
  private final Map<String, PolicyStatus> failures = new TreeMap<>();
  private PolicyModel model = new PolicyModel(List.of(), Map.of());
  // families some endpoint has an address of; only grows (a family's rules appear once, stay)
  private final Set<IpFamily> families = EnumSet.noneOf(IpFamily.class);

  private final Map<String, List<NftRule>> chains = new HashMap<>();
  private final Map<String, Set<String>> elements = new HashMap<>();
  private final Map<String, String> egressMap = new TreeMap<>();
  private final Map<String, String> ingressMap = new TreeMap<>();
  private final Set<String> dirtyChains = new LinkedHashSet<>();
  private final Set<String> dirtySets = new LinkedHashSet<>();

  // programmed (what the kernel holds); a null value: present, content unknown
  private final Map<String, List<NftRule>> kChains = new HashMap<>();
  private final Map<String, Set<String>> kSets = new HashMap<>();
  private final Map<String, String> kEgress = new HashMap<>();
  private final Map<String, String> kIngress = new HashMap<>();
  private boolean first = true;
  // the rules of the base chains (forward, from-wl, to-wl) as the last full write made them
  private final Map<String, Integer> baseRules = new HashMap<>();

  /**
   * @param node this node's name: only its endpoints get chains (null: every endpoint with an
   *     interface, for tests)
   * @param interfacePrefix the host-side veth prefix, {@code cali}
   * @param nft how nftables is run
   */
  public PolicyManager(String node, String interfacePrefix, NftCommand nft) {
    this.node = node;
    this.prefix = Objects.requireNonNull(interfacePrefix);
    this.nft = Objects.requireNonNull(nft);
  }

  // ------------------------------------------------------------------ updates (cheap)

  /**
   * A resource was created or changed: a policy of any kind, a Tier, a {@code kns.<ns>} Profile or
   * a WorkloadEndpoint. Other kinds are ignored.
   */
  public void onUpdate(Resource r) {
    switch (r) {
      case WorkloadEndpoint w -> onEndpointUpdate(w.storageName(), Endpoint.of(w));
      case Tier tier -> {
        tierSpecs.put(tier.name(), tier.spec());
        placementDirty = true;
      }
      case Profile p -> {
        if (p.name().startsWith(Profile.NAMESPACE_PREFIX)) {
          onNamespace(
              p.name().substring(Profile.NAMESPACE_PREFIX.length()), p.spec().labelsToApply());
        } else if (Labels.serviceAccountOfProfile(p.name()) != null) {
          onServiceAccount(Labels.serviceAccountOfProfile(p.name()), p.spec().labelsToApply());
        }
      }
      default -> {
        if (PolicyCompiler.isPolicy(r)) {
          PolicyId id = PolicyCompiler.id(r);
          policies.put(id, r);
          dirtyPolicies.add(id);
        }
      }
    }
  }

  /** A resource was deleted ({@code r} as last seen). */
  public void onDelete(Resource r) {
    switch (r) {
      case WorkloadEndpoint w -> onEndpointRemove(w.storageName());
      case Tier tier -> {
        tierSpecs.remove(tier.name());
        placementDirty = true;
      }
      case Profile p -> {
        if (p.name().startsWith(Profile.NAMESPACE_PREFIX)) {
          onNamespace(p.name().substring(Profile.NAMESPACE_PREFIX.length()), null);
        } else if (Labels.serviceAccountOfProfile(p.name()) != null) {
          onServiceAccount(Labels.serviceAccountOfProfile(p.name()), null);
        }
      }
      default -> {
        if (PolicyCompiler.isPolicy(r)) {
          PolicyId id = PolicyCompiler.id(r);
          policies.remove(id);
          dirtyPolicies.add(id);
        }
      }
    }
  }

  /** A namespace's labels (null: the namespace is gone). */
  public void onNamespace(String name, Map<String, String> nsLabels) {
    if (nsLabels == null) namespaces.remove(name);
    else namespaces.put(name, Map.copyOf(nsLabels));
    labelsDirty = true;
  }

  /**
   * A service account's labels (null: it is gone), keyed by {@link Labels#serviceAccountKey}: what
   * a {@code serviceAccounts.selector} or a policy's {@code serviceAccountSelector} matches.
   */
  public void onServiceAccount(String key, Map<String, String> saLabels) {
    if (saLabels == null) serviceAccounts.remove(key);
    else serviceAccounts.put(key, Map.copyOf(saLabels));
    labelsDirty = true;
  }

  /** An endpoint appeared or changed. */
  public void onEndpointUpdate(String key, Endpoint e) {
    Endpoint previous = endpoints.put(key, e);
    dirtyEndpoints.putIfAbsent(key, previous);
  }

  /** An endpoint is gone. */
  public void onEndpointRemove(String key) {
    Endpoint previous = endpoints.remove(key);
    if (previous != null) dirtyEndpoints.putIfAbsent(key, previous);
  }

  /** Endpoint keys by label key and value (NUL between); built when a new set needs it. */
  private Map<String, List<String>> labelIndex() {
    if (labelIndex == null) {
      labelIndex = new HashMap<>();
      for (var e : labels.entrySet()) {
        for (var l : e.getValue().entrySet()) {
          labelIndex
              .computeIfAbsent(l.getKey() + "\0" + l.getValue(), k -> new ArrayList<>())
              .add(e.getKey());
        }
      }
    }
    return labelIndex;
  }

  // ------------------------------------------------------------------ queries

  /** The current model (after the last apply). */
  public PolicyModel model() {
    return model;
  }

  /** An evaluator over the same model and endpoints the dataplane was programmed with. */
  public Evaluator evaluator() {
    return new Evaluator(model, List.copyOf(endpoints.values()), namespaces, serviceAccounts);
  }

  /** The policies that fail closed, and why. */
  public List<PolicyStatus> failures() {
    return List.copyOf(failures.values());
  }

  // ------------------------------------------------------------------ apply

  /**
   * Writes every change since the last apply as one nft transaction.
   *
   * @return the transaction as an nft script (empty when nothing changed)
   * @throws NftCommand.NftException when nft refused the transaction even after the policies it
   *     could not render were made to fail closed; nothing of it was applied, and the next apply
   *     retries
   * @throws NftCommand.OutcomeUnknownException when the transaction may or may not have applied:
   *     the next apply relearns the table from the kernel and rewrites it
   */
  public String apply() {
    if (first) {
      // listing the table (an nft process) overlaps the computation, which does not read it
      java.util.concurrent.FutureTask<String> listing =
          new java.util.concurrent.FutureTask<>(() -> nft.listTableJson(Names.FAMILY, Names.TABLE));
      Thread.ofVirtual().start(listing);
      computeDesired();
      sweepPlan(join(listing));
    } else {
      computeDesired();
    }
    List<NftCommand.ElementDelta> deltas = first ? null : elementsOnly();
    if (deltas != null && !deltas.isEmpty()) {
      // pod churn: only set elements change, the fast path (netlink in the agent)
      try {
        nft.updateElements(Names.FAMILY, Names.TABLE, deltas);
        commit();
        return NftCommand.elementScript(Names.FAMILY, Names.TABLE, deltas);
      } catch (NftCommand.NftException e) {
        // the kernel's sets are not what we think (someone changed our table?): rewrite it all
        resync();
      }
    }
    NftTransaction tx = transaction();
    if (tx.isEmpty()) return "";
    try {
      try {
        nft.apply(tx);
      } catch (NftCommand.NftException e) {
        if (e instanceof NftCommand.OutcomeUnknownException) throw e;
        if (!isolateUnrenderable(e.getMessage())) throw e;
        computeDesired();
        tx = transaction();
        nft.apply(tx);
      }
    } catch (NftCommand.OutcomeUnknownException e) {
      // it may have applied: the next apply lists the table and rewrites what changed since the
      // last known state (flushing each chain first: no rule twice), as after a refused delta
      resync();
      throw e;
    }
    commit();
    return tx.text();
  }

  // policies changed at once from which preparing them is parallel
  private static final int MANY = 64;

  /**
   * The changes as element deltas when nothing but elements of existing sets and dispatch maps
   * changes; else null.
   */
  private List<NftCommand.ElementDelta> elementsOnly() {
    if (!dirtyChains.isEmpty()) return null;
    List<NftCommand.ElementDelta> out = new ArrayList<>();
    for (String s : dirtySets) {
      Set<String> want = elements.get(s);
      Set<String> have = kSets.get(s);
      if (want == null || have == null) return null; // a set created, deleted or unknown
      NftCommand.ElementDelta d = setDelta(s, want, have);
      if (!d.add().isEmpty() || !d.delete().isEmpty()) out.add(d);
    }
    // a local pod whose policies another pod already has: its dispatch entries point at that chain
    NftCommand.ElementDelta egress = mapDelta(EGRESS_MAP, egressMap, kEgress);
    NftCommand.ElementDelta ingress = mapDelta(INGRESS_MAP, ingressMap, kIngress);
    if (egress != null) out.add(egress);
    if (ingress != null) out.add(ingress);
    return out;
  }

  /**
   * The periodic resync's look at the kernel: whether the table still holds every chain (with as
   * many rules) and set this manager last wrote. When not (someone ran {@code nft delete table inet
   * netctl}, deleted a chain, flushed one or the whole ruleset), the next apply relearns the table
   * and rewrites it whole. Otherwise, since apply writes only what changed, a table deleted by hand
   * left every pod unprotected until the next policy or pod change. It counts rules and the
   * elements of sets and maps, it does not compare them: a rule or an element replaced by hand with
   * another goes unnoticed (docs/policy.md).
   *
   * @return true when the table was intact (or nothing was written yet)
   */
  public boolean verify() {
    if (first) return true; // the first apply lists the table and rewrites it anyway
    String json = nft.listTableJson(Names.FAMILY, Names.TABLE);
    Listing now = Listing.of(json);
    Map<String, Integer> want = new HashMap<>(baseRules);
    kChains.forEach((c, r) -> want.put(c, r == null ? -1 : r.size()));
    boolean intact =
        now.sets().containsAll(kSets.keySet())
            && now.maps().contains(EGRESS_MAP)
            && now.maps().contains(INGRESS_MAP)
            && sameCount(now, EGRESS_MAP, kEgress.size())
            && sameCount(now, INGRESS_MAP, kIngress.size())
            && kSets.entrySet().stream()
                .allMatch(
                    e -> e.getValue() == null || sameCount(now, e.getKey(), e.getValue().size()))
            && want.entrySet().stream()
                .allMatch(
                    e ->
                        now.rules().containsKey(e.getKey())
                            && (e.getValue() < 0
                                || e.getValue().equals(now.rules().get(e.getKey()))));
    if (!intact) resync(json); // from this listing: nothing changes the table in between
    return intact;
  }

  // Named sets and maps hold single addresses and interface names, which the kernel lists one
  // element each, so a count that differs means elements were added or removed by hand.
  private static boolean sameCount(Listing now, String name, int written) {
    return now.elements().getOrDefault(name, 0) == written;
  }

  /** Forgets what the kernel holds: the next script lists the table and rewrites all of it. */
  private void resync() {
    resync(nft.listTableJson(Names.FAMILY, Names.TABLE));
  }

  /** {@link #resync()} from a listing already made. */
  private void resync(String json) {
    kChains.clear();
    kSets.clear();
    kEgress.clear();
    kIngress.clear();
    first = true;
    sweepPlan(json);
  }

  private static String join(java.util.concurrent.FutureTask<String> task) {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NftCommand.NftException("interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new NftCommand.NftException(String.valueOf(e.getCause()));
    }
  }

  private void sweepPlan(String json) {
    Listing listed = Listing.of(json);
    listed.rules().keySet().forEach(c -> kChains.put(c, null));
    listed.sets().forEach(n -> kSets.put(n, null));
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What {@code nft -j list table} shows of the table (nothing when there is none): each chain with
   * its rule count, the sets, and the maps.
   */
  private record Listing(
      Map<String, Integer> rules,
      Set<String> sets,
      Set<String> maps,
      Map<String, Integer> elements) {
    static Listing of(String json) {
      Listing l = new Listing(new HashMap<>(), new HashSet<>(), new HashSet<>(), new HashMap<>());
      if (json == null) return l;
      try {
        for (JsonNode item : JSON.readTree(json).path("nftables")) {
          if (item.has("chain")) l.rules.putIfAbsent(item.get("chain").get("name").asText(), 0);
          if (item.has("rule"))
            l.rules.merge(item.get("rule").get("chain").asText(), 1, Integer::sum);
          if (item.has("set")) {
            JsonNode set = item.get("set");
            l.sets.add(set.get("name").asText());
            l.elements.put(set.get("name").asText(), set.path("elem").size());
          }
          if (item.has("map")) {
            JsonNode map = item.get("map");
            l.maps.add(map.get("name").asText());
            l.elements.put(map.get("name").asText(), map.path("elem").size());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return l;
    }
  }

  private void computeDesired() {
    updateEndpoints();
    updatePolicies(List.copyOf(dirtyPolicies));
    updatePlacement();
  }

  // local endpoints changed since their chains were placed
  private final Set<String> unplaced = new HashSet<>();
  // whether the model the evaluator reads is older than the compiled policies
  private boolean modelStale;

  /** Changed endpoints: their labels, and their addresses in and out of the sets. */
  private void updateEndpoints() {
    if (labelsDirty) {
      for (var e : endpoints.entrySet()) dirtyEndpoints.putIfAbsent(e.getKey(), e.getValue());
      labelsDirty = false;
    }
    // endpoints first: sets created below for new policies then see current labels
    for (var d : dirtyEndpoints.entrySet()) {
      String key = d.getKey();
      Endpoint prev = d.getValue();
      Map<String, String> prevLabels = labels.get(key);
      Endpoint now = endpoints.get(key);
      labelIndex = null;
      unplaced.add(key);
      if (prev != null && prevLabels != null) {
        for (NftSet s : sets.values()) {
          List<String> old = s.elements(prev, prevLabels);
          if (!old.isEmpty() && elements.get(s.name()).removeAll(old)) dirtySets.add(s.name());
        }
        if (isLocal(prev)) removeEndpointChains(prev.interfaceName());
      }
      if (now == null) {
        labels.remove(key);
        continue;
      }
      for (var a : now.addresses()) {
        // the first endpoint of a family: rules needing its sets get that family's variant
        if (families.add(IpFamily.of(a))) dirtyPolicies.addAll(policies.keySet());
      }
      Map<String, String> l =
          Labels.effective(
              now, namespaces.getOrDefault(now.namespace(), Map.of()), serviceAccounts);
      labels.put(key, l);
      for (NftSet s : sets.values()) {
        List<String> add = s.elements(now, l);
        if (!add.isEmpty() && elements.get(s.name()).addAll(add)) dirtySets.add(s.name());
      }
    }
    dirtyEndpoints.clear();
  }

  /** Compiles and renders these changed policies into chains and sets. */
  private void updatePolicies(List<PolicyId> ids) {
    // compiling and rendering is pure: many policies (a first apply) are prepared on two threads
    Map<PolicyId, Prepared> prepared = new HashMap<>();
    if (ids.size() >= MANY) {
      ids.parallelStream()
          .filter(policies::containsKey)
          .map(id -> prepare(PolicyCompiler.compile(policies.get(id)), families))
          .toList()
          .forEach(pr -> prepared.put(pr.policy().id(), pr));
    }
    for (PolicyId id : ids) {
      CompiledPolicy old = compiled.remove(id);
      Resource r = policies.get(id);
      CompiledPolicy now = null;
      if (r != null) {
        Prepared pr = prepared.get(id);
        now = install(pr != null ? pr : prepare(PolicyCompiler.compile(r), families));
      }
      if (now == null) {
        chains.remove(Names.policyChain(id, Direction.INGRESS));
        chains.remove(Names.policyChain(id, Direction.EGRESS));
        dirtyChains.add(Names.policyChain(id, Direction.INGRESS));
        dirtyChains.add(Names.policyChain(id, Direction.EGRESS));
        releaseSets(id);
        failures.remove(id.toString());
      } else {
        compiled.put(id, now);
      }
      if (old == null || now == null || !samePlacement(old, now)) placementDirty = true;
      modelStale = true;
    }
    for (PolicyId id : ids) dirtyPolicies.remove(id); // (removeAll of a list: quadratic)
  }

  /** The model, and the chains of local endpoints whose policies may have changed. */
  private void updatePlacement() {
    // the model holds the compiled rules the evaluator reads: renew it on any policy change, even
    // when no endpoint chain has to change
    if (placementDirty || modelStale) {
      model = new PolicyModel(compiled.values(), tierSpecs);
      modelStale = false;
    }
    // endpoints with the same effective labels have the same chains: render each label set once
    Map<Map<String, String>, List<EndpointChain>> rendered = new HashMap<>();
    if (placementDirty) {
      for (var e : endpoints.entrySet()) {
        if (isLocal(e.getValue())) endpointChains(e.getKey(), rendered);
      }
      placementDirty = false;
    } else {
      for (String key : unplaced) {
        Endpoint e = endpoints.get(key);
        if (e != null && isLocal(e)) endpointChains(key, rendered);
      }
    }
    unplaced.clear();
  }

  /** Renders a compiled policy into {@link #chains}; returns it, failed when unrenderable. */
  private CompiledPolicy render(CompiledPolicy p) {
    return install(prepare(p, families));
  }

  /**
   * A policy and its two directions' rules, rendered (pure).
   *
   * @param policy the policy, failed when it could not be rendered
   * @param in its ingress rules
   * @param out its egress rules
   */
  private record Prepared(
      CompiledPolicy policy, PolicyRenderer.Rendered in, PolicyRenderer.Rendered out) {}

  private static Prepared prepare(CompiledPolicy p, Set<IpFamily> families) {
    try {
      return new Prepared(
          p,
          PolicyRenderer.policy(p, Direction.INGRESS, families),
          PolicyRenderer.policy(p, Direction.EGRESS, families));
    } catch (PolicyRenderer.UnrenderableException e) {
      PolicyRenderer.Rendered closed = PolicyRenderer.failClosed(e.getMessage());
      return new Prepared(p.failed(e.getMessage()), closed, closed);
    }
  }

  /** Puts a prepared policy's chains and sets in place; returns the policy. */
  private CompiledPolicy install(Prepared pr) {
    CompiledPolicy p = pr.policy();
    PolicyRenderer.Rendered in = pr.in();
    PolicyRenderer.Rendered out = pr.out();
    if (p.error() != null) failures.put(p.id().toString(), new PolicyStatus(p.id(), p.error()));
    else failures.remove(p.id().toString());
    // a chain only for the directions the policy has: no endpoint chain jumps to the others
    Set<NftSet> wanted = new HashSet<>();
    for (Direction d : Direction.values()) {
      String name = Names.policyChain(p.id(), d);
      PolicyRenderer.Rendered r = d == Direction.INGRESS ? in : out;
      if (p.applies(d)) {
        putChain(name, r.rules());
        wanted.addAll(r.sets());
      } else if (chains.remove(name) != null) {
        dirtyChains.add(name);
      }
    }
    for (NftSet s : wanted) acquire(s);
    releaseSets(p.id());
    policySets.put(p.id(), wanted);
    return p;
  }

  private void acquire(NftSet s) {
    if (setRefs.merge(s.name(), 1, Integer::sum) > 1) return;
    sets.put(s.name(), s);
    Set<String> els = new HashSet<>();
    var req = s instanceof NftSet.Addresses a ? Labels.requiredLabel(a.selector()) : null;
    if (req == null) {
      for (var e : endpoints.entrySet())
        els.addAll(s.elements(e.getValue(), labels.get(e.getKey())));
    } else {
      for (String key : labelIndex().getOrDefault(req.key() + "\0" + req.value(), List.of())) {
        els.addAll(s.elements(endpoints.get(key), labels.get(key)));
      }
    }
    elements.put(s.name(), els);
    dirtySets.add(s.name());
  }

  private void releaseSets(PolicyId id) {
    Set<NftSet> old = policySets.remove(id);
    if (old == null) return;
    for (NftSet s : old) {
      if (setRefs.merge(s.name(), -1, Integer::sum) == 0) {
        setRefs.remove(s.name());
        sets.remove(s.name());
        elements.remove(s.name());
        dirtySets.add(s.name());
      }
    }
  }

  private static boolean samePlacement(CompiledPolicy a, CompiledPolicy b) {
    return a.tier().equals(b.tier())
        && Objects.equals(a.order(), b.order())
        && a.appliesTo().equals(b.appliesTo())
        && a.ingress() == b.ingress()
        && a.egress() == b.egress();
  }

  private boolean isLocal(Endpoint e) {
    return e.interfaceName() != null
        && e.interfaceName().startsWith(prefix)
        // the name becomes part of chain names; any other interface of ours is dropped anyway
        && CHAIN_SAFE.matcher(e.interfaceName()).matches()
        && (node == null || node.equals(e.node()));
  }

  private static final java.util.regex.Pattern CHAIN_SAFE =
      java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,15}");

  // local endpoints share chains by content (pods of one workload have the same policies):
  // "interface/direction" -> chain name, and how many endpoints use each chain
  private final Map<String, String> endpointChainOf = new HashMap<>();
  private final Map<String, Integer> endpointChainRefs = new HashMap<>();

  /** An endpoint chain: its name (a hash of its rules) and rules. */
  private record EndpointChain(String name, List<NftRule> rules) {}

  private void endpointChains(String key, Map<Map<String, String>, List<EndpointChain>> rendered) {
    Endpoint e = endpoints.get(key);
    Map<String, String> l = labels.get(key);
    String iface = e.interfaceName();
    // per direction (in Direction order)
    List<EndpointChain> both =
        rendered.computeIfAbsent(
            l,
            k -> {
              List<EndpointChain> out = new ArrayList<>();
              for (Direction d : Direction.values()) {
                List<NftRule> rules =
                    PolicyRenderer.endpoint(model.applicable(k, d), d, model::endOfTier);
                List<String> texts = rules.stream().map(NftRule::text).toList();
                out.add(new EndpointChain(Names.endpointChain(texts, d), rules));
              }
              return out;
            });
    for (Direction d : Direction.values()) {
      List<NftRule> rules = both.get(d.ordinal()).rules();
      String name = both.get(d.ordinal()).name();
      String old = endpointChainOf.put(slot(iface, d), name);
      if (!name.equals(old)) {
        if (endpointChainRefs.merge(name, 1, Integer::sum) == 1) putChain(name, rules);
        if (old != null) releaseEndpointChain(old);
      }
      (d == Direction.INGRESS ? ingressMap : egressMap).put(iface, "goto " + name);
    }
  }

  private void removeEndpointChains(String iface) {
    for (Direction d : Direction.values()) {
      String old = endpointChainOf.remove(slot(iface, d));
      if (old != null) releaseEndpointChain(old);
      (d == Direction.INGRESS ? ingressMap : egressMap).remove(iface);
    }
  }

  private void releaseEndpointChain(String name) {
    if (endpointChainRefs.merge(name, -1, Integer::sum) > 0) return;
    endpointChainRefs.remove(name);
    chains.remove(name);
    dirtyChains.add(name);
  }

  private static String slot(String iface, Direction d) {
    return iface + (d == Direction.INGRESS ? "/i" : "/e");
  }

  /** The chain a local interface's traffic of direction {@code d} goes to, or null. */
  String endpointChain(String iface, Direction d) {
    return endpointChainOf.get(slot(iface, d));
  }

  private void putChain(String name, List<NftRule> rules) {
    List<NftRule> old = chains.put(name, rules);
    if (!rules.equals(old)) dirtyChains.add(name);
  }

  // ------------------------------------------------------------------ the transaction

  private NftTransaction transaction() {
    List<NftOp> ops = new ArrayList<>(first ? fullSize() : 16);
    if (first) base(ops);
    objects(ops);
    // 3. dispatch maps
    for (var d :
        java.util.Arrays.asList(
            mapDelta(EGRESS_MAP, egressMap, kEgress),
            mapDelta(INGRESS_MAP, ingressMap, kIngress))) {
      if (d != null) NftOp.Elements.of(d, ops);
    }
    // 4. deletions, now that nothing refers to them
    for (String c : dirtyChains) {
      if (chains.containsKey(c) || !kChains.containsKey(c)) continue;
      ops.add(new NftOp.FlushChain(c));
    }
    for (String c : dirtyChains) {
      if (chains.containsKey(c) || !kChains.containsKey(c)) continue;
      ops.add(new NftOp.DeleteChain(c));
    }
    for (String s : dirtySets) {
      if (elements.containsKey(s) || !kSets.containsKey(s)) continue;
      ops.add(new NftOp.DeleteSet(s));
    }
    return new NftTransaction(Names.FAMILY, Names.TABLE, ops);
  }

  /** The changed sets and chains that are wanted: created or changed, sets first. */
  private void objects(List<NftOp> ops) {
    // 1. sets: create, then element changes
    for (String s : dirtySets) {
      Set<String> want = elements.get(s);
      if (want == null) continue;
      boolean known = kSets.containsKey(s);
      Set<String> have = kSets.get(s);
      String type = sets.get(s).type();
      if (!known) ops.add(new NftOp.AddSet(s, type));
      if (known && have == null) ops.add(new NftOp.FlushSet(s, type));
      NftOp.Elements.of(setDelta(s, want, have == null ? Set.of() : have), ops);
    }
    // 2. chains: declare all new ones before any rule jumps to them
    List<String> rewrite = new ArrayList<>();
    for (String c : dirtyChains) {
      List<NftRule> want = chains.get(c);
      if (want == null) continue;
      boolean known = kChains.containsKey(c);
      if (!known) ops.add(new NftOp.AddChain(c));
      if (!known || !want.equals(kChains.get(c))) rewrite.add(c);
    }
    for (String c : rewrite) {
      if (kChains.containsKey(c)) ops.add(new NftOp.FlushChain(c));
      for (NftRule r : chains.get(c)) ops.add(new NftOp.AddRule(c, r));
    }
  }

  /** The element changes that turn set {@code s}'s {@code have} into {@code want}. */
  private NftCommand.ElementDelta setDelta(String s, Set<String> want, Set<String> have) {
    List<String> add = new ArrayList<>();
    for (String x : want) if (!have.contains(x)) add.add(x);
    List<String> del = new ArrayList<>();
    for (String x : have) if (!want.contains(x)) del.add(x);
    return new NftCommand.ElementDelta(s, sets.get(s).type(), add, del);
  }

  /** About the number of commands of a full transaction: its list is not regrown. */
  private int fullSize() {
    long n = 64;
    for (List<NftRule> rules : chains.values()) n += rules.size() + 2;
    n += 2L * elements.size() + 2;
    return (int) Math.min(n, 1 << 24);
  }

  private void base(List<NftOp> ops) {
    ops.add(new NftOp.AddTable());
    ops.add(new NftOp.AddChain(FORWARD, NftOp.Hook.FORWARD));
    ops.add(new NftOp.AddChain(INPUT, NftOp.Hook.INPUT));
    ops.add(new NftOp.AddChain(WL_TO_HOST));
    ops.add(new NftOp.AddSet(EGRESS_MAP, MAP_TYPE));
    ops.add(new NftOp.AddSet(INGRESS_MAP, MAP_TYPE));
    ops.add(new NftOp.AddChain(FROM_WL));
    ops.add(new NftOp.AddChain(TO_WL));
    for (String c : BASE_CHAINS) ops.add(new NftOp.FlushChain(c));
    ops.add(new NftOp.FlushSet(EGRESS_MAP, MAP_TYPE));
    ops.add(new NftOp.FlushSet(INGRESS_MAP, MAP_TYPE));
    var unknown = List.<NftStatement>of(NftStatement.Verdict.DROP);
    String failClosed = "unknown workload interface: fail closed";
    conntrackFirst(ops, FORWARD);
    ops.add(
        new NftOp.AddRule(
            FORWARD,
            NftRule.of(
                List.of(new NftMatch.InterfacePrefix(true, prefix)),
                NftStatement.Verdict.jump(FROM_WL))));
    ops.add(
        new NftOp.AddRule(
            FORWARD,
            NftRule.of(
                List.of(new NftMatch.InterfacePrefix(false, prefix)),
                NftStatement.Verdict.jump(TO_WL))));
    // A pod's traffic to its own node goes through the input hook, not forward: Calico applies
    // the pod's egress policy to it too (then accepts: its DefaultEndpointToHostAction as the
    // manifests set it), so an egress-isolated pod cannot reach its node's addresses (and the
    // host-network services on them) unless a rule allows it.
    ops.add(
        new NftOp.AddRule(
            INPUT,
            NftRule.of(
                List.of(new NftMatch.InterfacePrefix(true, prefix)),
                NftStatement.Verdict.jump(WL_TO_HOST))));
    conntrackFirst(ops, WL_TO_HOST);
    for (int type : ICMPV6_TO_HOST) {
      ops.add(
          new NftOp.AddRule(
              WL_TO_HOST,
              NftRule.of(
                  List.of(new NftMatch.Icmp(true, false, type, null)),
                  NftStatement.Verdict.ACCEPT)));
    }
    ops.add(
        new NftOp.AddRule(WL_TO_HOST, NftRule.of(List.of(), NftStatement.Verdict.jump(FROM_WL))));
    ops.add(
        new NftOp.AddRule(
            FROM_WL, NftRule.of(List.of(), new NftStatement.InterfaceVmap(true, EGRESS_MAP))));
    ops.add(new NftOp.AddRule(FROM_WL, new NftRule(List.of(), unknown, failClosed)));
    ops.add(
        new NftOp.AddRule(
            TO_WL, NftRule.of(List.of(), new NftStatement.InterfaceVmap(false, INGRESS_MAP))));
    ops.add(new NftOp.AddRule(TO_WL, new NftRule(List.of(), unknown, failClosed)));
    baseRules.clear();
    for (NftOp op : ops) {
      if (op instanceof NftOp.AddRule r) baseRules.merge(r.chain(), 1, Integer::sum);
    }
    // the sweep: every owned object not wanted any more goes at the end of this transaction
    kChains.keySet().removeAll(BASE_CHAINS);
    for (String c : kChains.keySet()) if (!chains.containsKey(c)) dirtyChains.add(c);
    for (String c : kSets.keySet()) if (!elements.containsKey(c)) dirtySets.add(c);
    kSets.remove(EGRESS_MAP);
    kSets.remove(INGRESS_MAP);
    dirtyChains.addAll(chains.keySet());
    dirtySets.addAll(elements.keySet());
  }

  /** Replies and related packets pass before any policy, broken ones are dropped. */
  private static void conntrackFirst(List<NftOp> ops, String chain) {
    ops.add(
        new NftOp.AddRule(
            chain,
            NftRule.of(
                List.of(new NftMatch.CtState(List.of("established", "related"))),
                NftStatement.Verdict.ACCEPT)));
    ops.add(
        new NftOp.AddRule(
            chain,
            NftRule.of(
                List.of(new NftMatch.CtState(List.of("invalid"))), NftStatement.Verdict.DROP)));
  }

  /** The element changes that turn dispatch map {@code have} into {@code want}, or null. */
  private static NftCommand.ElementDelta mapDelta(
      String map, Map<String, String> want, Map<String, String> have) {
    List<String> del = new ArrayList<>();
    List<String> add = new ArrayList<>();
    for (var e : have.entrySet()) {
      if (!e.getValue().equals(want.get(e.getKey()))) del.add("\"" + e.getKey() + "\"");
    }
    for (var e : want.entrySet()) {
      if (!e.getValue().equals(have.get(e.getKey())))
        add.add("\"" + e.getKey() + "\" : " + e.getValue());
    }
    if (del.isEmpty() && add.isEmpty()) return null;
    return new NftCommand.ElementDelta(map, MAP_TYPE, add, del);
  }

  private static final String MAP_TYPE = "ifname : verdict";

  private void commit() {
    for (String c : dirtyChains) {
      List<NftRule> want = chains.get(c);
      if (want == null) kChains.remove(c);
      else kChains.put(c, want);
    }
    for (String s : dirtySets) {
      Set<String> want = elements.get(s);
      if (want == null) kSets.remove(s);
      else kSets.put(s, new HashSet<>(want));
    }
    kEgress.clear();
    kEgress.putAll(egressMap);
    kIngress.clear();
    kIngress.putAll(ingressMap);
    dirtyChains.clear();
    dirtySets.clear();
    first = false;
  }

  /**
   * After nft refused a transaction: checks each policy chain that was about to change on its own
   * and makes those nft rejects fail closed. True when at least one was found.
   */
  private boolean isolateUnrenderable(String message) {
    boolean found = false;
    for (CompiledPolicy p : List.copyOf(compiled.values())) {
      String in = Names.policyChain(p.id(), Direction.INGRESS);
      String out = Names.policyChain(p.id(), Direction.EGRESS);
      if (!dirtyChains.contains(in) && !dirtyChains.contains(out)) continue;
      List<NftOp> ops = new ArrayList<>();
      ops.add(new NftOp.AddTable());
      for (NftSet s : policySets.getOrDefault(p.id(), Set.of())) {
        ops.add(new NftOp.AddSet(s.name(), s.type()));
      }
      for (String c : List.of(in, out)) {
        String tmp = c + "-check";
        ops.add(new NftOp.AddChain(tmp));
        for (NftRule r : chains.getOrDefault(c, List.of())) ops.add(new NftOp.AddRule(tmp, r));
      }
      try {
        nft.check(new NftTransaction(Names.FAMILY, Names.TABLE, ops).text());
      } catch (NftCommand.NftException e) {
        String reason = "nft: " + firstLine(e.getMessage());
        compiled.put(p.id(), render(p.failed(reason)));
        found = true;
      }
    }
    if (found) placementDirty = true;
    return found;
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
