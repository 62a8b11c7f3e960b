package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CompletionCommandTest {

  @Test
  void bashScriptCompletesVerbsKindsAndFormats() {
    Cli.Run r = Cli.raw("", "completion", "bash");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .contains("complete -F _complete_netctl")
        .contains("get", "apply", "patch", "label", "validate", "convert")
        .contains("ippools", "bgppeer", "ipamconfig")
        .contains("wide");
  }

  @Test
  void zshGetsTheBashScriptBehindBashcompinit() {
    Cli.Run r = Cli.raw("", "completion", "zsh");
    assertThat(r.out()).startsWith("autoload -U +X compinit && compinit\n");
    assertThat(r.out()).contains("complete -F _complete_netctl");
  }

  @Test
  void picocliGenerateCompletionStillWorks() {
    assertThat(Cli.raw("", "generate-completion").out()).contains("complete -F _complete_netctl");
  }

  @Test
  void otherShellsAreAUsageError() {
    Cli.Run r = Cli.raw("", "completion", "fish");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).isEqualTo("error: unsupported shell \"fish\"; use bash or zsh\n");
  }
}
