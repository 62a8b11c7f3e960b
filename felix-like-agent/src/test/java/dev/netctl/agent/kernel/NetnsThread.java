package dev.netctl.agent.kernel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netctl.agent.exec.Exec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace this test made ({@code nl-<random>}, lo up) and one platform thread that
 * entered it with setns(2), which moves only the calling thread: everything that thread opens
 * (netlink sockets, the ioctl socket behind if_nametoindex) belongs to the namespace.
 */
final class NetnsThread implements AutoCloseable {

  private static final int O_RDONLY_CLOEXEC = 0x80000;
  private static final int CLONE_NEWNET = 0x40000000;

  final String name = "nl-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
  private final Thread cleanup = new Thread(this::deleteNamespace, "netns-thread-cleanup");
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name(name).unstarted(r));

  /** Skips (or, under CI=true, fails) when this is not root with ip. */
  static void assumeRoot() {
    boolean ok =
        "root".equals(System.getProperty("user.name"))
            && Files.isExecutable(Path.of("/usr/sbin/ip"));
    if (!ok && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("netlink tests need root and /usr/sbin/ip");
    }
    assumeTrue(ok, "netlink tests need root and ip: skipped");
  }

  NetnsThread() throws Exception {
    // a run killed at its time limit never reaches close(): the namespace goes with the JVM
    Runtime.getRuntime().addShutdownHook(cleanup);
    sh("ip", "netns", "add", name);
    try {
      sh("ip", "-n", name, "link", "set", "lo", "up");
      run(
          () -> {
            enter(Path.of("/var/run/netns", name));
            return null;
          });
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  /** Runs {@code task} on the thread inside the namespace. */
  <T> T run(Callable<T> task) throws Exception {
    try {
      return thread.submit(task).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) throw x;
      throw e;
    }
  }

  /** {@code ip -n NS ARGS...}: fails with its error output. */
  String ip(String... args) throws IOException, InterruptedException {
    String[] argv = new String[args.length + 3];
    argv[0] = "ip";
    argv[1] = "-n";
    argv[2] = name;
    System.arraycopy(args, 0, argv, 3, args.length);
    return sh(argv);
  }

  static String sh(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", List.of(argv)) + ": " + out);
    }
    return out;
  }

  private static void enter(Path netns) throws Exception {
    Linker linker = Linker.nativeLinker();
    MethodHandle open =
        linker.downcallHandle(
            linker.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    MethodHandle setns =
        linker.downcallHandle(
            linker.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    MethodHandle close =
        linker.downcallHandle(
            linker.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    try (Arena a = Arena.ofConfined()) {
      enter(a, netns, open, setns, close);
    } catch (Exception | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static void enter(
      Arena a, Path netns, MethodHandle open, MethodHandle setns, MethodHandle close)
      throws Throwable {
    {
      MemorySegment path = a.allocateFrom(netns.toString());
      int fd = (int) open.invokeExact(path, O_RDONLY_CLOEXEC);
      if (fd < 0) throw new IllegalStateException("cannot open " + netns);
      int r = (int) setns.invokeExact(fd, CLONE_NEWNET);
      int ignored = (int) close.invokeExact(fd);
      if (r != 0) throw new IllegalStateException("setns(" + netns + ") failed");
    }
  }

  @Override
  public void close() throws Exception {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook is running this very cleanup
    }
    thread.shutdownNow();
    thread.awaitTermination(10, TimeUnit.SECONDS);
    deleteNamespace();
  }

  private void deleteNamespace() {
    Exec.Result r = Exec.run(Duration.ofSeconds(30), List.of("ip", "netns", "del", name));
    if (!r.ok()) throw new IllegalStateException("ip netns del " + name + ": " + r.stderr());
  }
}
