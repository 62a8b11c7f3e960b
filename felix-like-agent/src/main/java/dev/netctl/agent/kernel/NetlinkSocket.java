package dev.netctl.agent.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An {@code AF_NETLINK} socket through the foreign-function API: socket(2), bind(2), send(2),
 * recv(2), setsockopt(2), close(2), setns(2) to open one in a named namespace, and {@code
 * if_nametoindex}/{@code if_indextoname}. Only I/O: the messages are the callers' ({@link
 * RouteMessages} for routes, the policy package's nf_tables set elements).
 *
 * <p>A socket belongs to the network namespace of the thread that opened it. A route socket is also
 * that thread's (its buffers live in a confined arena, freed at once on close); a shared one may be
 * used from any thread, one at a time. The kernel handles a request datagram inside send(2), so
 * when send returns every answer to it is queued (or, past the receive buffer, dropped: {@link
 * #OVERRUN}).
 */
public final class NetlinkSocket implements AutoCloseable {

  /** recv(2) failed with ENOBUFS: answers were dropped, the socket's state is unknown. */
  static final int OVERRUN = -105;

  /** The routing family: links, addresses, routes, neighbours. */
  public static final int NETLINK_ROUTE = 0;

  /** The netfilter family: nf_tables and friends. */
  public static final int NETLINK_NETFILTER = 12;

  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_SNDBUF = 7;
  private static final int SO_SNDBUFFORCE = 32;
  private static final int SO_RCVBUF = 8;
  private static final int SO_RCVBUFFORCE = 33;
  private static final int SO_RCVTIMEO = 20;
  private static final int SOL_NETLINK = 270;
  private static final int NETLINK_CAP_ACK = 10;
  private static final int NETLINK_EXT_ACK = 11;
  private static final int NETLINK_GET_STRICT_CHK = 12;
  private static final int EINTR = 4;
  private static final int EAGAIN = 11;
  private static final int ENOBUFS = 105;
  private static final int O_RDONLY_CLOEXEC = 0x80000;
  private static final int CLONE_NEWNET = 0x40000000;

  /** The kernel's room for the answers to one request datagram, errors included. */
  static final int KERNEL_RECEIVE_BUFFER = 4 << 20;

  /** How long a recv waits for the kernel before the operation is given up. */
  private static final int RECEIVE_TIMEOUT_SECONDS = 30;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

  private static final MethodHandle SOCKET =
      downcall(
          "socket",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT));
  private static final MethodHandle BIND =
      downcall(
          "bind",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_INT));
  private static final MethodHandle SETSOCKOPT =
      downcall(
          "setsockopt",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_INT));

  /** {@code ssize_t f(int fd, void *buf, size_t len, int flags)}: send(2) and recv(2). */
  private static final FunctionDescriptor SEND_OR_RECV =
      FunctionDescriptor.of(
          ValueLayout.JAVA_LONG,
          ValueLayout.JAVA_INT,
          ValueLayout.ADDRESS,
          ValueLayout.JAVA_LONG,
          ValueLayout.JAVA_INT);

  private static final MethodHandle SEND = downcall("send", SEND_OR_RECV);
  private static final MethodHandle RECV = downcall("recv", SEND_OR_RECV);
  private static final MethodHandle CLOSE =
      downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
  private static final MethodHandle OPEN =
      downcall(
          "open",
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
  private static final MethodHandle SETNS =
      downcall(
          "setns",
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
  private static final MethodHandle IF_NAMETOINDEX =
      downcall("if_nametoindex", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
  private static final MethodHandle IF_INDEXTONAME =
      downcall(
          "if_indextoname",
          FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

  private static MethodHandle downcall(String name, FunctionDescriptor fd) {
    MemorySegment fn =
        LINKER
            .defaultLookup()
            .find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in the C library"));
    return LINKER.downcallHandle(fn, fd, CAPTURE_ERRNO);
  }

  private final Arena arena;
  private final MemorySegment state;
  private final MemorySegment sendBuffer;
  private final MemorySegment receiveBuffer;
  private int fd = -1;
  private int seq;
  private boolean closed;

  /**
   * Opens and binds a route socket in the calling thread's network namespace, for that thread.
   *
   * @param sendCapacity the largest request datagram
   * @param receiveCapacity the largest answer datagram (a dump's are up to 32 KiB)
   * @param kernelReceiveBuffer the socket's receive buffer in the kernel (SO_RCVBUF)
   */
  NetlinkSocket(int sendCapacity, int receiveCapacity, int kernelReceiveBuffer) {
    this(NETLINK_ROUTE, sendCapacity, receiveCapacity, kernelReceiveBuffer, Arena.ofConfined());
  }

  /**
   * As {@link #openShared}, with a kernel send buffer of at least {@code sendCapacity} (forced past
   * wmem_max when we may): a datagram larger than the send buffer is refused, and nf_tables applies
   * a batch as one transaction only when it arrives in one datagram.
   */
  public static NetlinkSocket openSharedForLargeRequests(
      int protocol, int sendCapacity, int receiveCapacity, int kernelReceiveBuffer, String netns) {
    NetlinkSocket s =
        openShared(protocol, sendCapacity, receiveCapacity, kernelReceiveBuffer, netns);
    // the kernel doubles the value it is given and charges some overhead per datagram
    int want = sendCapacity + (64 << 10);
    if (!s.setInt(SOL_SOCKET, SO_SNDBUFFORCE, want)) s.setInt(SOL_SOCKET, SO_SNDBUF, want);
    return s;
  }

  /**
   * Opens and binds a socket of {@code protocol} usable from any thread, in network namespace
   * {@code netns} ({@code /run/netns/<name>}), or in the calling thread's when null.
   *
   * @throws KernelException when it cannot be opened (no such namespace, no CAP_NET_ADMIN...)
   */
  public static NetlinkSocket openShared(
      int protocol, int sendCapacity, int receiveCapacity, int kernelReceiveBuffer, String netns) {
    if (netns == null) {
      return new NetlinkSocket(
          protocol, sendCapacity, receiveCapacity, kernelReceiveBuffer, Arena.ofShared());
    }
    // setns(2) moves only the calling thread: a throwaway platform thread opens the socket there.
    AtomicReference<Object> result = new AtomicReference<>();
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    enterNetns(netns);
                    result.set(
                        new NetlinkSocket(
                            protocol,
                            sendCapacity,
                            receiveCapacity,
                            kernelReceiveBuffer,
                            Arena.ofShared()));
                  } catch (RuntimeException e) {
                    result.set(e);
                  }
                });
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KernelException("interrupted opening a netlink socket in " + netns, e);
    }
    if (result.get() instanceof RuntimeException e) throw e;
    return (NetlinkSocket) result.get();
  }

  private static void enterNetns(String netns) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment st = a.allocate(CALL_STATE);
      int fd = (int) OPEN.invokeExact(st, a.allocateFrom("/run/netns/" + netns), O_RDONLY_CLOEXEC);
      if (fd < 0) throw new KernelException("open netns " + netns + ": errno " + errno(st));
      int rc = (int) SETNS.invokeExact(st, fd, CLONE_NEWNET);
      int errno = errno(st);
      int ignored = (int) CLOSE.invokeExact(st, fd);
      if (rc != 0) throw new KernelException("setns " + netns + ": errno " + errno);
    } catch (KernelException e) {
      throw e;
    } catch (Throwable t) {
      throw new KernelException("setns " + netns + ": " + t, t);
    }
  }

  private NetlinkSocket(
      int protocol, int sendCapacity, int receiveCapacity, int kernelReceiveBuffer, Arena arena) {
    this.arena = arena;
    state = arena.allocate(CALL_STATE);
    sendBuffer = arena.allocate(sendCapacity, 8);
    receiveBuffer = arena.allocate(receiveCapacity, 8);
    try {
      fd = (int) SOCKET.invokeExact(state, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
      if (fd < 0) throw failure("socket(AF_NETLINK)");
      MemorySegment addr = arena.allocate(12, 4); // sockaddr_nl, zero: the kernel picks our id
      addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
      if ((int) BIND.invokeExact(state, fd, addr, 12) < 0) {
        throw failure("bind(AF_NETLINK)");
      }
      // Forced past rmem_max when we may (root): the answers to a whole datagram must fit.
      if (!setInt(SOL_SOCKET, SO_RCVBUFFORCE, kernelReceiveBuffer)) {
        setInt(SOL_SOCKET, SO_RCVBUF, kernelReceiveBuffer);
      }
      // Errors with the kernel's reason, without an echo of the request; dumps filtered in the
      // kernel. Older kernels lack some: every one is an optimisation, not a requirement.
      setInt(SOL_NETLINK, NETLINK_EXT_ACK, 1);
      setInt(SOL_NETLINK, NETLINK_CAP_ACK, 1);
      setInt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
      MemorySegment timeout = arena.allocate(16, 8); // struct timeval
      timeout.set(ValueLayout.JAVA_LONG, 0, RECEIVE_TIMEOUT_SECONDS);
      if ((int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16) < 0) {
        throw failure("setsockopt(SO_RCVTIMEO)");
      }
    } catch (KernelException e) {
      close();
      throw e;
    } catch (Throwable t) {
      close();
      throw new KernelException("netlink socket: " + t, t);
    }
  }

  /** A sequence number not used on this socket yet. */
  int nextSeq() {
    return ++seq;
  }

  /** Marks the {@code n} numbers after the last {@link #nextSeq()} as used. */
  void skipSeq(int n) {
    seq += n;
  }

  /** The send buffer as a byte buffer in host order, positioned at 0, to encode requests into. */
  public ByteBuffer requestBuffer() {
    return sendBuffer.asByteBuffer().order(ByteOrder.nativeOrder());
  }

  /** Sends the first {@code length} bytes of {@link #requestBuffer()} as one datagram. */
  public void send(int length) {
    try {
      while (true) {
        long n = (long) SEND.invokeExact(state, fd, sendBuffer, (long) length, 0);
        if (n >= 0) return;
        if (errno() != EINTR) throw failure("netlink send");
      }
    } catch (KernelException e) {
      throw e;
    } catch (Throwable t) {
      throw new KernelException("netlink send: " + t, t);
    }
  }

  /**
   * Receives one datagram.
   *
   * @return its bytes (valid until the next receive), or null after {@link #OVERRUN}
   */
  public ByteBuffer receive() {
    try {
      while (true) {
        long n = (long) RECV.invokeExact(state, fd, receiveBuffer, receiveBuffer.byteSize(), 0);
        if (n >= 0) {
          return receiveBuffer.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder());
        }
        int errno = errno();
        if (errno == EINTR) continue;
        if (errno == ENOBUFS) return null;
        if (errno == EAGAIN) {
          throw new KernelException(
              "netlink: no answer from the kernel within " + RECEIVE_TIMEOUT_SECONDS + " s");
        }
        throw failure("netlink recv");
      }
    } catch (KernelException e) {
      throw e;
    } catch (Throwable t) {
      throw new KernelException("netlink recv: " + t, t);
    }
  }

  /** The index of interface {@code name} in this thread's namespace, or 0 when there is none. */
  static int ifindex(String name) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(CALL_STATE);
      return (int) IF_NAMETOINDEX.invokeExact(state, a.allocateFrom(name));
    } catch (Throwable t) {
      throw new KernelException("if_nametoindex(" + name + "): " + t, t);
    }
  }

  /** The name of interface {@code index}, or null when there is none. */
  static String ifname(int index) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(CALL_STATE);
      MemorySegment buf = a.allocate(16); // IF_NAMESIZE
      MemorySegment r = (MemorySegment) IF_INDEXTONAME.invokeExact(state, index, buf);
      return r.equals(MemorySegment.NULL) ? null : buf.getString(0);
    } catch (Throwable t) {
      throw new KernelException("if_indextoname(" + index + "): " + t, t);
    }
  }

  private boolean setInt(int level, int option, int value) {
    try {
      MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_INT, value);
      return (int) SETSOCKOPT.invokeExact(state, fd, level, option, v, 4) == 0;
    } catch (Throwable t) {
      throw new KernelException("setsockopt: " + t, t);
    }
  }

  private int errno() {
    return errno(state);
  }

  private static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  private KernelException failure(String what) {
    return new KernelException(what + ": errno " + errno());
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    try {
      if (fd >= 0) {
        int ignored = (int) CLOSE.invokeExact(state, fd);
      }
    } catch (Throwable t) {
      // Nothing to do about a failed close of a socket we no longer use.
    } finally {
      arena.close();
    }
  }
}
