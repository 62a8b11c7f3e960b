package dev.netctl.ctl;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The root's verbs, and which of them one command line needs.
 *
 * <p>picocli builds the model of every registered subcommand (reflection over each class's fields
 * and annotations) before it parses anything; for all verbs that was about half of a short
 * command's start-up. A command line that names a verb needs only that verb's model: its parsing,
 * help and errors happen inside the verb. Everything else — no verb, an unknown word, a root option
 * such as {@code --help}, an argument file — gets the whole tree, so root help, suggestions and
 * errors stay exactly as they were.
 */
final class Verbs {

  /** Every verb, in the order root help lists them. */
  static final List<Class<?>> ALL =
      List.of(
          GetCommand.class,
          CreateCommand.class,
          ApplyCommand.class,
          ReplaceCommand.class,
          DeleteCommand.class,
          PatchCommand.class,
          LabelCommand.class,
          ValidateCommand.class,
          ConvertCommand.class,
          VersionCommand.class,
          CompletionCommand.class,
          DemoCommand.class,
          IpamCommand.class,
          BgpCommand.class,
          NodeCommand.class,
          CniCommand.class,
          DatastoreCommand.class,
          ControllerCommand.class,
          PolicyCommand.class,
          AutoComplete.GenerateCompletion.class);

  /** Verbs that print the whole command tree (completion scripts), so they need all of it. */
  private static final Set<Class<?>> NEED_WHOLE_TREE =
      Set.of(CompletionCommand.class, AutoComplete.GenerateCompletion.class);

  private Verbs() {}

  /**
   * The verbs to register for {@code args}: the one verb it names when the words before it are only
   * the root's value options ({@code --datastore X}, {@code --etcd-ca=F}...), else {@link #ALL}.
   */
  static List<Class<?>> needed(String[] args) {
    Set<String> valueOptions = rootValueOptions();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (valueOptions.contains(a)) {
        i++; // its value, whatever it looks like
        continue;
      }
      int eq = a.indexOf('=');
      if (eq > 0 && valueOptions.contains(a.substring(0, eq))) continue;
      if (a.startsWith("-") || a.startsWith("@")) return ALL;
      Class<?> verb = byName().get(a);
      return verb == null || NEED_WHOLE_TREE.contains(verb) ? ALL : List.of(verb);
    }
    return ALL;
  }

  /** Whether {@code word} is a verb's name or alias. */
  static boolean isVerb(String word) {
    return byName().containsKey(word);
  }

  /** Names and aliases of every verb, read from its {@code @Command}. */
  private static Map<String, Class<?>> byName() {
    Map<String, Class<?>> out = new HashMap<>();
    for (Class<?> c : ALL) {
      Command cmd = c.getAnnotation(Command.class);
      out.put(cmd.name(), c);
      for (String alias : cmd.aliases()) out.put(alias, c);
    }
    return out;
  }

  /** The root's options that take a value: the datastore options, declared once in their class. */
  private static Set<String> rootValueOptions() {
    Set<String> out = new HashSet<>();
    for (Field f : DatastoreOptions.class.getDeclaredFields()) {
      Option o = f.getAnnotation(Option.class);
      if (o != null && f.getType() != boolean.class) out.addAll(List.of(o.names()));
    }
    return out;
  }

  /** For tests: every name a verb answers to. */
  static List<String> names() {
    return new ArrayList<>(byName().keySet());
  }
}
