package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class CreateCommandTest {
  @TempDir Path dir;

  static String pool(String name, String cidr) {
    return "apiVersion: netctl.dev/v1\nkind: IPPool\nmetadata: {name: "
        + name
        + "}\nspec: {cidr: "
        + cidr
        + "}\n";
  }

  @Test
  void createsEveryObjectInInputOrder() {
    Cli cli = new Cli("embedded:" + dir.resolve("s.db"));
    Cli.Run r =
        cli.runWithStdin(
            pool("b", "10.1.0.0/16") + "---\n" + pool("a", "10.2.0.0/16"), "create", "-f", "-");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("ippool.netctl.dev/b created\nippool.netctl.dev/a created\n");
  }

  @Test
  void isAllOrNothingWhenSomeObjectsExist() {
    String spec = "embedded:" + dir.resolve("s.db");
    Cli cli = new Cli(spec);
    assertThat(cli.runWithStdin(pool("a", "10.1.0.0/16"), "create", "-f", "-").exitCode()).isZero();
    StoreSnapshot before = StoreSnapshot.of(spec);

    Cli.Run r =
        cli.runWithStdin(
            pool("new1", "10.5.0.0/16") + "---\n" + pool("a", "10.1.0.0/16"), "create", "-f", "-");
    assertThat(r.exitCode()).isEqualTo(ExitCode.ALREADY_EXISTS);
    assertThat(r.err())
        .isEqualTo("error: IPPool \"a\" already exists\nerror: nothing was created\n");
    assertThat(r.out()).isEmpty();
    assertThat(StoreSnapshot.of(spec)).isEqualTo(before);
  }
}
