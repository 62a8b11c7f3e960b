package dev.netctl.ctl.e2e;

import static org.awaitility.Awaitility.await;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The IPv6-only underlay of the IPv6-only ITs: a bridge {@code br0} in namespace {@code ul}, and
 * namespaces attached to it by a veth whose inner end is {@code eth0}. Every name carries the
 * test's own prefix, nothing links into the root namespace, and {@link #close} deletes every
 * namespace made here, in reverse order.
 */
final class Ipv6Underlay implements AutoCloseable {
  private final String prefix;
  private final List<String> namespaces = new ArrayList<>();

  /** Creates the underlay namespace and its bridge. */
  Ipv6Underlay(String prefix) {
    this.prefix = prefix;
    netns("ul");
    Sh.check("ip", "-n", ns("ul"), "link", "add", "br0", "type", "bridge");
    Sh.check("ip", "-n", ns("ul"), "link", "set", "br0", "up");
  }

  /** The namespace of {@code name}, as the kernel knows it. */
  String ns(String name) {
    return prefix + name;
  }

  /** Adds namespace {@code name} with its loopback up. */
  void netns(String name) {
    Sh.check("ip", "netns", "add", ns(name));
    namespaces.add(ns(name));
    Sh.check("ip", "-n", ns(name), "link", "set", "lo", "up");
  }

  /** Adds namespace {@code name} on the bridge, {@code addr}/64 on its eth0 (no DAD wait). */
  void attach(String name, String addr) {
    netns(name);
    Sh.script(
        ("ip -n %1$s link add %2$s type veth peer name eth0 netns %3$s && "
                + "ip -n %1$s link set %2$s master br0 up && "
                + "ip -n %3$s addr add %4$s/64 dev eth0 nodad && ip -n %3$s link set eth0 up")
            .formatted(ns("ul"), prefix + name + "e", ns(name), addr));
  }

  /** Deletes namespace {@code name} before the rest. */
  synchronized void delete(String name) {
    Sh.run(10, "ip", "netns", "del", ns(name));
    namespaces.remove(ns(name));
  }

  /** Waits until each of {@code nodes} has published an IPv6 address on its Node (60 s at most). */
  static void awaitIpv6Nodes(Datastore store, List<String> nodes) {
    ResourceClient c = new ResourceClient(store);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                nodes.stream()
                    .allMatch(
                        n ->
                            c.find(Kind.NODE, n)
                                .map(
                                    x ->
                                        x.spec().bgp() != null
                                            && x.spec().bgp().ipv6Address() != null)
                                .orElse(false)));
  }

  /** Stops {@code proc}: TERM, then KILL after 20 s. */
  static void stop(Process proc) {
    proc.destroy();
    try {
      if (!proc.waitFor(20, TimeUnit.SECONDS)) proc.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      proc.destroyForcibly();
    }
  }

  @Override
  public synchronized void close() {
    for (String n : List.copyOf(namespaces).reversed()) Sh.run(10, "ip", "netns", "del", n);
    namespaces.clear();
  }
}
