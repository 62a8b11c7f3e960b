package dev.netctl.ctl;

import dev.netctl.datastore.model.Kind;
import dev.netctl.ipam.allocator.AssignRequest;
import dev.netctl.ipam.allocator.AssignResult;
import dev.netctl.ipam.allocator.AssignedAddress;
import dev.netctl.ipam.allocator.PoolSpec;
import dev.netctl.ipam.block.Cidr;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code netctl ipam assign}: hands addresses to a handle on a node, either a given address or a
 * number of each family from the pools that select the node. Prints the addresses one per line, so
 * a script can capture them.
 */
@Command(
    name = "assign",
    description =
        "Assign addresses to HANDLE on NODE: one given --ip, or --ipv4/--ipv6 counts (default one"
            + " IPv4) from the pools selecting the node.")
final class IpamAssignCommand implements Callable<Integer> {

  // --datastore is declared once on the root (INHERIT scope) and reached through the parents.
  @ParentCommand IpamCommand ipam;
  @Spec CommandSpec spec;

  @Option(names = "--node", required = true, paramLabel = "NODE", description = "The node.")
  String node;

  @Option(
      names = "--handle",
      required = true,
      paramLabel = "HANDLE",
      description = "The handle that will release the addresses.")
  String handle;

  @Option(names = "--ip", paramLabel = "IP", description = "Assign exactly this address.")
  String ip;

  @Option(names = "--ipv4", paramLabel = "N", description = "How many IPv4 addresses.")
  Integer ipv4;

  @Option(names = "--ipv6", paramLabel = "N", description = "How many IPv6 addresses.")
  Integer ipv6;

  @Option(
      names = "--pool",
      paramLabel = "NAME",
      description = "Only from these pools (repeatable).")
  List<String> pools = new ArrayList<>();

  @Option(names = "--pod", paramLabel = "POD", description = "Pod name to record.")
  String pod;

  @Option(names = "--namespace", paramLabel = "NS", description = "Pod namespace to record.")
  String namespace;

  @Override
  public Integer call() {
    if (ip != null && (ipv4 != null || ipv6 != null)) {
      throw new CliException(
          ExitCode.USAGE, "ipam assign: give either --ip or --ipv4/--ipv6 counts, not both");
    }
    InetAddress address = ip == null ? null : IpamSession.address("--ip", ip);
    PrintWriter out = spec.commandLine().getOut();
    List<String> assigned =
        IpamSession.run(
            ipam.datastore(),
            StoreUse.EXISTING,
            s -> {
              // The allocator checks the node for counted requests; a given address must
              // also go to a node that exists, and nothing is written when it does not.
              if (s.client().find(Kind.NODE, node).isEmpty()) {
                throw new CliException(
                    ExitCode.NOT_FOUND, "ipam assign --node: Node \"" + node + "\" not found");
              }
              return address != null ? assignOne(s, address) : assignCounted(s);
            });
    assigned.forEach(out::println);
    out.flush();
    return ExitCode.OK;
  }

  private List<String> assignOne(IpamSession s, InetAddress address) {
    if (!pools.isEmpty()) {
      PoolSpec holder =
          s.pools().stream().filter(p -> p.cidr().contains(address)).findFirst().orElse(null);
      if (holder != null && !pools.contains(holder.name())) {
        throw new CliException(
            ExitCode.INVALID,
            "ipam assign --ip "
                + Cidr.format(address)
                + " is in IPPool \""
                + holder.name()
                + "\", not in --pool "
                + pools);
      }
    }
    AssignedAddress a = s.allocator().assignIp(address, handle, node, pod, namespace);
    if (s.reservations().contains(address)) {
      // Calico's rule: a reservation keeps an address from automatic assignment only.
      spec.commandLine()
          .getErr()
          .println(
              "note: "
                  + Cidr.format(address)
                  + " is reserved by an IPReservation; assigned because it was asked for by"
                  + " address");
    }
    return List.of(Cidr.format(a.address()));
  }

  private List<String> assignCounted(IpamSession s) {
    int v4 = ipv4 == null ? (ipv6 == null ? 1 : 0) : ipv4;
    int v6 = ipv6 == null ? 0 : ipv6;
    AssignResult r =
        s.allocator()
            .autoAssign(new AssignRequest(node, handle, v4, v6, pod, namespace, null, pools));
    List<String> out = new ArrayList<>();
    for (AssignedAddress a : r.ipv4()) out.add(Cidr.format(a.address()));
    for (AssignedAddress a : r.ipv6()) out.add(Cidr.format(a.address()));
    return out;
  }
}
