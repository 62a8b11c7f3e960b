package dev.netctl.ctl;

import dev.netctl.datastore.model.IPAMConfigSpec;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.block.Reservations;
import dev.netctl.ipam.store.Versioned;
import dev.netctl.ipam.usage.AddressInfo;
import dev.netctl.ipam.usage.BlockUsage;
import dev.netctl.ipam.usage.IpamUsage;
import dev.netctl.ipam.usage.PoolUsage;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code netctl ipam show}: the usage table calicoctl users know ({@code GROUPING | CIDR | IPS
 * TOTAL | IPS IN USE | IPS RESERVED | IPS FREE}, pool rows then block rows), one address's holder,
 * the borrowed addresses, or the IPAM configuration.
 */
@Command(name = "show", description = "Show IP usage per pool and block, one IP, or IPAM settings.")
final class IpamShowCommand implements Callable<Integer> {

  /** Output formats of {@code -o}. */
  enum Format {
    table,
    json
  }

  /**
   * An address assigned on another node than its block's owner.
   *
   * @param ip the address
   * @param borrowingNode the node it was assigned on
   * @param block the block holding it
   * @param blockOwner the block's owner, or null when the block is unowned
   * @param type pod, or the tunnel kind its handle names, or handle
   * @param handle the handle holding it
   * @param allocatedTo namespace/pod, or the handle when no pod is recorded
   */
  record BorrowedAddress(
      String ip,
      String borrowingNode,
      String block,
      String blockOwner,
      String type,
      String handle,
      String allocatedTo) {}

  // --datastore is declared once on the root (INHERIT scope) and reached through the parents.
  @ParentCommand IpamCommand ipam;
  @Spec CommandSpec spec;

  @Option(names = "--show-blocks", description = "Also show one row per block under its pool.")
  boolean showBlocks;

  @Option(
      names = "--show-borrowed",
      description = "List addresses assigned on a node from a block another node owns.")
  boolean showBorrowed;

  @Option(
      names = "--ip",
      paramLabel = "IP",
      description = "Show whether IP is in use, and by whom.")
  String ip;

  @Option(
      names = "--show-configuration",
      description = "Show StrictAffinity, AutoAllocateBlocks and MaxBlocksPerHost.")
  boolean showConfiguration;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "table (default) or json.")
  Format format = Format.table;

  @Override
  public Integer call() {
    int views = (ip != null ? 1 : 0) + (showBorrowed ? 1 : 0) + (showConfiguration ? 1 : 0);
    if (views > 1) {
      throw new CliException(
          ExitCode.USAGE,
          "ipam show: --ip, --show-borrowed and --show-configuration are separate views: give one");
    }
    if (showBlocks && views > 0) {
      throw new CliException(
          ExitCode.USAGE, "ipam show: --show-blocks applies to the usage table only");
    }
    PrintWriter out = spec.commandLine().getOut();
    return IpamSession.run(
        ipam.datastore(),
        StoreUse.EXISTING,
        s -> {
          if (ip != null) showAddress(s, out);
          else if (showBorrowed) showBorrowed(s, out);
          else if (showConfiguration) showConfiguration(s, out);
          else showUsage(s, out);
          out.flush();
          return ExitCode.OK;
        });
  }

  private void showUsage(IpamSession s, PrintWriter out) {
    IpamUsage usage = new IpamUsage(s.store());
    Reservations reservations = s.reservations();
    List<PoolUsage> pools = usage.show(s.pools(), reservations);
    if (format == Format.json) {
      IpamJson.print(out, pools);
      return;
    }
    // As calicoctl: an address allocated before its reservation counts in IN USE and RESERVED.
    Table t =
        new Table(
            List.of("GROUPING", "CIDR", "IPS TOTAL", "IPS IN USE", "IPS RESERVED", "IPS FREE"));
    for (PoolUsage p : pools) {
      t.row(
          List.of(
              "IP Pool",
              p.cidr(),
              p.total().toString(),
              share(BigInteger.valueOf(p.inUse()), p.total()),
              share(p.reserved(), p.total()),
              share(p.free(), p.total())));
      if (showBlocks) p.blocks().forEach(b -> blockRow(t, "Block", b));
    }
    // A deleted pool's blocks that still hold addresses belong to no pool row: listed after them.
    if (showBlocks)
      usage.orphans(s.pools(), reservations).forEach(b -> blockRow(t, "Block (no pool)", b));
    t.print(out);
  }

  private static void blockRow(Table t, String grouping, BlockUsage b) {
    BigInteger total = BigInteger.valueOf(b.total());
    t.row(
        List.of(
            grouping,
            b.cidr(),
            total.toString(),
            share(BigInteger.valueOf(b.inUse()), total),
            share(BigInteger.valueOf(b.reserved()), total),
            share(BigInteger.valueOf(b.free()), total)));
  }

  /** {@code N (P%)} with P rounded to a whole percent, as calicoctl prints it. */
  static String share(BigInteger part, BigInteger total) {
    BigDecimal pct =
        total.signum() == 0
            ? BigDecimal.ZERO
            : new BigDecimal(part.multiply(BigInteger.valueOf(100)))
                .divide(new BigDecimal(total), 0, RoundingMode.HALF_UP);
    return part + " (" + pct.toPlainString() + "%)";
  }

  private void showAddress(IpamSession s, PrintWriter out) {
    AddressInfo info =
        new IpamUsage(s.store())
            .lookup(IpamSession.address("--ip", ip), s.pools(), s.reservations());
    if (format == Format.json) {
      IpamJson.print(out, info);
      return;
    }
    String reserved = info.reserved() ? " (reserved by an IPReservation)" : "";
    if (!info.allocated()) {
      out.println("IP " + info.address() + " is not currently assigned" + reserved);
      return;
    }
    out.println("IP " + info.address() + " is in use" + reserved);
    out.println("Attributes:");
    out.println("  handle: " + info.handle());
    if (info.pod() != null) out.println("  pod: " + info.pod());
    if (info.namespace() != null) out.println("  namespace: " + info.namespace());
    if (info.node() != null) out.println("  node: " + info.node());
    out.println("  block: " + info.block() + (info.blockNode() == null ? " (unowned)" : ""));
    if (info.blockNode() != null) out.println("  block owner: " + info.blockNode());
  }

  private void showBorrowed(IpamSession s, PrintWriter out) {
    List<Versioned<AllocationBlock>> blocks = s.store().blocks();
    List<BorrowedAddress> rows = borrowed(blocks);
    long unclassified = withoutNode(blocks);
    if (unclassified > 0) {
      // as calicoctl notes them; on stderr, so -o json stays one JSON value
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "note: found "
              + unclassified
              + " IP allocation(s) without an explicit node association (migrated from an old"
              + " Calico?): unable to determine if they are borrowed");
      err.flush();
    }
    if (format == Format.json) {
      IpamJson.print(out, rows);
      return;
    }
    Table t =
        new Table(
            List.of(
                "IP", "BORROWING-NODE", "BLOCK", "BLOCK OWNER", "TYPE", "HANDLE", "ALLOCATED-TO"));
    for (BorrowedAddress b : rows) {
      t.row(
          List.of(
              b.ip(),
              b.borrowingNode(),
              b.block(),
              b.blockOwner() == null ? "<none>" : b.blockOwner(),
              b.type(),
              b.handle(),
              b.allocatedTo()));
    }
    t.print(out);
  }

  /** Every address whose recorded node differs from its block's owner, by block then address. */
  static List<BorrowedAddress> borrowed(List<Versioned<AllocationBlock>> blocks) {
    List<Block> sorted = new ArrayList<>();
    for (Versioned<AllocationBlock> v : blocks) sorted.add(Block.of(v.value()));
    sorted.sort(Comparator.comparing(Block::cidr));
    List<BorrowedAddress> out = new ArrayList<>();
    for (Block b : sorted) {
      String owner = b.affinityNode();
      for (int o = 0; o < b.size(); o++) {
        AllocationAttribute a = b.attributeAt(o);
        if (a == null || a.node() == null || a.node().equals(owner)) continue;
        out.add(
            new BorrowedAddress(
                Cidr.format(b.addressAt(o)),
                a.node(),
                b.cidr().toString(),
                owner,
                type(a),
                a.handle(),
                a.pod() == null
                    ? a.handle()
                    : (a.namespace() == null ? "" : a.namespace() + "/") + a.pod()));
      }
    }
    return out;
  }

  /** Allocated addresses that record no node, so neither borrowed nor not. */
  static long withoutNode(List<Versioned<AllocationBlock>> blocks) {
    long n = 0;
    for (Versioned<AllocationBlock> v : blocks) {
      Block b = Block.of(v.value());
      for (int o = 0; o < b.size(); o++) {
        AllocationAttribute a = b.attributeAt(o);
        if (a != null && a.node() == null) n++;
      }
    }
    return n;
  }

  // Calico's handle IDs say what an address is for; a recorded pod wins.
  private static String type(AllocationAttribute a) {
    String h = a.handle();
    if (a.pod() != null || h.startsWith("k8s-pod-network.")) return "pod";
    if (h.startsWith("ipip-tunnel-addr-")) return "ipipTunnelAddress";
    if (h.startsWith("vxlan-tunnel-addr-")) return "vxlanTunnelAddress";
    if (h.startsWith("wireguard-tunnel-addr-")) return "wireguardTunnelAddress";
    return "handle";
  }

  private void showConfiguration(IpamSession s, PrintWriter out) {
    IPAMConfigSpec c = s.client().effectiveIpamConfig();
    if (format == Format.json) {
      IpamJson.print(out, c);
      return;
    }
    printConfiguration(c, out);
  }

  static void printConfiguration(IPAMConfigSpec c, PrintWriter out) {
    new Table(List.of("PROPERTY", "VALUE"))
        .row(List.of("StrictAffinity", String.valueOf(c.strictAffinity())))
        .row(List.of("AutoAllocateBlocks", String.valueOf(c.autoAllocateBlocks())))
        .row(List.of("MaxBlocksPerHost", String.valueOf(c.maxBlocksPerHost())))
        .print(out);
  }
}
