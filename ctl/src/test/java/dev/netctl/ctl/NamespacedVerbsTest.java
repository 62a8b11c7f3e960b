package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * calicoctl's namespace rules on every verb that names objects: {@code default} unless {@code -n},
 * {@code -A} for get only, {@code -n} refused for cluster-scoped kinds, and a manifest's object
 * without a namespace put in {@code -n}'s.
 */
@Timeout(60)
class NamespacedVerbsTest {
  @TempDir Path dir;
  Cli cli;

  /** The same policy name in two namespaces, one in default. */
  static final String POLICIES =
      """
      apiVersion: projectcalico.org/v3
      kind: NetworkPolicy
      metadata: {name: allow-web, namespace: shop}
      spec: {selector: app == 'web', order: 1}
      ---
      apiVersion: projectcalico.org/v3
      kind: NetworkPolicy
      metadata: {name: allow-web}
      spec: {selector: app == 'web', order: 2}
      ---
      apiVersion: projectcalico.org/v3
      kind: NetworkPolicy
      metadata: {name: deny-db, namespace: shop}
      spec: {selector: app == 'db', order: 3}
      """;

  @BeforeEach
  void seed() {
    cli = new Cli("embedded:" + dir.resolve("s.db"));
    Cli.Run r = cli.runWithStdin(POLICIES, "apply", "-f", "-");
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

  private String names(String... args) {
    Cli.Run r = cli.run(args);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r.out();
  }

  @Test
  void getListsDefaultWithoutMinusNAndEveryNamespaceWithMinusA() {
    assertThat(names("get", "networkpolicies", "-o", "yaml"))
        .contains("order: 2")
        .doesNotContain("order: 1", "order: 3");
    assertThat(names("get", "networkpolicies", "-n", "shop", "-o", "name")).hasLineCount(2);
    assertThat(names("get", "networkpolicies", "-A", "-o", "name")).hasLineCount(3);
    assertThat(names("get", "networkpolicy", "allow-web", "-A", "-o", "yaml"))
        .as("-A with a NAME finds it in every namespace")
        .contains("namespace: shop", "namespace: default");

    Cli.Run none = cli.run("get", "networkpolicies", "-n", "team");
    assertThat(none.exitCode()).isZero();
    assertThat(none.err())
        .as("an empty list names the one namespace it looked in, as kubectl does")
        .isEqualTo("No resources found in team namespace.\n");
    assertThat(cli.run("get", "networkpolicies", "-A", "-l", "app == 'none'").err())
        .isEqualTo("No resources found.\n");

    Cli.Run missing = cli.run("get", "networkpolicy", "deny-db");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(missing.err()).isEqualTo("error: NetworkPolicy \"default/deny-db\" not found\n");
    Cli.Run nowhere = cli.run("get", "networkpolicy", "nope", "-A");
    assertThat(nowhere.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(nowhere.err())
        .isEqualTo("error: NetworkPolicy \"nope\" not found in any namespace\n");
  }

  @Test
  void deleteActsOnDefaultWithoutMinusNAndTakesNoMinusA() {
    Cli.Run missing = cli.run("delete", "networkpolicy", "deny-db");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(missing.err()).isEqualTo("error: NetworkPolicy \"default/deny-db\" not found\n");

    Cli.Run all = cli.run("delete", "networkpolicy", "deny-db", "-A");
    assertThat(all.exitCode()).as("calicoctl's delete has no -A").isEqualTo(ExitCode.USAGE);

    Cli.Run deleted = cli.run("delete", "networkpolicy", "allow-web");
    assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
    assertThat(deleted.out()).isEqualTo("networkpolicy.netctl.dev \"default/allow-web\" deleted\n");
    assertThat(names("get", "networkpolicies", "-A", "-o", "name"))
        .as("the namesake in shop stays")
        .hasLineCount(2);

    assertThat(names("delete", "networkpolicy", "deny-db", "-n", "shop")).contains("shop/deny-db");
    assertThat(names("get", "networkpolicies", "-n", "shop", "-o", "yaml"))
        .contains("order: 1")
        .doesNotContain("order: 3");
  }

  @Test
  void patchAndLabelTakeMinusN() {
    Cli.Run inDefault =
        cli.run("patch", "networkpolicy", "deny-db", "-p", "{\"spec\":{\"order\":9}}");
    assertThat(inDefault.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(inDefault.err()).isEqualTo("error: NetworkPolicy \"default/deny-db\" not found\n");

    assertThat(
            names(
                "patch",
                "networkpolicy",
                "allow-web",
                "-n",
                "shop",
                "-p",
                "{\"spec\":{\"order\":9}}"))
        .isEqualTo("networkpolicy.netctl.dev/allow-web patched\n");
    assertThat(names("get", "networkpolicy", "allow-web", "-n", "shop", "-o", "yaml"))
        .contains("order: 9");
    assertThat(names("get", "networkpolicy", "allow-web", "-o", "yaml")).contains("order: 2");

    Cli.Run moved =
        cli.run(
            "patch", "networkpolicy", "allow-web", "-p", "{\"metadata\":{\"namespace\":\"shop\"}}");
    assertThat(moved.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(moved.err()).contains("must not change kind, metadata.name or metadata.namespace");

    assertThat(names("label", "networkpolicy", "deny-db", "tier=gold", "-n", "shop"))
        .isEqualTo("networkpolicy.netctl.dev/deny-db labeled\n");
    assertThat(names("get", "networkpolicies", "-A", "-l", "tier == 'gold'", "-o", "name"))
        .hasLineCount(1);
  }

  @Test
  void aManifestWithoutNamespaceGoesToMinusNAndAnotherNamespaceIsRefused() {
    String unnamespaced =
        """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: from-file}
        spec: {selector: all(), order: 7}
        """;
    Cli.Run created = cli.runWithStdin(unnamespaced, "create", "-f", "-", "-n", "team");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(names("get", "networkpolicy", "from-file", "-n", "team", "-o", "yaml"))
        .contains("namespace: team");
    assertThat(cli.run("get", "networkpolicy", "from-file").exitCode())
        .isEqualTo(ExitCode.NOT_FOUND);

    Cli.Run applied = cli.runWithStdin(unnamespaced, "apply", "-f", "-");
    assertThat(applied.exitCode()).as(applied.toString()).isZero();
    assertThat(names("get", "networkpolicy", "from-file", "-o", "yaml"))
        .as("without -n a manifest's namespaced object goes to default")
        .contains("namespace: default");

    Cli.Run replaced =
        cli.runWithStdin(unnamespaced.replace("order: 7", "order: 8"), "replace", "-f", "-");
    assertThat(replaced.exitCode()).as(replaced.toString()).isZero();
    assertThat(names("get", "networkpolicy", "from-file", "-o", "yaml")).contains("order: 8");
    assertThat(names("get", "networkpolicy", "from-file", "-n", "team", "-o", "yaml"))
        .contains("order: 7");
    Cli.Run again = cli.runWithStdin(unnamespaced, "create", "-f", "-", "-n", "team");
    assertThat(again.exitCode()).isEqualTo(ExitCode.ALREADY_EXISTS);
    assertThat(again.err()).contains("NetworkPolicy \"team/from-file\" already exists");

    Cli.Run other =
        cli.runWithStdin(
            unnamespaced.replace("{name: from-file}", "{name: from-file, namespace: shop}"),
            "replace",
            "-f",
            "-",
            "-n",
            "team");
    assertThat(other.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(other.err())
        .isEqualTo(
            "error: <stdin>: NetworkPolicy \"shop/from-file\": metadata.namespace \"shop\" does not"
                + " match -n \"team\"\n");

    Cli.Run deleted = cli.runWithStdin(unnamespaced, "delete", "-f", "-", "-n", "team");
    assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
    assertThat(names("get", "networkpolicies", "-A", "-o", "name"))
        .as("only team's copy is deleted")
        .contains("from-file");
    assertThat(cli.run("get", "networkpolicy", "from-file", "-n", "team").exitCode())
        .isEqualTo(ExitCode.NOT_FOUND);
  }

  @Test
  void aClusterScopedKindRefusesMinusNAndMinusA() {
    String pool =
        """
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata: {name: p}
        spec: {cidr: 10.8.0.0/16}
        """;
    Cli.Run applied = cli.runWithStdin(pool, "apply", "-f", "-", "-n", "shop");
    assertThat(applied.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(applied.err())
        .isEqualTo("error: <stdin>: IPPool \"p\": IPPool is not namespaced, but -n \"shop\"\n");
    assertThat(cli.runWithStdin(pool, "apply", "-f", "-").exitCode()).isZero();

    for (String[] args :
        new String[][] {
          {"get", "ippools", "-n", "shop"},
          {"get", "ippools", "-A"},
          {"delete", "ippool", "p", "-n", "shop"},
          {"patch", "ippool", "p", "-n", "shop", "-p", "{}"},
          {"label", "ippool", "p", "a=b", "-n", "shop"}
        }) {
      Cli.Run r = cli.run(args);
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.USAGE);
      assertThat(r.err()).startsWith("error: IPPool is not namespaced: -");
    }
    assertThat(names("get", "ippools", "-o", "name")).as("nothing was deleted").hasLineCount(1);
  }

  @Test
  void aMalformedNamespaceIsAUsageErrorNotNotFound() {
    // A manifest's metadata.namespace "BAD_NS" is refused as invalid; -n and NS/NAME on the
    // command line say so too, rather than reporting an object that could never exist as missing.
    for (String[] args :
        new String[][] {
          {"get", "networkpolicy", "allow-web", "-n", "Shop"},
          {"get", "networkpolicies", "-n", "shop_1"},
          {"delete", "networkpolicy", "allow-web", "-n", "a.b"},
          {"label", "networkpolicy", "shop/", "a=b"},
          {"patch", "networkpolicy", "/allow-web", "-p", "{}"},
          {"get", "networkpolicy", "shop/allow-web/x", "-A"},
          {"delete", "networkpolicy", "Shop/allow-web"}
        }) {
      Cli.Run r = cli.run(args);
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.USAGE);
      assertThat(r.err())
          .as(r.toString())
          .contains("a namespace must be a lower-case DNS-1123 label");
    }
    Cli.Run bad = cli.run("get", "networkpolicy", "allow-web", "-n", "Shop");
    assertThat(bad.err())
        .isEqualTo(
            "error: -n \"Shop\": a namespace must be a lower-case DNS-1123 label (a-z, 0-9, '-';"
                + " at most 63)\n");
    Cli.Run slash = cli.run("label", "networkpolicy", "shop/", "a=b");
    assertThat(slash.err())
        .startsWith(
            "error: NetworkPolicy \"shop/\": a name is NAME or NAMESPACE/NAME with one '/'");
    assertThat(names("get", "networkpolicies", "-A", "-o", "name"))
        .as("nothing was deleted")
        .hasLineCount(3);
  }

  @Test
  void tablesShowTheNamespaceColumnOnlyWhenNamespacesWereAskedAbout() {
    // as calicoctl: NAMESPACE with -A or -n, not for the default namespace's list
    assertThat(names("get", "networkpolicies"))
        .isEqualTo(
            """
            NAME        TIER      ORDER   SELECTOR
            allow-web   default   2       app == 'web'
            """);
    assertThat(names("get", "networkpolicies", "-o", "wide").lines().findFirst().orElseThrow())
        .startsWith("NAME        TIER")
        .contains("EGRESS");
    assertThat(names("get", "networkpolicies", "-A"))
        .isEqualTo(
            """
            NAMESPACE   NAME        TIER      ORDER   SELECTOR
            default     allow-web   default   2       app == 'web'
            shop        allow-web   default   1       app == 'web'
            shop        deny-db     default   3       app == 'db'
            """);
    assertThat(
            names("get", "networkpolicies", "-n", "shop", "-o", "wide")
                .lines()
                .findFirst()
                .orElseThrow())
        .startsWith("NAMESPACE   NAME        TIER")
        .contains("EGRESS");
    assertThat(names("get", "networkpolicy", "shop/deny-db").lines().findFirst())
        .as("a NAME that says its namespace shows it")
        .hasValue("NAMESPACE   NAME      TIER      ORDER   SELECTOR");
    assertThat(names("get", "networkpolicies", "-o", "yaml"))
        .as("yaml (and json) always carry the namespace")
        .contains("namespace: default");
  }

  @Test
  void minusAIsTakenAsMinusAllNamespacesAsCalicoctlDoes() {
    Cli.Run lower = cli.run("get", "networkpolicies", "-a");
    assertThat(lower.exitCode()).as(lower.toString()).isZero();
    assertThat(lower.out()).isEqualTo(names("get", "networkpolicies", "-A"));
    assertThat(cli.run("get", "networkpolicies", "-a", "-n", "shop").err())
        .isEqualTo("error: give either -n NAMESPACE or -A, not both\n");
    assertThat(cli.run("get", "ippools", "-a").err()).startsWith("error: IPPool is not namespaced");
    assertThat(cli.run("get", "--help").out())
        .as("hidden, as in calicoctl: -A is the documented spelling")
        .doesNotContain("  -a");
  }

  @Test
  void violationsNameANamespacedPolicyAsNamespaceSlashName() {
    String bad =
        """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: allow-web, namespace: shop}
        spec: {selector: app == 'web', order: 1, types: [Sideways]}
        """;
    for (String verb : new String[] {"create", "apply", "replace", "validate"}) {
      Cli.Run r = cli.runWithStdin(bad, verb, "-f", "-");
      assertThat(r.exitCode()).as(verb + ": " + r).isEqualTo(ExitCode.INVALID);
      assertThat(r.err())
          .as(verb)
          .isEqualTo(
              "error: <stdin>: NetworkPolicy \"shop/allow-web\": spec.types[0] \"Sideways\" must be"
                  + " Ingress or Egress\n");
    }
    // a violation found by the datastore client (patch has no manifest to check first)
    Cli.Run patched =
        cli.run(
            "patch",
            "networkpolicy",
            "deny-db",
            "-n",
            "shop",
            "-p",
            "{\"spec\":{\"types\":[\"Up\"]}}");
    assertThat(patched.exitCode()).as(patched.toString()).isEqualTo(ExitCode.INVALID);
    assertThat(patched.err()).contains("NetworkPolicy \"shop/deny-db\": spec.types[0] \"Up\"");

    // one name in two namespaces is two objects: validate names each, and finds no duplicate
    Cli.Run both = cli.runWithStdin(POLICIES, "validate", "-f", "-");
    assertThat(both.exitCode()).as(both.toString()).isZero();
    assertThat(both.out()).hasLineCount(3);
    Cli.Run twice = cli.runWithStdin(bad + "---\n" + bad, "validate", "-f", "-");
    assertThat(twice.err())
        .contains(
            "NetworkPolicy \"shop/allow-web\": metadata.name \"allow-web\" must not appear twice");
  }

  @Test
  void aRuleMixingIpFamiliesIsRefusedNamingPolicyFieldAndValue() {
    String mixed =
        """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: mixed, namespace: shop}
        spec:
          ingress:
          - action: Allow
            source: {nets: [10.0.0.0/8, "fd00::/8"]}
        """;
    Cli.Run r = cli.runWithStdin(mixed, "apply", "-f", "-");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.INVALID);
    assertThat(r.err())
        .isEqualTo(
            "error: <stdin>: NetworkPolicy \"shop/mixed\": spec.ingress[0].source.nets[1]"
                + " \"fd00::/8\" is an IPv6 net but source.nets[0] \"10.0.0.0/8\" is IPv4: a rule's"
                + " nets must be of one IP family (as Calico requires); split it into one rule per"
                + " family\n");
    assertThat(names("get", "networkpolicies", "-A", "-o", "name")).hasLineCount(3);
  }
}
