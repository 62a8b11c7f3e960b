package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupTrainingTest {
  @TempDir Path dir;

  /** A training command that fails would record an error path instead of the everyday one. */
  @Test
  void everyTrainingCommandSucceedsInItsScratchDirectory() {
    assertThat(StartupTraining.run(dir)).isEmpty();
    assertThat(dir.resolve("training.db")).isRegularFile();
  }
}
