package dev.netctl.bench.bgp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A scratch directory deleted on close (kept when the environment sets BGPBENCH_KEEP), or by a
 * shutdown hook if the run is interrupted.
 */
final class TempDir implements AutoCloseable {
  private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> LIVE.forEach(TempDir::delete), "bench-tempdirs"));
  }

  private final Path path;

  TempDir(String prefix) {
    try {
      path = Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new BenchException("cannot create a temp dir: " + e, e);
    }
    LIVE.add(path);
  }

  Path path() {
    return path;
  }

  /** Deletes the directory, unless BGPBENCH_KEEP is set (to read daemon logs afterwards). */
  @Override
  public void close() {
    LIVE.remove(path);
    if (System.getenv("BGPBENCH_KEEP") != null) {
      System.err.println("kept " + path);
      return;
    }
    delete(path);
  }

  private static void delete(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // already gone: nothing left to clean
    }
  }
}
