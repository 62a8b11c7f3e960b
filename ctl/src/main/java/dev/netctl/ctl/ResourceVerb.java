package dev.netctl.ctl;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.ResourceCodec;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
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

  /** Runs {@code work} against the datastore of {@code --datastore}, then closes it. */
  int withClient(Function<ResourceClient, Integer> work) {
    try (Datastore store = root.datastore().open()) {
      int code = work.apply(new ResourceClient(store, CODEC, Clock.systemUTC(), TIMEOUT));
      out().flush();
      err().flush();
      return code;
    }
  }
}
