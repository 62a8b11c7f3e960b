package dev.netctl.datastore.status;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.model.Resource;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the controller records its verdict on an object. On Kubernetes that is the custom
 * resource's {@code status.conditions} and, for a refusal, a {@code v1} Event naming the object; on
 * etcd and embedded, whose stored objects have no status, a log line.
 */
public interface StatusRecorder {

  /** Records {@code condition} on {@code resource}, replacing its earlier condition of the type. */
  void record(Resource resource, Condition condition);

  /** A {@link Datastore#capability}: conditions kept on the objects (the Kubernetes backend). */
  interface Source {
    /**
     * @param component who records, e.g. {@code netctl-controller} (the Event's source)
     */
    StatusRecorder statusRecorder(String component);
  }

  /** The store's own recorder when it has one, else a log line per condition. */
  static StatusRecorder forStore(Datastore store, String component, Consumer<String> log) {
    Optional<Source> own = store.capability(Source.class);
    if (own.isPresent()) return own.get().statusRecorder(component);
    return (resource, condition) ->
        log.accept(
            resource.kind().name()
                + " \""
                + resource.storageName()
                + "\" "
                + condition.type()
                + "="
                + condition.status()
                + " ("
                + condition.reason()
                + "): "
                + condition.message());
  }
}
