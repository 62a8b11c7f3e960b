package dev.netctl.ctl;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Kind;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.allocator.NodeDeletion;
import dev.netctl.ipam.allocator.PoolDeletion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code netctl delete KIND NAME...} or {@code netctl delete -f FILE}: deletes objects, continuing
 * past missing ones (reported at the end, exit NOT_FOUND unless {@code --ignore-not-found}), like
 * kubectl.
 */
@Command(
    name = "delete",
    description = {
      "Delete resources by kind and name, or those named in manifests.",
      "Examples: netctl delete ippool p;  netctl delete -f pools.yaml;"
          + "  netctl delete networkpolicy NAME -n NAMESPACE"
    })
final class DeleteCommand extends ResourceVerb {

  @Parameters(
      paramLabel = "KIND NAME",
      arity = "0..*",
      completionCandidates = Kinds.Candidates.class,
      description = "A kind followed by one or more names (or use -f).")
  List<String> args = new ArrayList<>();

  @Mixin FileOptions input;

  @Mixin NamespaceOptions namespaces;

  @Option(names = "--ignore-not-found", description = "Succeed when an object is already gone.")
  boolean ignoreNotFound;

  /** What to delete. */
  private record Target(Kind<?> kind, String name) {}

  @Override
  public Integer call() {
    List<Target> targets = new ArrayList<>();
    if (input.given()) {
      if (!args.isEmpty()) {
        throw new CliException(ExitCode.USAGE, "give either KIND NAME... or -f FILE, not both");
      }
      for (Manifest m : namespaces.read(input, root.stdin(), false)) {
        if (m.resource().name() == null || m.resource().name().isEmpty()) {
          throw new CliException(
              ExitCode.INVALID,
              m.source() + ": " + m.resource().kind() + ": metadata.name is required to delete");
        }
        targets.add(new Target(m.resource().kind(), m.resource().storageName()));
      }
    } else {
      if (args.size() < 2) {
        throw new CliException(
            ExitCode.USAGE, "usage: netctl delete KIND NAME... | netctl delete -f FILE");
      }
      Kind<?> kind = Kinds.lookup(args.getFirst());
      namespaces.check(kind, false);
      for (String n : args.subList(1, args.size())) {
        targets.add(new Target(kind, namespaces.storageName(kind, n)));
      }
    }
    return withClient(
        StoreUse.EXISTING,
        client -> {
          List<String> missing = new ArrayList<>();
          for (Target t : targets) {
            try {
              String with = "";
              if (t.kind() == Kind.IP_POOL) {
                PoolDeletion.delete(client, t.name()); // disable, release affinities, delete
              } else if (t.kind() == Kind.NODE) {
                with = deleteNode(client, t.name()); // and what is its alone
              } else {
                client.delete(t.kind(), t.name());
              }
              String line =
                  t.kind().name().toLowerCase(Locale.ROOT)
                      + "."
                      + Kinds.GROUP
                      + " \""
                      + t.name()
                      + "\" deleted";
              out().println(line);
              out().flush();
              if (!with.isEmpty()) {
                // Beside the usual line, which scripts match: what went with it, for a person.
                err().println(line + " with " + with);
                err().flush();
              }
            } catch (DatastoreException.NotFound e) {
              if (!ignoreNotFound) missing.add(e.getMessage());
            }
          }
          if (!missing.isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, String.join("\n", missing));
          }
          return ExitCode.OK;
        });
  }

  // A node, as NodeDeletion deletes one; returns what went with it. Refusals name the node.
  private static String deleteNode(ResourceClient client, String name) {
    try {
      return NodeDeletion.delete(client, name).summary();
    } catch (NodeDeletion.StillInCluster e) {
      throw new CliException(ExitCode.CONFLICT, e.getMessage());
    } catch (IpamException e) {
      throw new CliException(
          IpamExitCodes.of(e),
          "Node \""
              + name
              + "\": "
              + e.getMessage()
              + "; the Node is kept: delete it again to release what is left");
    }
  }
}
