package dev.netctl.datastore;

import java.util.List;
import java.util.Optional;

/**
 * Why a datastore operation failed. Each subclass says whether retrying can help.
 *
 * <p>Operations return failed futures carrying one of these, never a raw backend exception.
 */
public sealed class DatastoreException extends RuntimeException {

  private DatastoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The key does not exist. Not retryable. */
  public static final class NotFound extends DatastoreException {
    private final Key key;

    public NotFound(Key key) {
      super(key.kind() + " \"" + key.name() + "\" not found", null);
      this.key = key;
    }

    public Key key() {
      return key;
    }
  }

  /** A create found the key present. Not retryable. */
  public static final class AlreadyExists extends DatastoreException {
    private final Key key;

    public AlreadyExists(Key key) {
      super(key.kind() + " \"" + key.name() + "\" already exists", null);
      this.key = key;
    }

    public Key key() {
      return key;
    }
  }

  /**
   * A compare-and-swap lost: the stored revision is not the expected one. Carries the current entry
   * when the backend returns it with the failed comparison (etcd does), so the caller can retry
   * without another read. Retry after re-applying the change to the current value.
   */
  public static final class Conflict extends DatastoreException {
    private final Key key;
    private final long expectedRevision;
    private final Entry current;
    private final List<Conflict> all;

    public Conflict(Key key, long expectedRevision, Entry current) {
      this(
          describe(key, "expected revision " + expectedRevision, current),
          key,
          expectedRevision,
          current,
          null);
    }

    private Conflict(
        String message, Key key, long expectedRevision, Entry current, List<Conflict> all) {
      super(message, null);
      this.key = key;
      this.expectedRevision = expectedRevision;
      this.current = current;
      this.all = all == null ? List.of(this) : List.copyOf(all);
    }

    /**
     * A caller's own {@code metadata.resourceVersion} that is no longer the stored one: the object
     * changed after the caller read it. The message names the version given and the current one.
     */
    public static Conflict staleVersion(Key key, long givenRevision, Entry current) {
      return new Conflict(
          describe(key, "resourceVersion " + givenRevision + " given", current),
          key,
          givenRevision,
          current,
          null);
    }

    /**
     * Every conflict of one batch, so that a user fixing a stale file learns about all its stale
     * objects at once rather than one per attempt. The first is this exception's {@link #key()};
     * the message has one line per conflict.
     *
     * @throws IllegalArgumentException when {@code conflicts} is empty
     */
    public static Conflict ofAll(List<Conflict> conflicts) {
      if (conflicts.isEmpty()) throw new IllegalArgumentException("no conflicts");
      if (conflicts.size() == 1) return conflicts.getFirst();
      Conflict first = conflicts.getFirst();
      StringBuilder message = new StringBuilder();
      for (Conflict c : conflicts) {
        if (!message.isEmpty()) message.append('\n');
        message.append(c.getMessage());
      }
      return new Conflict(
          message.toString(), first.key, first.expectedRevision, first.current, conflicts);
    }

    private static String describe(Key key, String expected, Entry current) {
      return key.kind()
          + " \""
          + key.name()
          + "\" was modified concurrently ("
          + expected
          + (current == null ? ", now deleted)" : ", now " + current.revision() + ")");
    }

    /** Every object this failure is about: this conflict alone, or each of a batch's. */
    public List<Conflict> all() {
      return all;
    }

    public Key key() {
      return key;
    }

    public long expectedRevision() {
      return expectedRevision;
    }

    /** The entry now stored, if the backend returned it; empty when the key is gone. */
    public Optional<Entry> current() {
      return Optional.ofNullable(current);
    }
  }

  /**
   * The backend cannot be reached or failed. Retryable for reads; a write that failed this way may
   * or may not have been applied, so retry it only through compare-and-swap.
   */
  public static final class Unavailable extends DatastoreException {
    private final String address;
    private final String missingKind;

    public Unavailable(String address, String message, Throwable cause) {
      this(address, message, cause, null);
    }

    /**
     * @param missingKind the storage kind the backend has no place for (a Kubernetes CRD not
     *     installed) when that is the failure, else null
     */
    public Unavailable(String address, String message, Throwable cause, String missingKind) {
      super("datastore " + address + " unavailable: " + message, cause);
      this.address = address;
      this.missingKind = missingKind;
    }

    public String address() {
      return address;
    }

    /**
     * The storage kind this backend has no place for, when that is why it failed: then no object of
     * that kind can exist in it, which a reader of an optional kind may take as "none".
     */
    public java.util.Optional<String> missingKind() {
      return java.util.Optional.ofNullable(missingKind);
    }
  }

  /**
   * The datastore is locked for migration ({@code netctl datastore migrate lock}): netctl writers
   * refuse to change it until it is unlocked. Not retryable until an operator unlocks it.
   */
  public static final class Locked extends DatastoreException {
    private final String address;

    public Locked(String address, String what) {
      super(
          "datastore "
              + address
              + " is locked for migration (ClusterInformation \"default\" has datastoreReady:"
              + " false): refusing to "
              + what
              + "; run `netctl datastore migrate unlock` when the migration is over",
          null);
      this.address = address;
    }

    public String address() {
      return address;
    }
  }
}
