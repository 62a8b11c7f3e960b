package dev.netctl.ctl;

import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code netctl label KIND NAME key=value... key-...}: sets and removes labels. Changing a label
 * that already has another value needs {@code --overwrite} (kubectl's guard against clobbering a
 * label a selector depends on); removing an absent label only warns. The write is a
 * compare-and-swap against the revision read.
 */
@Command(
    name = "label",
    description = {
      "Set (key=value) or remove (key-) labels of a resource.",
      "Examples: netctl label node n1 rack=a;  netctl label node n1 rack=b --overwrite;"
          + "  netctl label node n1 rack-"
    })
final class LabelCommand extends ResourceVerb {

  @Parameters(
      index = "0",
      paramLabel = "KIND",
      completionCandidates = Kinds.Candidates.class,
      description = "Resource kind.")
  String kindName;

  @Parameters(index = "1", paramLabel = "NAME", description = "Resource name.")
  String name;

  @Parameters(
      index = "2..*",
      arity = "1..*",
      paramLabel = "KEY=VALUE|KEY-",
      description = "Labels to set, or to remove with a trailing '-'.")
  List<String> changes = new ArrayList<>();

  @Option(names = "--overwrite", description = "Allow changing the value of an existing label.")
  boolean overwrite;

  @Mixin NamespaceOptions namespaces;

  @Override
  public Integer call() {
    Kind<?> kind = Kinds.lookup(kindName);
    namespaces.check(kind, false);
    String key = namespaces.storageName(kind, name);
    Map<String, String> set = new LinkedHashMap<>();
    List<String> remove = new ArrayList<>();
    for (String c : changes) {
      int eq = c.indexOf('=');
      if (eq > 0) {
        set.put(c.substring(0, eq), c.substring(eq + 1));
      } else if (c.endsWith("-") && c.length() > 1 && eq < 0) {
        remove.add(c.substring(0, c.length() - 1));
      } else {
        throw new CliException(
            ExitCode.USAGE, "\"" + c + "\" is neither KEY=VALUE (set a label) nor KEY- (remove)");
      }
    }
    for (String k : remove) {
      if (set.containsKey(k)) {
        throw new CliException(ExitCode.USAGE, "label \"" + k + "\" is both set and removed");
      }
    }
    return withClient(
        StoreUse.EXISTING,
        client -> {
          Resource current = client.get(kind, key);
          Map<String, String> labels = new TreeMap<>(current.metadata().labels());
          for (var e : set.entrySet()) {
            String old = labels.get(e.getKey());
            if (old != null && !old.equals(e.getValue()) && !overwrite) {
              throw new CliException(
                  ExitCode.INVALID,
                  kind.name()
                      + " \""
                      + key
                      + "\": label \""
                      + e.getKey()
                      + "\" already has the value \""
                      + old
                      + "\"; use --overwrite to change it");
            }
            labels.put(e.getKey(), e.getValue());
          }
          for (String k : remove) {
            if (labels.remove(k) == null) {
              err().println("warning: label \"" + k + "\" not found on " + Kinds.ref(current));
            }
          }
          if (labels.equals(current.metadata().labels())) {
            out().println(Kinds.ref(current) + " not labeled");
            return ExitCode.OK;
          }
          Resource updated =
              client.update(current.withMetadata(current.metadata().withLabels(labels)));
          out().println(Kinds.ref(updated) + (set.isEmpty() ? " unlabeled" : " labeled"));
          return ExitCode.OK;
        });
  }
}
