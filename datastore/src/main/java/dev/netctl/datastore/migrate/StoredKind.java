package dev.netctl.datastore.migrate;

import dev.netctl.datastore.Key;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.datastore.model.Validator;
import java.util.List;
import java.util.Objects;

/**
 * One kind of object a migration copies, with the check a dumped value must pass before anything is
 * written.
 *
 * <p>Why a list the caller assembles: the {@link dev.netctl.datastore.Datastore} contract lists
 * objects of a named kind, never "every kind" (the Kubernetes backend has one CRD per kind and
 * could not answer that). The datastore module knows the resource kinds ({@link #resources()});
 * modules above add the kinds they store raw (ipam-blocks: IPAMBlock, BlockAffinity, IPAMHandle),
 * and the process that migrates (the CLI) joins the lists in one place. Kinds that are state of a
 * running system rather than data — the migration lock ({@link ClusterInformation}), leader leases,
 * the pool-creation guard {@code IPPoolGuard} (its value is meaningless; an absent guard is valid)
 * — are deliberately not in any list.
 *
 * @param name the datastore kind ({@code Key.kind()})
 * @param check throws an exception naming what is wrong when a value is not a valid object of the
 *     kind stored under that key
 */
public record StoredKind(String name, ValueCheck check) {

  /** Validates one dumped value. */
  @FunctionalInterface
  public interface ValueCheck {
    /**
     * @throws RuntimeException with a message naming the field and rule when the value is invalid
     */
    void check(Key key, byte[] value);
  }

  public StoredKind {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(check, "check");
  }

  /** Every resource kind ({@link Kind#all()}), each value checked by decoding and validating it. */
  public static List<StoredKind> resources() {
    ResourceCodec codec = new ResourceCodec();
    return Kind.all().stream()
        .map(
            k ->
                new StoredKind(
                    k.storageKind(), (key, value) -> checkResource(codec, k, key, value)))
        .toList();
  }

  private static void checkResource(ResourceCodec codec, Kind<?> kind, Key key, byte[] value) {
    Resource r = codec.fromStorage(kind, value, 1);
    if (!r.storageName().equals(key.name())) {
      throw new IllegalArgumentException(
          key
              + ": the value's metadata names \""
              + r.storageName()
              + "\", not \""
              + key.name()
              + "\"");
    }
    Validator.check(r);
  }
}
