package dev.netctl.ctl;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A Java runtime copied next to the CNI plugins, for {@code netctl cni install --copy-runtime}.
 *
 * <p>The plugins are run by the container runtime on the host, not in the install container, so the
 * {@code java} their launchers name must exist on the host. A Kubernetes node has no JDK 25 of its
 * own; the image's jlink'd runtime is copied into the (host-mounted) CNI bin dir instead, as
 * Calico's install container copies its plugin binaries.
 *
 * <p>Each install copies into a directory of its own ({@code java-<millis>-<pid>}, made under a
 * temporary name and renamed when complete), and {@code java} is a symbolic link to it, replaced by
 * one {@code rename(2)}: a plugin starting during an upgrade finds the old runtime or the new,
 * never none. The copy just replaced is kept (a plugin started a moment ago may still load a
 * library from it); older ones are removed.
 */
final class RuntimeCopy {
  private RuntimeCopy() {}

  /** The {@code java} of the runtime at {@code home}, or a usage error naming the option. */
  static Path javaOf(Path home) {
    Path java = home.resolve("bin").resolve("java");
    if (!Files.isExecutable(java)) {
      throw new CliException(
          ExitCode.USAGE,
          "cni install: --copy-runtime "
              + home
              + ": "
              + java
              + " is not an executable file (give a Java runtime's home, e.g. /opt/java)");
    }
    return java;
  }

  /**
   * Copies the runtime at {@code home} next to {@code target} and points the link {@code target} at
   * the copy, replacing what is there; on failure the link still names the runtime it named before,
   * and no partial copy is left.
   *
   * @return the {@code java} under the link
   */
  static Path copy(Path home, Path target) throws IOException {
    javaOf(home);
    Path dir = target.getParent();
    Files.createDirectories(dir);
    String name = target.getFileName().toString();
    long pid = ProcessHandle.current().pid();
    String version = name + "-" + System.currentTimeMillis() + "-" + pid;
    Path tmp = dir.resolve("." + version + ".tmp");
    Path link = dir.resolve("." + name + ".link" + pid);
    try {
      copyTree(home, tmp);
      Files.move(tmp, dir.resolve(version), StandardCopyOption.ATOMIC_MOVE);
      Path previous =
          Files.isSymbolicLink(target) ? dir.resolve(Files.readSymbolicLink(target)) : null;
      if (previous == null) {
        deleteTree(target); // not a link: nothing a launcher of ours names through a link
      }
      Files.createSymbolicLink(link, Path.of(version)); // relative: the host mounts dir anywhere
      Files.move(link, target, StandardCopyOption.ATOMIC_MOVE);
      try (Stream<Path> copies = Files.list(dir)) {
        for (Path p : copies.toList()) {
          String n = p.getFileName().toString();
          if (n.startsWith(name + "-") && !n.equals(version) && !p.equals(previous)) {
            deleteTree(p);
          }
        }
      }
    } finally {
      deleteTree(tmp);
      Files.deleteIfExists(link);
    }
    return target.resolve("bin").resolve("java");
  }

  /** Files with their permissions, symbolic links as links (jlink links its legal notices). */
  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Files.createDirectories(to.resolve(from.relativize(dir).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.copy(
                file,
                to.resolve(from.relativize(file).toString()),
                LinkOption.NOFOLLOW_LINKS,
                StandardCopyOption.COPY_ATTRIBUTES);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
