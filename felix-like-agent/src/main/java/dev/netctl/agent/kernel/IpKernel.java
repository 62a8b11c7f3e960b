package dev.netctl.agent.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.datastore.model.Cidr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real kernel of the current network namespace, through iproute2's batch mode: one {@code ip
 * -force -batch -} process per apply, whatever its size (≈ 60k routes/s here), and JSON reads
 * ({@code ip -j}). With {@code -force} the batch goes on past a failing line and names it ({@code
 * Command failed -:N}), which is how one bad route is reported without stopping the others.
 */
public final class IpKernel implements Kernel {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

  private final String ip;
  private final String bridge;
  private final String nft;

  /** Uses the tools from PATH, falling back to Debian's locations. */
  public IpKernel() {
    this.ip = tool("ip");
    this.bridge = tool("bridge");
    this.nft = tool("nft");
  }

  private static String tool(String name) {
    for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
      if (Files.isExecutable(Path.of(dir, name))) return dir + "/" + name;
    }
    return name;
  }

  @Override
  public List<Link> links() {
    JsonNode arr = json(List.of(ip, "-d", "-j", "addr", "show"));
    List<Link> out = new ArrayList<>();
    for (JsonNode l : arr) {
      List<Cidr> addrs = new ArrayList<>();
      for (JsonNode a : l.path("addr_info")) {
        String local = a.path("local").asText(null);
        if (local == null) continue;
        addrs.add(new Cidr(Cidr.parseAddress(local), a.path("prefixlen").asInt()));
      }
      boolean up = false;
      for (JsonNode f : l.path("flags")) up |= f.asText().equals("UP");
      out.add(
          new Link(
              l.path("ifname").asText(),
              l.path("ifindex").asInt(),
              l.path("mtu").asInt(),
              l.path("address").asText(null),
              up,
              l.path("linkinfo").path("info_kind").asText(null),
              addrs));
    }
    return out;
  }

  @Override
  public List<Route> ownedRoutes() {
    String proto = Integer.toString(Ownership.ROUTE_PROTOCOL);
    // Both families at once: two processes in parallel instead of one after the other.
    var v6 = inParallel(() -> json(List.of(ip, "-6", "-j", "route", "show", "proto", proto)));
    JsonNode v4 = json(List.of(ip, "-4", "-j", "route", "show", "proto", proto));
    List<Route> out = new ArrayList<>();
    for (JsonNode r : v4) out.add(parseRoute(r, false));
    for (JsonNode r : v6.join()) out.add(parseRoute(r, true));
    return out;
  }

  /** Runs a read on a virtual thread; {@code join()} rethrows its failure. */
  private static <T> java.util.concurrent.CompletableFuture<T> inParallel(
      java.util.function.Supplier<T> read) {
    return java.util.concurrent.CompletableFuture.supplyAsync(read, Thread::startVirtualThread);
  }

  static Route parseRoute(JsonNode r, boolean v6) {
    String dstText = r.path("dst").asText();
    Cidr dst =
        dstText.equals("default")
            ? new Cidr(Cidr.parseAddress(v6 ? "::" : "0.0.0.0"), 0)
            : Cidr.parseAddressOrCidr(dstText);
    if (r.path("type").asText("unicast").equals("blackhole")) return Route.blackhole(dst);
    List<InetAddress> gws = new ArrayList<>();
    String dev = r.path("dev").asText(null);
    boolean onlink = hasFlag(r, "onlink");
    if (r.has("nexthops")) {
      for (JsonNode nh : r.path("nexthops")) {
        gws.add(Cidr.parseAddress(nh.path("gateway").asText()));
        dev = nh.path("dev").asText(dev);
        onlink |= hasFlag(nh, "onlink");
      }
    } else if (r.has("gateway")) {
      gws.add(Cidr.parseAddress(r.path("gateway").asText()));
    }
    return new Route(dst, Route.Type.UNICAST, gws, dev, onlink);
  }

  private static boolean hasFlag(JsonNode n, String flag) {
    for (JsonNode f : n.path("flags")) if (f.asText().equals(flag)) return true;
    return false;
  }

  @Override
  public List<Failure> applyRoutes(List<Route> replace, List<Route> delete) {
    List<Object> items = new ArrayList<>();
    StringBuilder batch = new StringBuilder();
    for (Route r : delete) {
      items.add(r);
      batch.append("route del ").append(r.dst()).append(" proto ");
      batch.append(Ownership.ROUTE_PROTOCOL).append('\n');
    }
    for (Route r : replace) {
      items.add(r);
      batch.append("route replace ").append(r.ipArgs()).append('\n');
    }
    List<Failure> failures = batch(ip, batch.toString(), items);
    if (failures.isEmpty()) return failures;
    // ip's words differ between versions: whether the device is there is asked of the kernel.
    // Only for a replace: a delete names no device to be missing.
    Set<Object> replaced = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    replaced.addAll(replace);
    List<Failure> out = new ArrayList<>(failures.size());
    for (Failure f : failures) {
      boolean missing =
          replaced.contains(f.item())
              && f.item() instanceof Route r
              && r.dev() != null
              && NetlinkSocket.ifindex(r.dev()) == 0;
      out.add(missing ? new Failure(f.item(), f.error(), true) : f);
    }
    return out;
  }

  /** Runs a {@code -force -batch -} and maps each failing line back to its item. */
  private static List<Failure> batch(String tool, String script, List<Object> items) {
    if (items.isEmpty()) return List.of();
    Commands.Result r = Commands.run(List.of(tool, "-force", "-batch", "-"), script);
    if (r.ok()) return List.of();
    List<Failure> failures = new ArrayList<>();
    String[] errLines = r.stderr().split("\n");
    String lastError = "";
    for (String line : errLines) {
      Matcher m = FAILED_LINE.matcher(line);
      if (m.find()) {
        int n = Integer.parseInt(m.group(1));
        if (n >= 1 && n <= items.size()) failures.add(new Failure(items.get(n - 1), lastError));
      } else if (!line.isBlank()) {
        lastError = line.strip();
      }
    }
    if (failures.isEmpty()) {
      // Failed without naming a line (the tool itself broke): every item is in doubt.
      for (Object item : items) failures.add(new Failure(item, r.stderr().strip()));
    }
    return failures;
  }

  @Override
  public void ensureVxlan(Vxlan v) {
    ensureVxlan(v, true);
  }

  /**
   * {@link #ensureVxlan(Vxlan)}, told whether the device may exist: when the caller knows it does
   * not (no interface index), the read is skipped.
   */
  void ensureVxlan(Vxlan v, boolean mayExist) {
    // One read (link details with addresses) and one batch: a cold start pays for processes, not
    // for the work they do.
    JsonNode existing = null;
    if (mayExist) {
      Commands.Result read =
          Commands.run(List.of(ip, "-d", "-j", "addr", "show", "dev", v.name()), null);
      JsonNode arr = read.ok() ? parse(read.stdout()) : null;
      existing = arr != null && arr.isArray() && !arr.isEmpty() ? arr.get(0) : null;
    }
    StringBuilder b = new StringBuilder();
    List<Object> items = new ArrayList<>();
    if (existing != null && !sameVxlan(existing, v)) {
      b.append("link del ").append(v.name()).append('\n');
      items.add("link del");
      existing = null;
    }
    if (existing == null) {
      b.append("link add ").append(v.name()).append(" type vxlan id ").append(v.vni());
      b.append(" local ").append(Cidr.format(v.local())).append(" dev ").append(v.parent());
      b.append(" dstport ").append(v.port()).append(" nolearning\n");
      items.add("link add");
    }
    // Unchanged settings are not written again: every write is a link event for every watcher.
    if (existing == null
        || !v.mac().equalsIgnoreCase(existing.path("address").asText())
        || existing.path("mtu").asInt() != v.mtu()
        || !hasFlag(existing, "UP")) {
      b.append("link set ").append(v.name()).append(" address ").append(v.mac());
      b.append(" mtu ").append(v.mtu()).append(" up\n");
      items.add("link set");
    }
    if (v.address() != null && (existing == null || !hasAddress(existing, v.address()))) {
      b.append("addr replace ").append(v.address()).append(" dev ").append(v.name()).append('\n');
      items.add("addr replace");
    }
    // Other addresses on the device (a tunnel address IPAM took back) must go.
    if (existing != null) {
      for (JsonNode a : existing.path("addr_info")) {
        String local = a.path("local").asText(null);
        if (local == null) continue;
        Cidr c = new Cidr(Cidr.parseAddress(local), a.path("prefixlen").asInt());
        if (c.address().isLinkLocalAddress() || c.equals(v.address())) continue;
        b.append("addr del ").append(c).append(" dev ").append(v.name()).append('\n');
        items.add("addr del " + c);
      }
    }
    if (items.isEmpty()) return;
    List<Failure> f = batch(ip, b.toString(), items);
    if (!f.isEmpty()) throw new KernelException("setting up " + v.name() + ": " + f);
  }

  private static boolean hasAddress(JsonNode link, Cidr address) {
    for (JsonNode a : link.path("addr_info")) {
      String local = a.path("local").asText(null);
      if (local != null
          && a.path("prefixlen").asInt() == address.prefixLength()
          && Cidr.parseAddress(local).equals(address.address())) {
        return true;
      }
    }
    return false;
  }

  private boolean sameVxlan(JsonNode link, Vxlan v) {
    JsonNode d = link.path("linkinfo").path("info_data");
    return "vxlan".equals(link.path("linkinfo").path("info_kind").asText())
        && d.path("id").asInt() == v.vni()
        && d.path("port").asInt() == v.port()
        && Cidr.format(v.local())
            .equals(
                d.path(v.local() instanceof java.net.Inet4Address ? "local" : "local6").asText());
  }

  private JsonNode linkDetails(String name) {
    Commands.Result r = Commands.run(List.of(ip, "-d", "-j", "link", "show", "dev", name), null);
    if (!r.ok()) return null;
    JsonNode arr = parse(r.stdout());
    return arr.isArray() && !arr.isEmpty() ? arr.get(0) : null;
  }

  @Override
  public boolean ensureIpip(String name, InetAddress local, int mtu) {
    if (linkDetails(name) == null) {
      Commands.Result r = Commands.run(List.of(ip, "link", "add", name, "type", "ipip"), null);
      if (!r.ok()) {
        String err = r.stderr().toLowerCase(Locale.ROOT);
        if (err.contains("unknown device type") || err.contains("not supported")) return false;
        throw new KernelException("ip link add " + name + " type ipip: " + r.stderr().strip());
      }
    }
    Commands.check(List.of(ip, "link", "set", name, "mtu", Integer.toString(mtu), "up"), null);
    return true;
  }

  @Override
  public void deleteLink(String name) {
    Commands.run(List.of(ip, "link", "del", name), null);
  }

  @Override
  public List<Neighbour> neighbours(String device) {
    var fdbRead =
        inParallel(() -> Commands.run(List.of(bridge, "-j", "fdb", "show", "dev", device), null));
    Commands.Result neigh =
        Commands.run(List.of(ip, "-j", "neigh", "show", "dev", device, "nud", "permanent"), null);
    Commands.Result fdbResult = fdbRead.join();
    // A device that does not exist yet has no neighbours (both reads fail naming it).
    if (!neigh.ok() || !fdbResult.ok()) {
      if (linkDetails(device) == null) return List.of();
      throw new KernelException(
          "reading the VTEPs of "
              + device
              + ": "
              + neigh.stderr().strip()
              + fdbResult.stderr().strip());
    }
    Map<String, InetAddress> fdb = new HashMap<>();
    for (JsonNode f : parse(fdbResult.stdout())) {
      if (f.has("dst") && f.has("mac")) {
        fdb.put(
            f.path("mac").asText().toLowerCase(Locale.ROOT),
            Cidr.parseAddress(f.path("dst").asText()));
      }
    }
    List<Neighbour> out = new ArrayList<>();
    for (JsonNode n : parse(neigh.stdout())) {
      String mac = n.path("lladdr").asText("").toLowerCase(Locale.ROOT);
      if (mac.isEmpty()) continue;
      out.add(new Neighbour(Cidr.parseAddress(n.path("dst").asText()), mac, fdb.get(mac)));
    }
    return out;
  }

  @Override
  public List<Failure> applyNeighbours(
      String device, List<Neighbour> replace, List<Neighbour> delete, Set<String> keepFdb) {
    List<Object> items = new ArrayList<>();
    StringBuilder neigh = new StringBuilder();
    StringBuilder fdb = new StringBuilder();
    List<Object> fdbItems = new ArrayList<>();
    for (Neighbour n : delete) {
      items.add(n);
      neigh.append("neigh del ").append(Cidr.format(n.tunnelAddress())).append(" dev ");
      neigh.append(device).append('\n');
      if (keepFdb.contains(n.fdbKey())) continue;
      fdbItems.add(n);
      fdb.append("fdb del ").append(n.mac()).append(" dev ").append(device).append(" self\n");
    }
    for (Neighbour n : replace) {
      // The FDB entry first: a neighbour whose MAC has no destination would send nowhere.
      fdbItems.add(n);
      fdb.append("fdb replace ").append(n.mac()).append(" dev ").append(device);
      fdb.append(" dst ").append(Cidr.format(n.underlay())).append(" self permanent\n");
      items.add(n);
      neigh.append("neigh replace ").append(Cidr.format(n.tunnelAddress())).append(" lladdr ");
      neigh.append(n.mac()).append(" dev ").append(device).append(" nud permanent\n");
    }
    List<Failure> failures = new ArrayList<>();
    // The two tables are independent: both batches run at once. (Deleting an entry that is
    // already gone is not a failure worth retrying.)
    var fdbDone = inParallel(() -> batch(bridge, fdb.toString(), fdbItems));
    List<Failure> neighFailures = batch(ip, neigh.toString(), items);
    for (Failure f : fdbDone.join()) {
      if (!delete.contains(f.item())) failures.add(f);
    }
    for (Failure f : neighFailures) {
      if (!delete.contains(f.item())) failures.add(f);
    }
    return failures;
  }

  @Override
  public java.net.InetAddress gatewayTo(java.net.InetAddress target) {
    Commands.Result r = Commands.run(List.of(ip, "-j", "route", "get", Cidr.format(target)), null);
    if (!r.ok()) return null; // no route: the caller keeps the address, and the kernel says why
    try {
      for (JsonNode n : JSON.readTree(r.stdout())) {
        String gw = n.path("gateway").asText(null);
        if (gw != null) return Cidr.parseAddress(gw);
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new KernelException("ip route get " + Cidr.format(target) + ": " + e.getMessage(), e);
    }
    return null;
  }

  @Override
  public void sysctl(String key, String value) {
    // /proc/sys itself: the DaemonSet's agent is privileged, so its own is writable (a host-network
    // pod's is its node's), as the CNI side's plumbing assumes too.
    Path p = Path.of("/proc/sys", key);
    try {
      if (Files.readString(p).strip().equals(value)) return;
      Files.writeString(p, value);
    } catch (IOException e) {
      throw new KernelException("sysctl " + key.replace('/', '.') + "=" + value + ": " + e, e);
    }
  }

  private static final Pattern MONITOR_LINK = Pattern.compile("^(Deleted )?\\d+: ([^:@ ]+)");

  @Override
  public AutoCloseable watchLinks(java.util.function.BiConsumer<String, Boolean> onChange) {
    Process p;
    try {
      p =
          new ProcessBuilder(ip, "-o", "monitor", "link", "address")
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new KernelException("cannot run ip monitor link address: " + e.getMessage(), e);
    }
    Thread.ofPlatform()
        .daemon()
        .name("netctl-link-monitor")
        .start(
            () -> {
              try (var r =
                  new java.io.BufferedReader(
                      new java.io.InputStreamReader(
                          p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  Matcher m = MONITOR_LINK.matcher(line);
                  // An address added to or deleted from a link changes the link: only a
                  // "Deleted" link line means the link itself went away.
                  boolean address = line.contains(" inet");
                  if (m.find()) onChange.accept(m.group(2), m.group(1) != null && !address);
                }
              } catch (IOException e) {
                // the monitor was closed
              }
            });
    return p::destroy;
  }

  @Override
  public void nft(String script) {
    Commands.check(List.of(nft, "-f", "-"), script);
  }

  @Override
  public void nftCheck(String script) {
    Commands.check(List.of(nft, "-c", "-f", "-"), script);
  }

  @Override
  public String nftListTable(String family, String name) {
    Commands.Result r = Commands.run(List.of(nft, "-j", "list", "table", family, name), null);
    return r.ok() ? r.stdout() : null;
  }

  private static JsonNode json(List<String> argv) {
    return parse(Commands.check(argv, null));
  }

  private static JsonNode parse(String text) {
    if (text.isBlank()) return JSON.createArrayNode();
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
