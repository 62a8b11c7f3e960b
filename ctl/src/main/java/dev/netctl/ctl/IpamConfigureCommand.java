package dev.netctl.ctl;

import dev.netctl.datastore.client.Applied;
import dev.netctl.datastore.model.IPAMConfig;
import dev.netctl.datastore.model.IPAMConfigSpec;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code netctl ipam configure}: writes the cluster's {@code default} IPAMConfig, creating it when
 * absent. Settings not named keep their stored (or default) values.
 */
@Command(
    name = "configure",
    description =
        "Set StrictAffinity, MaxBlocksPerHost and AutoAllocateBlocks (IPAMConfig default).")
final class IpamConfigureCommand implements Callable<Integer> {

  // --datastore is declared once on the root (INHERIT scope) and reached through the parents.
  @ParentCommand IpamCommand ipam;
  @Spec CommandSpec spec;

  @Option(
      names = {"--strict-affinity", "--strictaffinity"},
      arity = "1",
      paramLabel = "BOOL",
      description =
          "true: never borrow addresses from other nodes' blocks (--strictaffinity, as"
              + " calicoctl spells it, works too).")
  Boolean strictAffinity;

  @Option(
      names = "--max-blocks-per-host",
      paramLabel = "N",
      description = "Blocks one node may own; 0 = unlimited.")
  Integer maxBlocksPerHost;

  @Option(
      names = "--auto-allocate-blocks",
      arity = "1",
      paramLabel = "BOOL",
      description = "false: never claim new blocks on demand.")
  Boolean autoAllocateBlocks;

  @Override
  public Integer call() {
    if (strictAffinity == null && maxBlocksPerHost == null && autoAllocateBlocks == null) {
      throw new CliException(
          ExitCode.USAGE,
          "ipam configure: give at least one of --strict-affinity, --max-blocks-per-host,"
              + " --auto-allocate-blocks");
    }
    if (maxBlocksPerHost != null && maxBlocksPerHost < 0) {
      throw new CliException(
          ExitCode.INVALID,
          "IPAMConfig default: --max-blocks-per-host "
              + maxBlocksPerHost
              + " must be 0 (unlimited) or more");
    }
    PrintWriter out = spec.commandLine().getOut();
    Applied<IPAMConfig> applied =
        IpamSession.run(
            ipam.datastore(),
            StoreUse.CREATE,
            s -> {
              IPAMConfigSpec now = s.client().effectiveIpamConfig();
              IPAMConfigSpec next =
                  new IPAMConfigSpec(
                      strictAffinity != null ? strictAffinity : now.strictAffinity(),
                      autoAllocateBlocks != null ? autoAllocateBlocks : now.autoAllocateBlocks(),
                      maxBlocksPerHost != null ? maxBlocksPerHost : now.maxBlocksPerHost());
              return s.client().apply(IPAMConfig.of(next));
            });
    // named as apply names it, so a script parsing one verb's output parses the other's
    out.println(Kinds.ref(applied.resource()) + " " + applied.outcome().verb());
    IpamShowCommand.printConfiguration(applied.resource().spec(), out);
    out.flush();
    return ExitCode.OK;
  }
}
