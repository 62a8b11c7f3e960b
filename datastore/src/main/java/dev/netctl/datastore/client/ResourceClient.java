package dev.netctl.datastore.client;

import dev.netctl.datastore.Blocking;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Listing;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;
import dev.netctl.datastore.Write;
import dev.netctl.datastore.client.GuardedCommit.Plan;
import dev.netctl.datastore.client.GuardedCommit.Step;
import dev.netctl.datastore.model.BGPConfiguration;
import dev.netctl.datastore.model.BGPConfigurationSpec;
import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.CodecException;
import dev.netctl.datastore.model.IPAMConfig;
import dev.netctl.datastore.model.IPAMConfigSpec;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.datastore.model.ValidationException;
import dev.netctl.datastore.model.Validator;
import dev.netctl.datastore.model.Violation;
import dev.netctl.datastore.selector.Selector;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Typed, validated access to netctl resources stored in any {@link Datastore}.
 *
 * <p>Each resource is stored as JSON under {@code Key(kind, name)}. Its {@code
 * metadata.resourceVersion} is the entry's revision; {@code uid} and {@code creationTimestamp} are
 * assigned on create and kept on update. Every write is validated first, including the rules
 * against stored state (IP pools must not overlap; a pool's cidr and blockSize cannot change), and
 * nothing is written when validation fails.
 *
 * <p>Methods block until the datastore answers (at most the configured timeout) and throw {@link
 * DatastoreException} (NotFound, AlreadyExists, Conflict, Unavailable), {@link ValidationException}
 * or {@link CodecException} (a stored value is unreadable). Thread-safe.
 *
 * <p>On a store opened by {@link dev.netctl.datastore.Datastores#open}, writes are refused with
 * {@link DatastoreException.Locked} while it is locked for migration (the store's {@link
 * dev.netctl.datastore.migrate.WriteGate}); reads and no-op applies still work.
 *
 * <p>The cross-object rules read other objects before writing; pool creation is fenced by a guard
 * key written in the same commit ({@link GuardedCommit}), so two clients creating overlapping pools
 * at the same instant cannot both succeed.
 */
public final class ResourceClient {

  private final Datastore store;
  private final ResourceCodec codec;
  private final Clock clock;
  private final Duration timeout;
  private final GuardedCommit guarded;

  /** A client with a 30 s timeout and the system clock. */
  public ResourceClient(Datastore store) {
    this(store, new ResourceCodec(), Clock.systemUTC(), Duration.ofSeconds(30));
  }

  /**
   * @param store where resources live
   * @param codec how they are serialized
   * @param clock the source of creation timestamps
   * @param timeout how long one datastore call may take before failing with Unavailable
   */
  public ResourceClient(Datastore store, ResourceCodec codec, Clock clock, Duration timeout) {
    this.store = store;
    this.codec = codec;
    this.clock = clock;
    this.timeout = timeout;
    this.guarded = new GuardedCommit(store, this::await);
  }

  /** The datastore underneath, e.g. for {@link Datastore#address()} in messages. */
  public Datastore datastore() {
    return store;
  }

  // ------------------------------------------------------------------- reads

  /**
   * The stored object.
   *
   * @throws DatastoreException.NotFound when absent
   */
  public <R extends Resource> R get(Kind<R> kind, String name) {
    return find(kind, name).orElseThrow(() -> new DatastoreException.NotFound(key(kind, name)));
  }

  /** The stored object, or empty. */
  public <R extends Resource> Optional<R> find(Kind<R> kind, String name) {
    return await(store.get(key(kind, name))).map(e -> decode(kind, e));
  }

  /** Every object of a kind, sorted by name. */
  public <R extends Resource> List<R> list(Kind<R> kind) {
    return listWithRevision(kind).items();
  }

  /** Every object of a kind whose labels match {@code labelSelector}, sorted by name. */
  public <R extends Resource> List<R> list(Kind<R> kind, Selector labelSelector) {
    return list(kind).stream().filter(r -> labelSelector.matches(r.metadata().labels())).toList();
  }

  /** A snapshot of a kind with the revision to start a {@link #watch} from. */
  public <R extends Resource> ResourceList<R> listWithRevision(Kind<R> kind) {
    Listing l = await(store.list(kind.storageKind()));
    List<R> items = new ArrayList<>(l.entries().size());
    for (Entry e : l.entries()) items.add(decode(kind, e));
    return new ResourceList<>(items, l.revision());
  }

  /**
   * Delivers every change to objects of {@code kind} after {@code afterRevision}, in order, on one
   * thread at a time. Start from {@link ResourceList#revision()} of a {@link #listWithRevision}.
   */
  public <R extends Resource> Watch watch(
      Kind<R> kind, long afterRevision, Consumer<ResourceEvent<R>> listener) {
    return store.watch(
        kind.storageKind(),
        afterRevision,
        ev -> {
          ResourceEvent<R> typed =
              switch (ev) {
                case WatchEvent.Put p -> {
                  try {
                    yield new ResourceEvent.Put<>(
                        decode(kind, p.entry()), p.created(), p.revision());
                  } catch (CodecException e) {
                    yield new ResourceEvent.Undecodable<>(
                        kind, p.entry().key().name(), p.revision(), e.getMessage());
                  }
                }
                case WatchEvent.Deleted d ->
                    new ResourceEvent.Deleted<>(kind, d.key().name(), d.revision());
                case WatchEvent.ResyncNeeded r ->
                    new ResourceEvent.ResyncNeeded<>(r.revision(), r.reason());
              };
          listener.accept(typed);
        });
  }

  /**
   * The cluster BGP settings with every absent field at its default: the stored {@code default}
   * BGPConfiguration, or the defaults (AS 64512, mesh on, port 179) when there is none.
   */
  public BGPConfigurationSpec effectiveBgpConfiguration() {
    return find(Kind.BGP_CONFIGURATION, BGPConfiguration.DEFAULT_NAME)
        .map(c -> c.spec().withDefaults())
        .orElseGet(() -> BGPConfigurationSpec.empty().withDefaults());
  }

  /**
   * The BGP settings of one node: its {@code node.<name>} BGPConfiguration's fields over the
   * cluster's (absent or empty fields inherit), then defaults.
   */
  public BGPConfigurationSpec effectiveBgpConfiguration(String nodeName) {
    BGPConfigurationSpec cluster =
        find(Kind.BGP_CONFIGURATION, BGPConfiguration.DEFAULT_NAME)
            .map(BGPConfiguration::spec)
            .orElse(BGPConfigurationSpec.empty());
    Optional<BGPConfiguration> perNode =
        find(Kind.BGP_CONFIGURATION, BGPConfiguration.NODE_PREFIX + nodeName);
    if (perNode.isEmpty()) return cluster.withDefaults();
    BGPConfigurationSpec n = perNode.get().spec();
    return new BGPConfigurationSpec(
            n.logSeverityScreen() != null ? n.logSeverityScreen() : cluster.logSeverityScreen(),
            cluster.nodeToNodeMeshEnabled(),
            cluster.asNumber(),
            n.listenPort() != null ? n.listenPort() : cluster.listenPort(),
            pick(n.serviceClusterIPs(), cluster.serviceClusterIPs()),
            pick(n.serviceExternalIPs(), cluster.serviceExternalIPs()),
            pick(n.serviceLoadBalancerIPs(), cluster.serviceLoadBalancerIPs()),
            pick(n.communities(), cluster.communities()),
            pick(n.prefixAdvertisements(), cluster.prefixAdvertisements()),
            pick(n.routeReflectorClientRanges(), cluster.routeReflectorClientRanges()),
            cluster.nodeMeshPassword(),
            cluster.nodeMeshMaxRestartTime(),
            cluster.bindMode())
        .withDefaults();
  }

  /** The IPAM settings: the stored {@code default} IPAMConfig, or the defaults when absent. */
  public IPAMConfigSpec effectiveIpamConfig() {
    return find(Kind.IPAM_CONFIG, IPAMConfig.DEFAULT_NAME)
        .map(IPAMConfig::spec)
        .orElseGet(IPAMConfigSpec::defaults);
  }

  // ------------------------------------------------------------------ writes

  /**
   * Creates a new object; assigns uid and creationTimestamp and ignores any resourceVersion given.
   *
   * @throws ValidationException when it breaks a rule (nothing is written)
   * @throws DatastoreException.AlreadyExists when an object of that kind and name exists
   */
  public <R extends Resource> R create(R resource) {
    Kind<R> kind = kindOf(resource);
    boolean pool = kind == Kind.IP_POOL;
    Applied<Resource> created =
        guarded
            .run(
                pool,
                () -> {
                  Validator.check(resource, null, othersFor(kind, resource));
                  return new Plan(List.of(createStep(kind, resource)), pool);
                })
            .getFirst();
    return kind.type().cast(created.resource());
  }

  /**
   * Replaces an existing object. With {@code metadata.resourceVersion} set, the write succeeds only
   * if the stored revision is still that one; without it, against the revision read just before.
   * Either way a concurrent change fails with {@link DatastoreException.Conflict}.
   *
   * @throws ValidationException when it breaks a rule, including immutable fields
   * @throws DatastoreException.NotFound when absent
   */
  public <R extends Resource> R update(R resource) {
    Kind<R> kind = kindOf(resource);
    Entry current =
        await(store.get(key(kind, resource.storageName())))
            .orElseThrow(() -> new DatastoreException.NotFound(key(kind, resource.storageName())));
    return replace(kind, resource, current, false).resource();
  }

  /**
   * Creates the object, or replaces it when it exists; writes nothing when the stored object
   * already has this content (metadata server fields aside).
   *
   * @throws ValidationException when it breaks a rule
   * @throws DatastoreException.Conflict when a resourceVersion is given and is stale, or on a
   *     concurrent change
   */
  public <R extends Resource> Applied<R> apply(R resource) {
    Kind<R> kind = kindOf(resource);
    Optional<Entry> current = await(store.get(key(kind, resource.storageName())));
    if (current.isEmpty()) {
      return new Applied<>(create(resource), Applied.Outcome.CREATED);
    }
    return replace(kind, resource, current.get(), true);
  }

  /**
   * Deletes an object and returns it as it was.
   *
   * @throws DatastoreException.NotFound when absent
   */
  public <R extends Resource> R delete(Kind<R> kind, String name) {
    return delete(kind, name, null);
  }

  /**
   * Deletes an object if its revision is still {@code resourceVersion} (null: whatever it is now)
   * and returns it as it was.
   *
   * @throws DatastoreException.NotFound when absent
   * @throws DatastoreException.Conflict when the revision differs
   */
  public <R extends Resource> R delete(Kind<R> kind, String name, String resourceVersion) {
    Key key = key(kind, name);
    Entry current = await(store.get(key)).orElseThrow(() -> new DatastoreException.NotFound(key));
    long expected =
        resourceVersion == null ? current.revision() : parseVersion(kind, name, resourceVersion);
    R old = decode(kind, current);
    await(store.delete(key, expected));
    return old;
  }

  /**
   * Replaces the stored pool {@code parent} (as read, with its resourceVersion) by {@code children}
   * in one commit: {@code netctl ipam split}. Each child is validated like a new pool against every
   * stored pool but the parent, so the children may cover the parent's range. On a backend that
   * writes one object per commit the parent is deleted first and the children created after it.
   *
   * @throws ValidationException when a child breaks a rule
   * @throws DatastoreException.Conflict when the parent changed since it was read
   * @throws DatastoreException.AlreadyExists when a child's name is taken
   */
  public List<IPPool> replacePool(IPPool parent, List<IPPool> children) {
    long revision = parseVersion(Kind.IP_POOL, parent.name(), parent.metadata().resourceVersion());
    return guarded
        .run(
            true,
            () -> {
              List<Resource> others = new ArrayList<>();
              for (IPPool p : list(Kind.IP_POOL)) {
                if (!p.name().equals(parent.name())) others.add(p);
              }
              // A taken name fails the commit on a transactional store, but a one-write-per-commit
              // one (Kubernetes) would have deleted the parent by then: refuse before writing.
              for (IPPool child : children) {
                if (others.stream().anyMatch(o -> o.name().equals(child.name()))) {
                  throw new DatastoreException.AlreadyExists(key(Kind.IP_POOL, child.name()));
                }
              }
              List<Violation> violations = new ArrayList<>();
              List<Step> steps = new ArrayList<>();
              steps.add(
                  new Step(
                      new Write.Delete(key(Kind.IP_POOL, parent.name()), revision),
                      new Applied<>(parent, Applied.Outcome.UPDATED)));
              for (IPPool child : children) {
                violations.addAll(Validator.validate(child, null, others));
                others.add(child);
                steps.add(createStep(Kind.IP_POOL, child));
              }
              Validator.throwIfAny(violations);
              return new Plan(steps, true);
            })
        .stream()
        .skip(1)
        .map(a -> (IPPool) a.resource())
        .toList();
  }

  // ----------------------------------------------------------------- batches

  /**
   * Validates a whole batch, then creates every object in one atomic commit: nothing is written
   * when any object is invalid or already exists. Objects are validated against the store and
   * against the batch's earlier objects (two overlapping pools in one file are rejected).
   *
   * <p>A batch larger than the datastore's {@link Datastore#maxOpsPerCommit()} is written object by
   * object: if a write then fails halfway, the objects before it stay written and the exception
   * says which failed.
   *
   * @throws ValidationException listing the violations of every invalid object
   * @throws DatastoreException.AlreadyExists for the first object that exists
   */
  public List<Resource> createAll(List<? extends Resource> batch) {
    return guarded
        .run(
            createsPools(batch),
            () -> {
              Map<Key, Optional<Resource>> stored = validateBatch(batch, false);
              List<Step> steps = new ArrayList<>();
              for (Resource r : batch) {
                if (stored.get(key(r.kind(), r.storageName())).isPresent()) {
                  throw new DatastoreException.AlreadyExists(key(r.kind(), r.storageName()));
                }
                steps.add(createStep(r.kind(), r));
              }
              return new Plan(steps, createsPools(batch));
            })
        .stream()
        .map(Applied::resource)
        .toList();
  }

  /**
   * Validates a whole batch, then creates or replaces every object in one atomic commit (unchanged
   * objects are not written). Nothing is written when any object is invalid or was changed
   * concurrently. See {@link #createAll} for batches over the commit limit.
   *
   * @throws ValidationException listing the violations of every invalid object
   */
  public List<Applied<Resource>> applyAll(List<? extends Resource> batch) {
    return guarded.run(
        createsPools(batch),
        () -> {
          Map<Key, Optional<Resource>> stored = validateBatch(batch, true);
          throwIfStale(batch, stored);
          List<Step> steps = new ArrayList<>();
          boolean newPools = false;
          for (Resource r : batch) {
            Optional<Resource> previous = stored.get(key(r.kind(), r.storageName()));
            if (previous.isEmpty()) {
              newPools |= r.kind() == Kind.IP_POOL;
              steps.add(createStep(r.kind(), r));
            } else {
              steps.add(replaceStep(r.kind(), r, previous.get(), true, false));
            }
          }
          return new Plan(steps, newPools);
        });
  }

  /**
   * Validates a whole batch, then replaces every object in one atomic commit, as {@link #update}
   * replaces one: each must exist, and one given with a stale {@code resourceVersion} fails the
   * whole batch. Nothing is written when any object is invalid, absent or changed concurrently. See
   * {@link #createAll} for batches over the commit limit.
   *
   * @throws ValidationException listing the violations of every invalid object
   * @throws DatastoreException.NotFound for the first object that does not exist
   * @throws DatastoreException.Conflict naming every object whose revision is not the given one
   */
  public List<Resource> replaceAll(List<? extends Resource> batch) {
    return guarded
        .run(
            false,
            () -> {
              Map<Key, Optional<Resource>> stored = validateBatch(batch, true);
              throwIfStale(batch, stored);
              List<Step> steps = new ArrayList<>();
              for (Resource r : batch) {
                Key k = key(r.kind(), r.storageName());
                Resource previous =
                    stored.get(k).orElseThrow(() -> new DatastoreException.NotFound(k));
                steps.add(replaceStep(r.kind(), r, previous, false, false));
              }
              return new Plan(steps, false);
            })
        .stream()
        .map(Applied::resource)
        .toList();
  }

  /**
   * The violations a batch would produce, without writing: each object against the store with the
   * batch's earlier objects applied on top, plus duplicates within the batch.
   */
  public List<Violation> check(List<? extends Resource> batch, boolean replaceExisting) {
    try {
      validateBatch(batch, replaceExisting);
      return List.of();
    } catch (ValidationException e) {
      return e.violations();
    }
  }

  /**
   * True when {@code other}, a pool earlier in the batch, was already refused for overlapping the
   * stored version of the pool now validated: checking that pool against it again would print the
   * same conflict a second time, from the other side.
   */
  private static boolean alreadyToldOverlap(
      Resource other, Resource storedVersion, List<Resource> batchPools) {
    if (!(other instanceof IPPool o)
        || !(storedVersion instanceof IPPool stored)
        || batchPools.stream().noneMatch(b -> b == other)) {
      return false;
    }
    try {
      return Cidr.parse(o.spec().cidr()).overlaps(Cidr.parse(stored.spec().cidr()));
    } catch (IllegalArgumentException e) {
      return false; // a malformed cidr is reported by its own rule, not as an overlap
    }
  }

  private Map<Key, Optional<Resource>> validateBatch(
      List<? extends Resource> batch, boolean replaceExisting) {
    List<Violation> violations = new ArrayList<>();
    Map<Key, Optional<Resource>> stored = new HashMap<>();
    Map<Kind<?>, Map<String, Resource>> view = new HashMap<>();
    List<Resource> batchPools = new ArrayList<>();
    for (Resource r : batch) {
      Kind<?> kind = r.kind();
      Map<String, Resource> ofKind =
          view.computeIfAbsent(
              kind,
              k -> {
                Map<String, Resource> m = new LinkedHashMap<>();
                // only pools have cross-object rules; skip listing other kinds
                if (k == Kind.IP_POOL) list(k).forEach(x -> m.put(x.storageName(), x));
                return m;
              });
      if (r.name() == null || r.name().isEmpty()) {
        violations.addAll(Validator.validate(r));
        continue;
      }
      Key key = key(kind, r.storageName());
      if (stored.containsKey(key)) {
        violations.add(
            new Violation(
                kind.name(),
                Violation.nameOf(r),
                "metadata.name",
                r.name(),
                "must not appear twice in one batch"));
        continue;
      }
      Optional<Resource> previous = find(kind, r.storageName()).map(x -> (Resource) x);
      stored.put(key, previous);
      Resource prev = replaceExisting ? previous.orElse(null) : null;
      List<Resource> others = new ArrayList<>(ofKind.values());
      previous.ifPresent(p -> others.removeIf(o -> alreadyToldOverlap(o, p, batchPools)));
      violations.addAll(Validator.validate(r, prev, others));
      ofKind.put(r.storageName(), r);
      if (kind == Kind.IP_POOL) batchPools.add(r);
    }
    Validator.throwIfAny(violations);
    return stored;
  }

  // ----------------------------------------------------------------- helpers

  @SuppressWarnings("unchecked")
  private <R extends Resource> Applied<R> replace(
      Kind<R> kind, R given, Entry currentEntry, boolean noOpIfEqual) {
    // A pool enabled again after a deletion that stopped half-way is taken back: its deletion mark
    // goes, or a later plain disable would make it "being deleted" again (IPPool.beingDeleted).
    R resource = given instanceof IPPool p ? kind.type().cast(p.takenBackIfEnabled()) : given;
    Resource current = decode(kind, currentEntry);
    return (Applied<R>)
        guarded
            .run(
                false,
                () ->
                    new Plan(
                        List.of(replaceStep(kind, resource, current, noOpIfEqual, true)), false))
            .getFirst();
  }

  private Step createStep(Kind<?> kind, Resource resource) {
    Resource toStore =
        withMeta(
            resource,
            resource
                .metadata()
                .withResourceVersion(null)
                .withIdentity(
                    UUID.randomUUID().toString(),
                    clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()));
    return new Step(
        new Write.Create(key(kind, resource.storageName()), codec.toStorage(toStore)),
        new Applied<>(toStore, Applied.Outcome.CREATED));
  }

  /**
   * The write replacing {@code current} (as read, with its resourceVersion) by {@code resource}, or
   * none when nothing would change and {@code noOpIfEqual}.
   */
  private Step replaceStep(
      Kind<?> kind, Resource resource, Resource current, boolean noOpIfEqual, boolean validate) {
    long currentRevision = Long.parseLong(current.metadata().resourceVersion());
    String rv = resource.metadata().resourceVersion();
    long expected =
        rv == null || rv.isEmpty()
            ? currentRevision
            : parseVersion(kind, Violation.nameOf(resource), rv);
    if (expected != currentRevision) {
      // fail before validating: the caller's view is stale whatever it contains
      throw stale(kind, resource, current).orElseThrow();
    }
    Resource candidate =
        withMeta(
            resource,
            resource
                .metadata()
                .withResourceVersion(null)
                .withIdentity(current.metadata().uid(), current.metadata().creationTimestamp()));
    if (noOpIfEqual
        && candidate.equals(withMeta(current, current.metadata().withResourceVersion(null)))) {
      return new Step(null, new Applied<>(current, Applied.Outcome.UNCHANGED));
    }
    if (validate) {
      Validator.check(candidate, current, othersFor(kind, candidate));
    }
    return new Step(
        new Write.Update(key(kind, resource.storageName()), codec.toStorage(candidate), expected),
        new Applied<>(candidate, Applied.Outcome.UPDATED));
  }

  /**
   * The conflict of {@code resource} when it carries a resourceVersion other than the stored
   * object's ({@code current}, as read), else empty.
   */
  private Optional<DatastoreException.Conflict> stale(
      Kind<?> kind, Resource resource, Resource current) {
    long currentRevision = Long.parseLong(current.metadata().resourceVersion());
    String rv = resource.metadata().resourceVersion();
    if (rv == null || rv.isEmpty()) return Optional.empty();
    long given = parseVersion(kind, Violation.nameOf(resource), rv);
    if (given == currentRevision) return Optional.empty();
    Key k = key(kind, resource.storageName());
    return Optional.of(
        DatastoreException.Conflict.staleVersion(
            k, given, new Entry(k, codec.toStorage(current), currentRevision)));
  }

  /**
   * Throws one conflict naming every object of the batch whose given resourceVersion is stale, so
   * that a file read long ago is refused with the whole list, not one object per attempt.
   */
  private void throwIfStale(List<? extends Resource> batch, Map<Key, Optional<Resource>> stored) {
    List<DatastoreException.Conflict> conflicts = new ArrayList<>();
    for (Resource r : batch) {
      Optional<Resource> previous = stored.get(key(r.kind(), r.storageName()));
      if (previous != null && previous.isPresent()) {
        stale(r.kind(), r, previous.get()).ifPresent(conflicts::add);
      }
    }
    if (!conflicts.isEmpty()) throw DatastoreException.Conflict.ofAll(conflicts);
  }

  private static boolean createsPools(List<? extends Resource> batch) {
    return batch.stream().anyMatch(r -> r.kind() == Kind.IP_POOL);
  }

  private Collection<? extends Resource> othersFor(Kind<?> kind, Resource r) {
    if (kind != Kind.IP_POOL) return List.of();
    return list(kind).stream().filter(x -> !x.storageName().equals(r.storageName())).toList();
  }

  private <R extends Resource> R decode(Kind<R> kind, Entry e) {
    return codec.fromStorage(kind, e.value(), e.revision());
  }

  private static <R extends Resource> R withRevision(R r, long revision) {
    return withMeta(r, r.metadata().withResourceVersion(Long.toString(revision)));
  }

  @SuppressWarnings("unchecked")
  private static <R extends Resource> R withMeta(R r, ObjectMeta meta) {
    return (R) r.withMetadata(meta);
  }

  @SuppressWarnings("unchecked")
  private static <R extends Resource> Kind<R> kindOf(R r) {
    if (r.name() == null || r.name().isEmpty()) {
      throw new ValidationException(Validator.validate(r));
    }
    return (Kind<R>) r.kind();
  }

  private static Key key(Kind<?> kind, String name) {
    return new Key(kind.storageKind(), name);
  }

  private static long parseVersion(Kind<?> kind, String name, String rv) {
    try {
      long v = Long.parseLong(rv);
      if (v > 0) return v;
    } catch (NumberFormatException e) {
      // fall through to the violation below
    }
    throw new ValidationException(
        List.of(
            new Violation(
                kind.name(), name, "metadata.resourceVersion", rv, "must be a positive integer")));
  }

  private static <T> List<T> pick(List<T> own, List<T> inherited) {
    return own.isEmpty() ? inherited : own;
  }

  private <T> T await(CompletableFuture<T> f) {
    return Blocking.await(f, store.address(), timeout);
  }
}
