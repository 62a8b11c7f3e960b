package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreConformanceTest;
import java.net.URI;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The contract checks on fabric8's CRUD mock server, standing in for a kube-apiserver (none
 * installs here), extended where it differs from a real API server ({@link ApiServerLike}). Restart
 * stops the server and starts another on the same port with the same state (writes fail with
 * Unavailable meanwhile, watches reconnect with backoff); history loss is the fixture's compaction,
 * so the 410 Gone path runs.
 *
 * <p>Exactly the four tests of atomic multi-write commits are skipped: the API server has no
 * multi-object transaction, so this backend takes one write per commit ({@code maxOpsPerCommit()}
 * 1) and callers take their single-write paths. Any other skip (restart or history loss no longer
 * offered, say) fails the class.
 */
class KubernetesDatastoreConformanceTest extends DatastoreConformanceTest {
  private static final Set<String> SKIPPED_BY_DESIGN =
      Set.of(
          "commitAppliesMixedCreateUpdateDeleteTogether",
          "commitWithOneFailingConditionAppliesNothingAndNamesTheFailingWrite",
          "watchDeliversEveryWriteOfACommitInOrderAndNeverAPartOfIt",
          "concurrentCommitsOfTwoCountersAreExactAndNeverSeenApart");
  private static final Set<String> skipped = ConcurrentHashMap.newKeySet();
  private static ApiServerLike server;

  @RegisterExtension
  static final TestWatcher SKIPS =
      new TestWatcher() {
        @Override
        public void testAborted(ExtensionContext context, Throwable cause) {
          skipped.add(context.getRequiredTestMethod().getName());
        }
      };

  @BeforeAll
  static void startServer() {
    server = ApiServerLike.start();
  }

  @AfterAll
  static void everyRequestIsADeclaredApiAccess() {
    try {
      assertThat(skipped).as("skipped tests").isEqualTo(SKIPPED_BY_DESIGN);
      Set<String> undeclared = new TreeSet<>();
      Set<ApiAccess.Grant> declared = ApiAccess.datastore();
      for (String r : server.requests()) {
        String method = r.substring(0, r.indexOf(' '));
        URI uri = URI.create(r.substring(r.indexOf(' ') + 1));
        // "", "apis", group, version, plural[, name]
        String[] parts = uri.getPath().split("/");
        boolean watch = uri.getRawQuery() != null && uri.getRawQuery().contains("watch=true");
        String verb = ApiAccess.verb(method, parts.length == 5, watch);
        ApiAccess.Grant grant =
            parts.length >= 5 ? new ApiAccess.Grant(parts[2], parts[4], verb) : null;
        // The suite's own kinds (Conf...) have no CRD; their verbs must still be the contract's.
        boolean testKind =
            grant != null
                && !StoredKinds.all().stream().map(StoredKinds::plural).toList().contains(parts[4]);
        boolean ok =
            grant != null
                && (declared.contains(grant)
                    || (testKind
                        && grant.group().equals(StoredKinds.GROUP)
                        && ApiAccess.VERBS.contains(verb)));
        if (!ok) undeclared.add(verb + " " + uri.getPath());
      }
      assertThat(undeclared).as("requests outside ApiAccess").isEmpty();
    } finally {
      server.stop();
    }
  }

  @Override
  protected Datastore openStore() {
    return KubernetesDatastore.connect(server.config());
  }

  @Override
  protected boolean restartBackend() {
    server.restart();
    return true;
  }

  @Override
  protected boolean forceHistoryLoss(long revision) {
    server.compact(revision);
    return true;
  }
}
