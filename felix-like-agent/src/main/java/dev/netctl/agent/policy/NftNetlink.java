package dev.netctl.agent.policy;

import static dev.netctl.agent.kernel.RouteMessages.NLMSG_ERROR;
import static dev.netctl.agent.kernel.RouteMessages.NLM_F_REQUEST;

import dev.netctl.agent.kernel.KernelException;
import dev.netctl.agent.kernel.NetlinkSocket;
import dev.netctl.agent.kernel.RouteMessages;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * nftables transactions sent straight to the kernel over {@code NETLINK_NETFILTER} (one nf_tables
 * batch per transaction, encoded by {@link NftBatch}), through the JDK's foreign function API, no
 * libnftnl and no nft process.
 *
 * <p>Why: nft parses and evaluates a script in user space before the kernel's work (for a full
 * ruleset about as long as the kernel's batch), and an {@code nft} process, even a long-lived
 * {@code nft -i}, reloads its cache (every chain and set of the table) before each command; with
 * thousands of chains that alone is 5–10 ms, while the kernel applies one element in microseconds.
 * One batch is one kernel transaction: one error means nothing was applied (the caller then uses
 * {@code nft}).
 */
final class NftNetlink implements AutoCloseable {

  /** The socket's first buffer; a larger batch reopens it larger. */
  private static final int BATCH_BYTES = 1 << 16;

  private NetlinkSocket socket;
  private final String netns;
  private int capacity = BATCH_BYTES;
  private int seq = (int) (System.nanoTime() & 0x3fffffff);
  // where transactions are encoded before they are copied to the socket's buffer; grows for a
  // large one (a full rewrite) and shrinks back for the small ones that follow
  private static final int SCRATCH_BYTES = 1 << 20;
  private ByteBuffer scratch = scratch(SCRATCH_BYTES);

  private NftNetlink(NetlinkSocket socket, String netns) {
    this.socket = socket;
    this.netns = netns;
  }

  /**
   * A netfilter netlink socket in network namespace {@code netns} ({@code /run/netns/<name>}), or
   * in the current one when null.
   *
   * @throws NftCommand.NftException when it cannot be opened (e.g. no CAP_NET_ADMIN)
   */
  static NftNetlink open(String netns) {
    try {
      return new NftNetlink(
          NetlinkSocket.openShared(
              NetlinkSocket.NETLINK_NETFILTER, BATCH_BYTES, BATCH_BYTES, 1 << 20, netns),
          netns);
    } catch (KernelException e) {
      throw new NftCommand.NftException("netlink: " + e.getMessage());
    }
  }

  /**
   * Applies {@code tx} as one nf_tables transaction: one batch in one datagram ({@link NftBatch}),
   * then a generation request whose answer marks the end of the kernel's answers (nf_tables
   * processes a batch while it is sent, so every refusal is queued before that answer).
   *
   * @return false when {@code tx} uses what {@link NftBatch} does not encode: nothing was sent
   * @throws NftCommand.NftException naming the refused command (nothing applied)
   * @throws NftCommand.OutcomeUnknownException when the socket failed after the batch was sent
   */
  boolean apply(NftTransaction tx) {
    NftBatch batch;
    int first = seq;
    while (true) {
      try {
        scratch.clear();
        batch = NftBatch.encode(tx, scratch, first);
        break;
      } catch (java.nio.BufferOverflowException e) {
        if (scratch.capacity() >= 1 << 30) return false;
        scratch = scratch(scratch.capacity() * 2);
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    int length = scratch.position();
    int gen = batch.nextSeq();
    seq = gen + 1;
    boolean sent = false;
    try {
      if (length > capacity) {
        // the next power of two, or the length itself where that would not fit an int
        int high = Integer.highestOneBit(length);
        reopen(high >= 1 << 30 ? length : high << 1);
      }
      ByteBuffer out = socket.requestBuffer();
      out.put(scratch.flip());
      // grown for a large transaction before: not kept for the small ones (copied out by now)
      if (length <= SCRATCH_BYTES && scratch.capacity() > SCRATCH_BYTES) {
        scratch = scratch(SCRATCH_BYTES);
      }
      socket.send(length);
      sent = true;
      out = socket.requestBuffer();
      getgen(out, gen);
      socket.send(out.position());
      List<String> refused = new ArrayList<>();
      while (true) {
        ByteBuffer in = socket.receive();
        if (in == null) {
          // Only refusals and the generation answer are ever queued (no message asks for an
          // acknowledgement): an overflow means refusals, and one refusal means nothing applied.
          throw new NftCommand.NftException(
              "netlink: the kernel refused the batch (more refusals than the socket's buffer holds;"
                  + " nothing applied)");
        }
        boolean done = false;
        while (in.remaining() >= 16) {
          int start = in.position();
          int len = in.getInt(start);
          int type = Short.toUnsignedInt(in.getShort(start + 4));
          int s = in.getInt(start + 8);
          if (s == gen) done = true;
          else if (type == NLMSG_ERROR && in.getInt(start + 16) != 0 && refused.size() < 5) {
            refused.add(
                describe(tx, batch.opOf(in.getInt(start + 16 + 12)), -in.getInt(start + 16)));
          }
          if (len < 16) break;
          in.position(start + ((len + 3) & ~3));
        }
        if (done) break;
      }
      if (!refused.isEmpty()) {
        throw new NftCommand.NftException(
            "netlink: the kernel refused " + String.join("; ", refused));
      }
    } catch (KernelException e) {
      if (!sent) throw new NftCommand.NftException("netlink: " + e.getMessage());
      throw new NftCommand.OutcomeUnknownException(
          "netlink: "
              + e.getMessage()
              + " after the batch was sent: whether it applied is unknown");
    }
    return true;
  }

  private static ByteBuffer scratch(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.nativeOrder());
  }

  private static String describe(NftTransaction tx, int op, int errno) {
    String what =
        op < 0
            ? "the batch"
            : NftTransaction.cut(tx.ops().get(op).text(tx.family() + " " + tx.table()).strip());
    return what + " (errno " + errno + ")";
  }

  private void reopen(int newCapacity) {
    NetlinkSocket bigger =
        NetlinkSocket.openSharedForLargeRequests(
            NetlinkSocket.NETLINK_NETFILTER, newCapacity, BATCH_BYTES, 4 << 20, netns);
    socket.close();
    socket = bigger;
    capacity = newCapacity;
  }

  /** The generation request that follows a batch: its answer comes after the batch's. */
  private static void getgen(ByteBuffer b, int seq) {
    RouteMessages.putHeader(
        b, (NftBatch.NFNL_SUBSYS_NFTABLES << 8) | NftBatch.GETGEN, NLM_F_REQUEST, seq);
    b.putInt(0); // nfgenmsg: AF_UNSPEC, version 0, res_id 0
    b.putInt(0, b.position());
  }

  /**
   * The key bytes of one element as nft lays out a (concatenated) key: each part in network order,
   * padded to a 4-byte register.
   */
  static byte[] encode(String type, String element) {
    String[] types = type.split(" \\. ");
    String[] parts = element.split(" \\. ");
    if (types.length != parts.length) {
      throw new IllegalArgumentException("element " + element + " is not a " + type);
    }
    ByteBuffer out = ByteBuffer.allocate(16 * types.length).order(ByteOrder.BIG_ENDIAN);
    for (int i = 0; i < types.length; i++) {
      String p = parts[i].trim();
      switch (types[i].trim()) {
        case "ipv4_addr", "ipv6_addr" -> {
          byte[] a = address(p);
          if (a.length != (types[i].trim().equals("ipv4_addr") ? 4 : 16)) {
            throw new IllegalArgumentException(p + " is not a " + types[i]);
          }
          out.put(a);
        }
        case "ifname" -> {
          // a NUL-padded IFNAMSIZ string; nft writes it quoted
          String name = p.startsWith("\"") && p.endsWith("\"") ? p.substring(1, p.length() - 1) : p;
          byte[] n = name.getBytes(StandardCharsets.US_ASCII);
          if (n.length == 0 || n.length > 15 || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException(p + " is not an interface name");
          }
          out.put(n).put(new byte[16 - n.length]);
        }
        case "inet_proto" -> out.put((byte) Integer.parseInt(p)).put(new byte[3]);
        case "inet_service" -> out.putShort((short) Integer.parseInt(p)).put(new byte[2]);
        default -> throw new IllegalArgumentException("type " + types[i] + " is not encoded");
      }
    }
    byte[] r = new byte[out.position()];
    out.flip().get(r);
    return r;
  }

  private static byte[] address(String literal) {
    // only literals reach here (never a name to resolve): digits, dots, colons, hex
    if (!literal.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException(literal + " is not an address");
    }
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal + " is not an address", e);
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
