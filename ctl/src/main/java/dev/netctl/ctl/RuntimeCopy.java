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
 * Calico's install container copies its plugin binaries. The copy is made under a temporary name
 * and renamed into place, so a plugin starting during an upgrade finds the old runtime or the new.
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
   * Copies the runtime at {@code home} to {@code target}, replacing what is there.
   *
   * @return the copy's {@code java}
   */
  static Path copy(Path home, Path target) throws IOException {
    javaOf(home);
    long pid = ProcessHandle.current().pid();
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp" + pid);
    Path old = target.resolveSibling("." + target.getFileName() + ".old" + pid);
    deleteTree(tmp);
    deleteTree(old);
    Files.createDirectories(target.getParent());
    copyTree(home, tmp);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    deleteTree(old);
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
