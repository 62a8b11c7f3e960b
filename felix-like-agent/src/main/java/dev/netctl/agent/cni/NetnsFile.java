package dev.netctl.agent.cni;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Whether a path names a network namespace, as containernetworking's {@code ns.GetNS} decides: the
 * file's file system (statfs(2), following links) is nsfs — a bind mount under /run/netns, or
 * /proc/PID/ns/net — or procfs, which older kernels gave the namespace files. A plain file or a
 * directory is refused before anything is allocated or plumbed, with the spec's code for a bad
 * CNI_NETNS rather than a plumbing failure.
 */
final class NetnsFile {

  /** {@code NSFS_MAGIC} from linux/magic.h. */
  static final long NSFS_MAGIC = 0x6e736673L;

  /** {@code PROC_SUPER_MAGIC} from linux/magic.h. */
  static final long PROC_SUPER_MAGIC = 0x9fa0L;

  /** {@code struct statfs} on 64-bit Linux: 120 bytes, {@code f_type} the first 8. */
  private static final long STATFS_SIZE = 120;

  private static final MethodHandle STATFS =
      Linker.nativeLinker()
          .downcallHandle(
              Linker.nativeLinker()
                  .defaultLookup()
                  .find("statfs")
                  .orElseThrow(() -> new UnsatisfiedLinkError("no statfs in the C library")),
              FunctionDescriptor.of(
                  ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

  private NetnsFile() {}

  /**
   * The magic number of the file system {@code path} lies on, or -1 when statfs fails (no such
   * file, no permission).
   */
  static long fileSystemType(String path) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(STATFS_SIZE, 8);
      int rc = (int) STATFS.invokeExact(a.allocateFrom(path), buf);
      return rc == 0 ? buf.get(ValueLayout.JAVA_LONG, 0) : -1;
    } catch (Throwable t) {
      throw new IllegalStateException("statfs(" + path + "): " + t, t);
    }
  }

  /** Whether {@code path} is a network namespace file (see the class comment). */
  static boolean isNamespace(String path) {
    long type = fileSystemType(path);
    return type == NSFS_MAGIC || type == PROC_SUPER_MAGIC;
  }
}
