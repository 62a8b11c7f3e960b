package dev.netctl.ctl;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.session.Transport;
import dev.netctl.ctl.bgp.AdminAddress;
import dev.netctl.ctl.bgp.SpeakerConfigReader;
import dev.netctl.ctl.bgp.SpeakerPlan;
import dev.netctl.ctl.bgp.StandaloneSpeaker;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code netctl bgp run --config speaker.yaml}: starts the speaker the file describes and keeps it
 * up until SIGINT/SIGTERM (a shutdown hook sends Cease to every peer and frees the ports) or, when
 * run in-process, until its thread is interrupted.
 */
@Command(name = "run", description = "Run a standalone BGP speaker until SIGINT/SIGTERM.")
final class BgpRunCommand implements Callable<Integer>, WithoutDatastore {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "Speaker config (YAML); see docs/examples/speaker.yaml.")
  Path config;

  @Option(
      names = "--admin",
      paramLabel = "IP:PORT|unix:PATH",
      description =
          "Admin endpoint: a loopback IP:PORT or unix:PATH; overrides the file's admin (default "
              + AdminAddress.DEFAULT
              + ").")
  String admin;

  @Option(
      names = "--restarting",
      description =
          "This process restarts a speaker that stopped gracefully: set the restart (R) and"
              + " forwarding (F) bits of graceful restart (RFC 4724) so peers keep our stale routes"
              + " until our End-of-RIB, as bird -R and gobgpd -r do. A speaker whose peers have"
              + " gracefulRestart stops without NOTIFICATION.")
  boolean restarting;

  @Mixin MaxMemoryOption memory;

  @Override
  public Integer call() throws Exception {
    memory.check(spec.commandLine().getErr());
    Transport transport = Transport.best();
    SpeakerPlan plan = SpeakerConfigReader.read(config, transport.isEpoll());
    SocketAddress adminAddress = adminAddress(plan);
    StandaloneSpeaker speaker = StandaloneSpeaker.start(plan, adminAddress, transport, restarting);
    AtomicBoolean closed = new AtomicBoolean();
    Runnable closeOnce =
        () -> {
          if (closed.compareAndSet(false, true)) speaker.close();
        };
    Thread hook = Thread.ofPlatform().name("bgp-shutdown").unstarted(closeOnce);
    Runtime.getRuntime().addShutdownHook(hook);
    var out = spec.commandLine().getOut();
    out.println(
        "bgp speaker AS "
            + plan.asNumber()
            + " router id "
            + AddressText.of(plan.routerId())
            + " listening on "
            + AdminAddress.format(speaker.listenAddress())
            + ", "
            + plan.peers().size()
            + " peer(s), admin endpoint "
            + AdminAddress.format(speaker.adminAddress()));
    out.flush();
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      // In-process stop (tests, embedding): fall through to a clean close.
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // JVM already shutting down: the hook closes the speaker.
      }
      closeOnce.run();
    }
    return ExitCode.OK;
  }

  private SocketAddress adminAddress(SpeakerPlan plan) {
    if (admin == null) {
      return plan.admin() != null ? plan.admin() : AdminAddress.parse(AdminAddress.DEFAULT);
    }
    try {
      return AdminAddress.listenable(admin);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "--admin \"" + admin + "\" " + e.getMessage());
    }
  }
}
