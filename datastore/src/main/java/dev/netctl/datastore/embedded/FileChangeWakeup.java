package dev.netctl.datastore.embedded;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the poller when another process writes the store's file, so a watch sees that write at once
 * instead of at the next poll. SQLite in WAL mode appends every commit to {@code <db>-wal} (and
 * checkpoints write {@code <db>}); the directory's change notifications (inotify on Linux) name
 * those files. The poll interval stays as the fallback where notifications do not come (network
 * file systems), so this only ever shortens the delay.
 */
final class FileChangeWakeup implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileChangeWakeup.class);

  private static final long[] AFTER_NOTIFICATION_MS = {1, 4, 16, 64};

  private final WatchService service;
  private final Thread thread;

  private FileChangeWakeup(WatchService service, Set<Path> names, Runnable wake) {
    this.service = service;
    this.thread =
        Thread.ofPlatform()
            .daemon()
            .name("netctl-embedded-file-watch")
            .start(() -> run(names, wake));
  }

  /**
   * Starts waking {@code wake} on changes of {@code db} or its WAL; null when the file system
   * cannot notify (the poller then relies on its interval alone).
   */
  static FileChangeWakeup start(Path db, Runnable wake) {
    Path file = db.toAbsolutePath();
    Path dir = file.getParent();
    if (dir == null) return null;
    Path name = file.getFileName();
    Set<Path> names = Set.of(name, Path.of(name + "-wal"));
    try {
      WatchService service = dir.getFileSystem().newWatchService();
      try {
        dir.register(
            service, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
      } catch (IOException | RuntimeException e) {
        service.close();
        throw e;
      }
      return new FileChangeWakeup(service, names, wake);
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("no change notifications for {}; polling only", dir, e);
      return null;
    }
  }

  private void run(Set<Path> names, Runnable wake) {
    try {
      while (true) {
        WatchKey key = service.take();
        boolean ours = false;
        for (WatchEvent<?> e : key.pollEvents()) {
          // An overflow lost events, maybe ours: a spurious wake costs one poll.
          if (e.kind() == StandardWatchEventKinds.OVERFLOW || names.contains(e.context())) {
            ours = true;
          }
        }
        if (ours) {
          // The WAL is written before the commit is published (in the shared-memory index, which
          // notifies nobody): a poll right at the notification may not see it yet, so more polls
          // follow over the next tens of milliseconds (a loaded machine may preempt the writer in
          // between).
          for (long delay : AFTER_NOTIFICATION_MS) {
            wake.run();
            Thread.sleep(delay);
          }
          wake.run();
        }
        if (!key.reset()) return; // the directory went away; the interval poll remains
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // closed with the store
    }
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException e) {
      // nothing more to release
    }
    thread.interrupt();
  }
}
