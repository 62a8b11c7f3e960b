package dev.netctl.agent.policy;

import static dev.netctl.agent.kernel.RouteMessages.NLMSG_ERROR;
import static dev.netctl.agent.kernel.RouteMessages.NLM_F_ACK;
import static dev.netctl.agent.kernel.RouteMessages.NLM_F_CREATE;
import static dev.netctl.agent.kernel.RouteMessages.NLM_F_REQUEST;

import dev.netctl.agent.kernel.KernelException;
import dev.netctl.agent.kernel.NetlinkSocket;
import dev.netctl.agent.kernel.RouteMessages;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Set element changes sent straight to the kernel over {@code NETLINK_NETFILTER} (nf_tables batch
 * of {@code NEWSETELEM}/{@code DELSETELEM}), through the JDK's foreign function API, no libnftnl.
 *
 * <p>Why: an {@code nft} process, even a long-lived {@code nft -i}, reloads its cache (every chain
 * and set of the table) before each command; with thousands of chains that alone is 5–10 ms, while
 * the kernel applies one element in microseconds. Only the element types netctl's sets use are
 * encoded ({@code ipv4_addr}, {@code ipv6_addr}, their concatenations with {@code inet_proto} and
 * {@code inet_service}, and the dispatch maps' {@code ifname : verdict} with goto/jump); anything
 * else goes through {@code nft}. One batch is one kernel transaction: every message asks for an
 * acknowledgement, and one error means nothing was applied (the caller then resynchronises with
 * {@code nft}).
 */
final class NftNetlink implements AutoCloseable {

  private static final int NLA_F_NESTED = 0x8000;
  private static final int NFNL_SUBSYS_NFTABLES = 10;
  private static final int NFNL_MSG_BATCH_BEGIN = 16;
  private static final int NFNL_MSG_BATCH_END = 17;
  private static final int NFT_MSG_NEWSETELEM = 12;
  private static final int NFT_MSG_DELSETELEM = 14;
  private static final int NFTA_SET_ELEM_LIST_TABLE = 1;
  private static final int NFTA_SET_ELEM_LIST_SET = 2;
  private static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
  private static final int NFTA_LIST_ELEM = 1;
  private static final int NFTA_SET_ELEM_KEY = 1;
  private static final int NFTA_DATA_VALUE = 1;
  private static final int NFTA_SET_ELEM_DATA = 2;
  private static final int NFTA_DATA_VERDICT = 2;
  private static final int NFTA_VERDICT_CODE = 1;
  private static final int NFTA_VERDICT_CHAIN = 2;
  private static final int NFT_JUMP = -3;
  private static final int NFT_GOTO = -4;

  /** The largest batch: what does not fit goes through {@code nft}. */
  private static final int BATCH_BYTES = 1 << 16;

  private NetlinkSocket socket;
  private final String netns;
  private int capacity = BATCH_BYTES;
  private int seq = (int) (System.nanoTime() & 0x3fffffff);
  // where transactions are encoded before they are copied to the socket's buffer; grows
  private ByteBuffer scratch = ByteBuffer.allocate(1 << 20).order(ByteOrder.nativeOrder());

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
   * Applies the element changes to sets of table {@code family table} as one transaction.
   *
   * @return false when the changes do not fit one 64 KiB batch or use a type this class does not
   *     encode: nothing was sent, the caller uses {@code nft}
   * @throws NftCommand.NftException with the kernel's errno when it refused (nothing applied)
   */
  boolean apply(String family, String table, List<NftCommand.ElementDelta> deltas) {
    if (!family.equals("inet")) return false;
    ByteBuffer b = socket.requestBuffer();
    int first = seq;
    int messages = 0;
    try {
      header(b, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, 0, NFNL_SUBSYS_NFTABLES);
      for (NftCommand.ElementDelta d : deltas) {
        if (!d.delete().isEmpty()) {
          message(b, NFT_MSG_DELSETELEM, NLM_F_REQUEST | NLM_F_ACK, table, d, d.delete());
          messages++;
        }
        if (!d.add().isEmpty()) {
          int flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
          message(b, NFT_MSG_NEWSETELEM, flags, table, d, d.add());
          messages++;
        }
      }
      header(b, NFNL_MSG_BATCH_END, NLM_F_REQUEST, 0, NFNL_SUBSYS_NFTABLES);
    } catch (java.nio.BufferOverflowException | IllegalArgumentException e) {
      seq = first;
      return false;
    }
    if (messages == 0) return true;
    try {
      socket.send(b.position());
      int acked = 0;
      while (acked < messages) {
        ByteBuffer in = socket.receive();
        if (in == null) {
          throw new NftCommand.NftException(
              "netlink: the kernel's answers were lost; whether the changes applied is unknown");
        }
        while (in.remaining() >= 16) {
          int start = in.position();
          int len = in.getInt(start);
          int type = Short.toUnsignedInt(in.getShort(start + 4));
          int s = in.getInt(start + 8);
          if (type == NLMSG_ERROR && s - first > 0 && s - first <= messages + 1) {
            int error = in.getInt(start + 16);
            if (error != 0) {
              throw new NftCommand.NftException(
                  "netlink: the kernel refused set element changes (errno " + -error + ")");
            }
            acked++;
          }
          if (len < 16) break;
          in.position(start + ((len + 3) & ~3));
        }
      }
    } catch (KernelException e) {
      throw new NftCommand.NftException("netlink: " + e.getMessage());
    }
    return true;
  }

  /**
   * Applies {@code tx} as one nf_tables transaction: one batch in one datagram ({@link NftBatch}),
   * then a generation request whose answer marks the end of the kernel's answers (nf_tables
   * processes a batch while it is sent, so every refusal is queued before that answer).
   *
   * @return false when {@code tx} uses what {@link NftBatch} does not encode: nothing was sent
   * @throws NftCommand.NftException naming the refused command (nothing applied)
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
        scratch = ByteBuffer.allocate(scratch.capacity() * 2).order(ByteOrder.nativeOrder());
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    int length = scratch.position();
    int gen = batch.nextSeq();
    seq = gen + 1;
    try {
      if (length > capacity) reopen(Integer.highestOneBit(length) << 1);
      ByteBuffer out = socket.requestBuffer();
      out.put(scratch.flip());
      socket.send(length);
      out = socket.requestBuffer();
      header(out, (NFNL_SUBSYS_NFTABLES << 8) | NftBatch.GETGEN, NLM_F_REQUEST, 0, 0);
      seq = gen + 1;
      out.putInt(0, 20).putInt(8, gen);
      socket.send(20);
      List<String> refused = new java.util.ArrayList<>();
      while (true) {
        ByteBuffer in = socket.receive();
        if (in == null) {
          throw new NftCommand.NftException(
              "netlink: the kernel's answers were lost; whether the transaction applied is unknown");
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
      throw new NftCommand.NftException("netlink: " + e.getMessage());
    }
    return true;
  }

  private static String describe(NftTransaction tx, int op, int errno) {
    String what =
        op < 0 ? "the batch" : tx.ops().get(op).text(tx.family() + " " + tx.table()).strip();
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

  private int header(ByteBuffer b, int type, int flags, int family, int resId) {
    int start = b.position();
    RouteMessages.putHeader(b, type, flags, seq++);
    b.put((byte) family).put((byte) 0).order(ByteOrder.BIG_ENDIAN).putShort((short) resId);
    b.order(ByteOrder.nativeOrder());
    if (type == NFNL_MSG_BATCH_BEGIN || type == NFNL_MSG_BATCH_END) b.putInt(start, 20);
    return start;
  }

  private void message(
      ByteBuffer b,
      int msg,
      int flags,
      String table,
      NftCommand.ElementDelta d,
      List<String> elements) {
    int start = header(b, (NFNL_SUBSYS_NFTABLES << 8) | msg, flags, 1 /* NFPROTO_INET */, 0);
    string(b, NFTA_SET_ELEM_LIST_TABLE, table);
    string(b, NFTA_SET_ELEM_LIST_SET, d.set());
    int list = begin(b, NFTA_SET_ELEM_LIST_ELEMENTS);
    // a map's type and element read "key : data"; a set's never contain " : "
    String[] types = d.type().split(" : ", 2);
    for (String e : elements) {
      String[] kv = e.split(" : ", 2);
      int elem = begin(b, NFTA_LIST_ELEM);
      int key = begin(b, NFTA_SET_ELEM_KEY);
      RouteMessages.putAttr(b, NFTA_DATA_VALUE, encode(types[0], kv[0]));
      end(b, key);
      if (kv.length == 2) {
        if (types.length != 2 || !types[1].equals("verdict")) {
          throw new IllegalArgumentException("map data of type " + d.type() + " is not encoded");
        }
        verdict(b, kv[1]);
      }
      end(b, elem);
    }
    end(b, list);
    b.putInt(start, b.position() - start);
  }

  /** {@code goto <chain>} or {@code jump <chain>} as a set element's data. */
  private static void verdict(ByteBuffer b, String v) {
    String[] p = v.trim().split(" ");
    int code =
        p.length == 2 && p[0].equals("goto")
            ? NFT_GOTO
            : p.length == 2 && p[0].equals("jump") ? NFT_JUMP : 0;
    if (code == 0) throw new IllegalArgumentException("verdict " + v + " is not encoded");
    int data = begin(b, NFTA_SET_ELEM_DATA);
    int verdict = begin(b, NFTA_DATA_VERDICT);
    b.putShort((short) 8).putShort((short) NFTA_VERDICT_CODE);
    b.order(ByteOrder.BIG_ENDIAN).putInt(code).order(ByteOrder.nativeOrder());
    string(b, NFTA_VERDICT_CHAIN, p[1]);
    end(b, verdict);
    end(b, data);
  }

  private static void string(ByteBuffer b, int type, String s) {
    RouteMessages.putAttr(b, type, (s + "\0").getBytes(StandardCharsets.UTF_8));
  }

  private static int begin(ByteBuffer b, int type) {
    int start = b.position();
    b.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
    return start;
  }

  private static void end(ByteBuffer b, int start) {
    b.putShort(start, (short) (b.position() - start));
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
