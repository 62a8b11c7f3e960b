package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class PatchCommandTest {
  @TempDir Path dir;
  String spec;
  Cli cli;

  static final String POOL =
      """
      apiVersion: netctl.dev/v1
      kind: IPPool
      metadata: {name: p, labels: {tier: gold}}
      spec: {cidr: 10.9.0.0/16, natOutgoing: true, nodeSelector: "rack == 'a'"}
      """;

  @BeforeEach
  void seed() {
    spec = "embedded:" + dir.resolve("s.db");
    cli = new Cli(spec);
    assertThat(cli.runWithStdin(POOL, "create", "-f", "-").exitCode()).isZero();
  }

  @Test
  void mergesObjectsAndNullRemovesAField() {
    Cli.Run r =
        cli.run(
            "patch",
            "pool",
            "p",
            "-p",
            "{\"metadata\":{\"labels\":{\"zone\":\"z1\"}},"
                + "\"spec\":{\"natOutgoing\":null,\"nodeSelector\":null,\"disabled\":true}}");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("ippool.netctl.dev/p patched\n");
    String yaml = cli.run("get", "ippool", "p", "-o", "yaml").out();
    assertThat(yaml)
        .contains("tier: gold", "zone: z1", "disabled: true", "nodeSelector: all()")
        .doesNotContain("natOutgoing");
  }

  @Test
  void anArrayIsReplacedWhole() {
    Cli.Run r = cli.run("patch", "ippool", "p", "-p", "{\"spec\":{\"allowedUses\":[\"Tunnel\"]}}");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(cli.run("get", "ippool", "p", "-o", "json").out())
        .contains("\"allowedUses\": [\n      \"Tunnel\"\n    ]");
  }

  @Test
  void aPatchThatChangesNothingWritesNothing() {
    StoreSnapshot before = StoreSnapshot.of(spec);
    Cli.Run r = cli.run("patch", "ippool", "p", "-p", "{\"spec\":{\"natOutgoing\":true}}");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo("ippool.netctl.dev/p patched (no change)\n");
    assertThat(StoreSnapshot.of(spec)).isEqualTo(before);
  }

  @Test
  void theResultIsValidatedLikeAnUpdateAndNothingIsWrittenWhenInvalid() {
    StoreSnapshot before = StoreSnapshot.of(spec);

    Cli.Run immutable =
        cli.run("patch", "ippool", "p", "-p", "{\"spec\":{\"cidr\":\"10.8.0.0/16\"}}");
    assertThat(immutable.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(immutable.err())
        .contains("IPPool \"p\"", "spec.cidr", "10.8.0.0/16", "cannot be changed");

    Cli.Run badEnum = cli.run("patch", "ippool", "p", "-p", "{\"spec\":{\"ipipMode\":\"Often\"}}");
    assertThat(badEnum.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(badEnum.err()).contains("spec.ipipMode", "Often", "must be one of");

    Cli.Run rename = cli.run("patch", "ippool", "p", "-p", "{\"metadata\":{\"name\":\"q\"}}");
    assertThat(rename.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(rename.err()).contains("must not change kind, metadata.name or metadata.namespace");

    Cli.Run notJson = cli.run("patch", "ippool", "p", "-p", "{spec:");
    assertThat(notJson.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(notJson.err()).startsWith("error: patch \"{spec:\" is not valid JSON");

    Cli.Run notObject = cli.run("patch", "ippool", "p", "-p", "[1]");
    assertThat(notObject.exitCode()).isEqualTo(ExitCode.INVALID);

    assertThat(StoreSnapshot.of(spec)).isEqualTo(before);
  }

  @Test
  void aPatchOfTheKindIsRefusedAsSuchNotReadAsAnotherKind() {
    // Decoded first, an IPPool's spec read as a BGPPeer's complained of spec.cidr being unknown,
    // which hid what was wrong: the patch tried to turn the object into another kind.
    StoreSnapshot before = StoreSnapshot.of(spec);
    Cli.Run r = cli.run("patch", "ippool", "p", "-p", "{\"kind\":\"BGPPeer\"}");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.INVALID);
    assertThat(r.err())
        .isEqualTo(
            "error: IPPool \"p\": the patch must not change kind, metadata.name or"
                + " metadata.namespace (kind \"BGPPeer\")\n");
    Cli.Run removed = cli.run("patch", "ippool", "p", "-p", "{\"kind\":null}");
    assertThat(removed.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(removed.err()).contains("must not change kind", "(kind <none>)");
    assertThat(StoreSnapshot.of(spec)).isEqualTo(before);
  }

  @Test
  void aFieldTheCodecRefusesIsReportedAgainstTheResourceNotADocument() {
    Cli.Run badBool = cli.run("patch", "ippool", "p", "-p", "{\"spec\":{\"natOutgoing\":\"yes\"}}");
    assertThat(badBool.exitCode()).as(badBool.toString()).isEqualTo(ExitCode.INVALID);
    assertThat(badBool.err())
        .startsWith("error: IPPool \"p\" (patched): field spec.natOutgoing \"yes\" must be true")
        .doesNotContain("document");

    Cli.Run unknown = cli.run("patch", "ippool", "p", "-p", "{\"spec\":{\"bogus\":1}}");
    assertThat(unknown.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(unknown.err())
        .startsWith("error: IPPool \"p\" (patched): field spec.bogus is not a known field")
        .doesNotContain("document");
  }

  @Test
  void missingObjectAndUnsupportedTypeAreReported() {
    Cli.Run missing = cli.run("patch", "ippool", "ghost", "-p", "{}");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(missing.err()).isEqualTo("error: IPPool \"ghost\" not found\n");
    Cli.Run json = cli.run("patch", "ippool", "p", "--type", "json", "-p", "{}");
    assertThat(json.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(json.err()).contains("only merge");
  }
}
