package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BarChartTest {
  @TempDir Path dir;

  @Test
  void writesAReadablePngWithOneRowOfPanelsPerScenario() throws Exception {
    System.setProperty("java.awt.headless", "true");
    List<Result> results =
        List.of(
            new Result("bird", "fanout", 100, 100, 1, Double.NaN, 0.5, 7000, 0.1, ""),
            new Result("frr", "fanout", 100, 100, 1, Double.NaN, 8.0, 90000, 0.3, ""),
            new Result("bird", "bulk", 2, 1000, 0.1, Double.NaN, 0.3, 14000, 0.1, ""));
    Path png = dir.resolve("chart.png");
    BarChart.write(results, "test", png);
    BufferedImage one = ImageIO.read(png.toFile());
    BufferedImage single = BarChart.render(results.subList(0, 2), "test");
    assertThat(one).isNotNull();
    assertThat(one.getWidth()).isEqualTo(single.getWidth());
    assertThat(one.getHeight())
        .as("two scenarios, two panel rows")
        .isGreaterThan(single.getHeight());
    // the tallest bar (frr's convergence) is drawn in the second palette colour
    boolean hasFrrBar = false;
    for (int x = 0; x < single.getWidth() && !hasFrrBar; x++) {
      for (int y = 0; y < single.getHeight(); y++) {
        if ((single.getRGB(x, y) & 0xffffff) == 0xff7f0e) {
          hasFrrBar = true;
          break;
        }
      }
    }
    assertThat(hasFrrBar).isTrue();
  }
}
