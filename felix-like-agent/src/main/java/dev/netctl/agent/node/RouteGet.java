package dev.netctl.agent.node;

import dev.netctl.datastore.model.Cidr;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks the kernel which source address it would use toward a destination ({@code ip route get}).
 */
final class RouteGet {
  private static final Pattern SRC = Pattern.compile("\\bsrc (\\S+)");

  private RouteGet() {}

  static InetAddress source(InetAddress target) {
    try {
      Process p =
          new ProcessBuilder("ip", "route", "get", Cidr.format(target))
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
      Matcher m = SRC.matcher(out);
      return m.find() ? Cidr.parseAddress(m.group(1)) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
