package dev.netctl.ctl;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What the resource verbs share: the root's global options, the output writers, and a datastore
 * opened for the length of one command and closed after it.
 */
abstract class ResourceVerb implements Callable<Integer> {

  /** One datastore call may take this long before the command fails with UNAVAILABLE. */
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  static final ResourceCodec CODEC = new ResourceCodec();

  @ParentCommand Netctl root;

  @Spec CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /**
   * Runs {@code work} against the datastore of {@code --datastore}, then closes it; {@code use}
   * says whether the verb may create an embedded store file that does not exist yet.
   */
  int withClient(StoreUse use, Function<ResourceClient, Integer> work) {
    try (Datastore store = root.datastore().open(use)) {
      int code = work.apply(new ResourceClient(store, CODEC, Clock.systemUTC(), TIMEOUT));
      out().flush();
      err().flush();
      return code;
    }
  }

  /**
   * Refuses the whole input, before anything is written, when any object's presence in the store is
   * not {@code mustExist}: each offender is named on its own line, then {@code verdict}.
   */
  static void requirePresence(
      ResourceClient client, List<Manifest> manifests, boolean mustExist, String verdict) {
    List<String> offenders = new ArrayList<>();
    for (Manifest m : manifests) {
      Resource r = m.resource();
      if (client.find(r.kind(), r.storageName()).isPresent() != mustExist) {
        Key key = new Key(r.kind().storageKind(), r.storageName());
        offenders.add(
            mustExist
                ? new DatastoreException.NotFound(key).getMessage()
                : new DatastoreException.AlreadyExists(key).getMessage());
      }
    }
    if (!offenders.isEmpty()) {
      offenders.add(verdict);
      throw new CliException(
          mustExist ? ExitCode.NOT_FOUND : ExitCode.ALREADY_EXISTS, String.join("\n", offenders));
    }
  }
}
