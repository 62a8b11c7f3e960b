package dev.netctl.ctl;

import dev.netctl.agent.cni.CniServer;
import dev.netctl.agent.cni.CniService;
import dev.netctl.agent.cni.PodInfo;
import dev.netctl.agent.cni.PodPlumbing;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code netctl cni serve} (hidden, for development and benchmarks): the agent's CNI socket alone,
 * without the rest of the node agent — IPAM, plumbing and WorkloadEndpoints, always ready. The node
 * agent ({@code netctl node run}) serves the same socket in production.
 */
@Command(
    name = "serve",
    hidden = true,
    description = "Serve the CNI agent socket alone (development; `netctl node run` does this).")
final class CniServeCommand implements Callable<Integer> {

  @ParentCommand CniCommand cni;
  @Spec CommandSpec spec;

  @Option(names = "--node", required = true, paramLabel = "NAME", description = "This node's name.")
  String node;

  @Option(
      names = "--socket",
      required = true,
      paramLabel = "PATH",
      description = "Socket to listen on.")
  Path socket;

  @Option(names = "--mtu", paramLabel = "N", description = "Pod MTU (default: ${DEFAULT-VALUE}).")
  int mtu = 1500;

  @Option(
      names = "--host-netns",
      paramLabel = "PATH",
      description = "Plumb host ends in this network namespace instead of our own.")
  Path hostNetns;

  @Override
  public Integer call() throws Exception {
    try (Datastore store = cni.root.datastore().open(StoreUse.CREATE)) {
      ResourceClient client = new ResourceClient(store);
      IpamAllocator ipam = new IpamAllocator(store, new ResourceEnvironment(client));
      CniService service =
          new CniService(
              client, ipam, node, () -> mtu, () -> true, PodInfo.NONE, new PodPlumbing(hostNetns));
      try (CniServer server = new CniServer(service, socket)) {
        Thread hook =
            Thread.ofPlatform()
                .unstarted(
                    () -> {
                      try {
                        server.close();
                      } catch (Exception e) {
                        // exiting anyway
                      }
                    });
        Runtime.getRuntime().addShutdownHook(hook);
        spec.commandLine().getOut().println("cni: serving node " + node + " on " + socket);
        spec.commandLine().getOut().flush();
        new CountDownLatch(1).await();
      }
    }
    return ExitCode.OK;
  }
}
