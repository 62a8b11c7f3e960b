package dev.netctl.bench.bgp;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws the results as a PNG without any charting library (headless AWT): one row per scenario,
 * convergence time on the left and peak memory on the right, one bar per DUT.
 */
final class BarChart {
  private static final int PANEL_W = 520;
  private static final int PANEL_H = 230;
  private static final int MARGIN = 50;
  private static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xff7f0e),
    new Color(0x2ca02c),
    new Color(0xd62728),
    new Color(0x9467bd),
    new Color(0x8c564b)
  };

  private static final ToDoubleFunction<Result> CONVERGENCE =
      r -> r.ok() ? r.convergeSeconds() : Double.NaN;
  private static final ToDoubleFunction<Result> PEAK_MIB =
      r -> r.peakRssKb() < 0 ? Double.NaN : r.peakRssKb() / 1024.0;

  private BarChart() {}

  private static String failure(Result r) {
    if (r.error().contains("timed out")) {
      return "timeout";
    }
    return r.error().contains("does not reflect") ? "n/a" : "failed";
  }

  /** Renders the chart image. */
  static BufferedImage render(List<Result> results, String title) {
    Set<String> scenarios = new LinkedHashSet<>();
    Set<String> duts = new LinkedHashSet<>();
    results.forEach(
        r -> {
          scenarios.add(r.scenario());
          duts.add(r.dut());
        });
    int width = 2 * PANEL_W + 3 * MARGIN;
    int height = 70 + scenarios.size() * (PANEL_H + MARGIN) + 30;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
      g.drawString(title, MARGIN, 28);
      int lx = MARGIN;
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      int di = 0;
      for (String d : duts) {
        g.setColor(PALETTE[di++ % PALETTE.length]);
        g.fillRect(lx, 42, 12, 12);
        g.setColor(Color.BLACK);
        g.drawString(d, lx + 16, 53);
        lx += 30 + g.getFontMetrics().stringWidth(d);
      }
      int y = 70;
      for (String s : scenarios) {
        List<Result> rows = results.stream().filter(r -> r.scenario().equals(s)).toList();
        String size = rows.isEmpty() ? "" : describe(rows.get(0));
        panel(
            g,
            MARGIN,
            y,
            rows,
            duts,
            Result::convergeSeconds,
            s + size + ": convergence (s)",
            "%.2f");
        panel(
            g,
            2 * MARGIN + PANEL_W,
            y,
            rows,
            duts,
            PEAK_MIB,
            s + size + ": peak RSS (MiB)",
            "%.0f");
        y += PANEL_H + MARGIN;
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  /** Writes the chart as PNG. */
  static void write(List<Result> results, String title, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    ImageIO.write(render(results, title), "png", file.toFile());
  }

  private static String describe(Result r) {
    return r.scenario().equals("fanout") || r.scenario().equals("slow")
        ? " (" + r.sessions() + " clients)"
        : " (" + r.prefixes() + " prefixes)";
  }

  private static void panel(
      Graphics2D g,
      int x,
      int y,
      List<Result> rows,
      Set<String> duts,
      ToDoubleFunction<Result> value,
      String title,
      String format) {
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.drawString(title, x, y + 14);
    int top = y + 30;
    int bottom = y + PANEL_H - 20;
    double max = 0;
    for (Result r : rows) {
      double v = value.applyAsDouble(r);
      if (!Double.isNaN(v)) {
        max = Math.max(max, v);
      }
    }
    max = max <= 0 ? 1 : max * 1.15;
    g.setStroke(new BasicStroke(1));
    g.setColor(Color.GRAY);
    g.drawLine(x, bottom, x + PANEL_W, bottom);
    int slot = PANEL_W / Math.max(1, duts.size());
    int bar = Math.min(60, slot - 16);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    FontMetrics fm = g.getFontMetrics();
    int i = 0;
    for (String d : duts) {
      Color c = PALETTE[i % PALETTE.length];
      int bx = x + i * slot + (slot - bar) / 2;
      i++;
      Result r = rows.stream().filter(row -> row.dut().equals(d)).findFirst().orElse(null);
      String label;
      int h = 0;
      if (r == null) {
        label = "not run";
      } else if (Double.isNaN(value.applyAsDouble(r)) || (!r.ok() && value == CONVERGENCE)) {
        label = failure(r);
      } else {
        // a timed-out run still shows the memory it had reached
        double v = value.applyAsDouble(r);
        h = (int) Math.round((bottom - top) * v / max);
        label = String.format(Locale.ROOT, format, v) + (r.ok() ? "" : " (" + failure(r) + ")");
      }
      g.setColor(c);
      g.fillRect(bx, bottom - h, bar, h);
      g.setColor(Color.BLACK);
      g.drawString(label, bx + (bar - fm.stringWidth(label)) / 2, bottom - h - 4);
      g.drawString(d, bx + (bar - fm.stringWidth(d)) / 2, bottom + 14);
    }
  }
}
