package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whatever a user feeds {@code apply -f}, the codec either returns resources or throws a {@link
 * CodecException}: never another exception type, which the CLI would print as a stack trace.
 */
class ResourceCodecRobustnessTest {

  private final ResourceCodec codec = new ResourceCodec();

  private static final String[] INSERTS = {
    ":",
    " ",
    "\n",
    "-",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "#",
    "&a",
    "*a",
    "!!int",
    "1.5",
    "null",
    "kind: List",
    "items:",
    "---\n",
    "\t",
    "0x1F",
    "999999999999999999999",
    "~"
  };

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12, 13, 14})
  void mutatedManifestsFailOnlyWithCodecExceptions(long seed) {
    List<Resource> all = ResourceCodecTest.everyKindFullyPopulated();
    String yaml = codec.toYaml(all);
    String json = codec.toJson(all);
    SplittableRandom rnd = new SplittableRandom(seed);
    int parsed = 0;
    for (int i = 0; i < 400; i++) {
      String base = rnd.nextBoolean() ? yaml : json;
      StringBuilder sb = new StringBuilder(base);
      int edits = 1 + rnd.nextInt(3);
      for (int e = 0; e < edits; e++) {
        int at = rnd.nextInt(sb.length());
        switch (rnd.nextInt(3)) {
          case 0 -> sb.deleteCharAt(at);
          case 1 -> sb.insert(at, INSERTS[rnd.nextInt(INSERTS.length)]);
          default -> sb.delete(at, Math.min(sb.length(), at + 1 + rnd.nextInt(20)));
        }
      }
      String input = sb.toString();
      try {
        codec.read(input, "fuzz");
        parsed++;
      } catch (CodecException expected) {
        assertThat(expected.getMessage()).startsWith("fuzz: document ");
      } catch (RuntimeException e) {
        fail("seed " + seed + " case " + i + ": " + e + " for input:\n" + input, e);
      }
    }
    // the mutations must not be so destructive that nothing is ever read
    assertThat(parsed).as("seed %d: inputs that still parsed", seed).isPositive();
  }
}
