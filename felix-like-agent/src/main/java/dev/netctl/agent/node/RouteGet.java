package dev.netctl.agent.node;

import dev.netctl.agent.exec.Exec;
import dev.netctl.datastore.model.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks the kernel which source address it would use toward a destination ({@code ip route get}).
 */
final class RouteGet {
  private static final Pattern SRC = Pattern.compile("\\bsrc (\\S+)");
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private RouteGet() {}

  /** The source address toward {@code target}, or null when the kernel has no route to it. */
  static InetAddress source(InetAddress target) {
    Exec.Result r = Exec.run(LIMIT, List.of("ip", "route", "get", Cidr.format(target)));
    return r.ok() ? source(r.stdout()) : null;
  }

  /** The {@code src} of {@code ip route get}'s answer, or null when it names none. */
  static InetAddress source(String answer) {
    Matcher m = SRC.matcher(answer);
    return m.find() ? Cidr.parseAddress(m.group(1)) : null;
  }
}
