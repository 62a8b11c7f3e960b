package dev.netctl.ctl;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.PoolSpec;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.block.Reservations;
import dev.netctl.ipam.store.IpamStore;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * What one {@code netctl ipam} verb works with: the opened datastore, the resource client, the
 * cluster view and an allocator over them. {@link #run} opens it, runs the verb, closes it, and
 * turns an IPAM refusal into one stderr line with its exit code.
 */
final class IpamSession implements AutoCloseable {
  private final Datastore datastore;
  private final ResourceClient client;
  private final ResourceEnvironment env;
  private final IpamAllocator allocator;

  private IpamSession(Datastore datastore) {
    this.datastore = datastore;
    this.client = new ResourceClient(datastore);
    this.env = new ResourceEnvironment(client);
    this.allocator = new IpamAllocator(datastore, env);
  }

  /**
   * Opens the datastore of {@code options} (for {@code use}), runs {@code work}, and closes the
   * datastore.
   */
  static <T> T run(DatastoreOptions options, StoreUse use, Function<IpamSession, T> work) {
    try (IpamSession s = new IpamSession(options.open(use))) {
      return work.apply(s);
    } catch (IpamException e) {
      throw new CliException(IpamExitCodes.of(e), e.getMessage());
    }
  }

  ResourceClient client() {
    return client;
  }

  IpamAllocator allocator() {
    return allocator;
  }

  IpamStore store() {
    return allocator.store();
  }

  List<PoolSpec> pools() {
    return env.pools();
  }

  /** The IPReservations' ranges as one set. */
  Reservations reservations() {
    return env.reservations();
  }

  /** The names of the nodes that exist now: blocks of any other owner belong to a dead node. */
  Set<String> liveNodes() {
    Set<String> names = new LinkedHashSet<>();
    for (Node n : client.list(Kind.NODE)) names.add(n.metadata().name());
    return names;
  }

  /**
   * Parses the value of an address option without any name lookup; a malformed one is INVALID and
   * the message names the option.
   */
  static InetAddress address(String option, String text) {
    if (text.indexOf(':') < 0 && !dottedQuad(text)) {
      throw new CliException(
          ExitCode.INVALID, option + " \"" + text + "\" is not an IPv4 or IPv6 address");
    }
    try {
      return Cidr.parseAddress(text);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.INVALID, option + " " + e.getMessage());
    }
  }

  // InetAddress would look "300.1.1.1" up in DNS as a host name: reject it here instead.
  private static boolean dottedQuad(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) return false;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) return false;
      if (Integer.parseInt(p) > 255) return false;
    }
    return true;
  }

  @Override
  public void close() {
    datastore.close();
  }
}
