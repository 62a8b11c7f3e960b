package dev.netctl.ctl;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.migrate.Migration;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.Kind;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.IpamStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code netctl ipam split NUMBER --name POOL | --cidr CIDR}: replaces a pool by NUMBER equal
 * pools, as calicoctl's {@code ipam split} does, on a datastore locked for migration (so no
 * assignment runs while the pool is swapped).
 */
@Command(
    name = "split",
    description =
        "Split an IP pool into NUMBER (a power of 2) equal pools with the same settings; the"
            + " datastore must be locked (`netctl datastore migrate lock`).")
final class IpamSplitCommand implements Callable<Integer> {

  /** Children per split: one commit holds them with the parent's deletion and the pool guard. */
  static final int MAX_PARTS = 64;

  @ParentCommand IpamCommand ipam;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NUMBER", description = "How many pools: 2, 4, 8 ...")
  int count;

  @ArgGroup(multiplicity = "1")
  Which which;

  static final class Which {
    @Option(names = "--name", paramLabel = "POOL", description = "Name of the IP pool to split.")
    String name;

    @Option(names = "--cidr", paramLabel = "CIDR", description = "CIDR of the IP pool to split.")
    String cidr;
  }

  @Override
  public Integer call() {
    // What is wrong with the command line itself is said before the datastore's lock is asked
    // for: otherwise "split 3" sent the user to lock the store, only to be told 3 is no power of 2.
    if (count < 2 || Integer.bitCount(count) != 1) {
      throw new CliException(
          ExitCode.INVALID,
          "ipam split: NUMBER \"" + count + "\" must be a power of 2, at least 2");
    }
    if (count > MAX_PARTS) {
      throw new CliException(
          ExitCode.INVALID,
          "ipam split: NUMBER \"" + count + "\" must be at most " + MAX_PARTS + " per split");
    }
    Cidr wanted = which.cidr == null ? null : cidrOption();
    PrintWriter out = spec.commandLine().getOut();
    try (Datastore store = ipam.datastore().openForMigration(StoreUse.EXISTING)) {
      if (!Migration.locked(store)) {
        throw new CliException(
            ExitCode.USAGE,
            "ipam split: datastore "
                + store.address()
                + " is not locked; run `netctl datastore migrate lock` first (no address may be"
                + " assigned while the pool is replaced), and `unlock` after");
      }
      ResourceClient client = new ResourceClient(store);
      IPPool parent = find(client, wanted);
      List<IPPool> children = PoolSplit.children(parent, count);
      int childPrefix = Cidr.parse(children.getFirst().spec().cidr()).prefixLength();
      checkBlocksFit(new IpamStore(store), parent, childPrefix);
      List<IPPool> created = client.replacePool(parent, children);
      out.println(
          "ippool.netctl.dev/" + parent.name() + " (" + parent.spec().cidr() + ") split into:");
      for (IPPool p : created) {
        out.println("ippool.netctl.dev/" + p.name() + " created (" + p.spec().cidr() + ")");
      }
      out.flush();
      return ExitCode.OK;
    }
  }

  private Cidr cidrOption() {
    try {
      return Cidr.parse(which.cidr);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          ExitCode.INVALID, "ipam split: --cidr \"" + which.cidr + "\" " + e.getMessage());
    }
  }

  private IPPool find(ResourceClient client, Cidr wanted) {
    if (which.name != null) {
      return client
          .find(Kind.IP_POOL, which.name)
          .orElseThrow(
              () ->
                  new CliException(ExitCode.NOT_FOUND, "IPPool \"" + which.name + "\" not found"));
    }
    return client.list(Kind.IP_POOL).stream()
        .filter(p -> Cidr.parse(p.spec().cidr()).equals(wanted))
        .findFirst()
        .orElseThrow(
            () ->
                new CliException(
                    ExitCode.NOT_FOUND, "no IPPool has the cidr " + wanted + " (--cidr)"));
  }

  /**
   * A block left by an earlier pool over this range with a larger block size could straddle two
   * children; it would then belong to neither pool.
   */
  private static void checkBlocksFit(IpamStore store, IPPool parent, int childPrefix) {
    Cidr range = Cidr.parse(parent.spec().cidr());
    for (var b : store.blocks()) {
      Cidr block = Cidr.parse(b.value().cidr());
      if (range.overlaps(block) && block.prefixLength() < childPrefix) {
        throw new CliException(
            ExitCode.INVALID,
            "IPPool \""
                + parent.name()
                + "\": cannot split into /"
                + childPrefix
                + " parts: block "
                + block
                + " would straddle two of them");
      }
    }
  }
}
