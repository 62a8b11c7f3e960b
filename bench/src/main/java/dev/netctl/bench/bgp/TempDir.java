package dev.netctl.bench.bgp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** A scratch directory deleted on close, or by a shutdown hook if the run is interrupted. */
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

  @Override
  public void close() {
    delete(path);
    LIVE.remove(path);
  }

  private static void delete(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // already gone: nothing left to clean
    }
  }
}
