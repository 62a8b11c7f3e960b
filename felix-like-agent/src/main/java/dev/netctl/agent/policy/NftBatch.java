package dev.netctl.agent.policy;

import static dev.netctl.agent.policy.NftAttributes.attr;
import static dev.netctl.agent.policy.NftAttributes.begin;
import static dev.netctl.agent.policy.NftAttributes.end;
import static dev.netctl.agent.policy.NftAttributes.string;
import static dev.netctl.agent.policy.NftAttributes.u32;

import dev.netctl.agent.kernel.RouteMessages;
import dev.netctl.agent.policy.NftAttributes.SetUserdata;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * An {@link NftTransaction} as one nf_tables netlink batch ({@code NFNL_MSG_BATCH_BEGIN}, the
 * messages, {@code NFNL_MSG_BATCH_END}): what {@code nft -f} sends for the same script, without its
 * user-space parse and evaluation (pure: writes bytes, no I/O). The kernel applies a batch from one
 * datagram as one transaction, all or nothing. No message asks for an acknowledgement: the kernel
 * answers only the ones it refuses, naming their sequence number, which {@link #opOf} maps back to
 * the command.
 */
final class NftBatch {

  static final int NFNL_SUBSYS_NFTABLES = 10;
  private static final int NFNL_MSG_BATCH_BEGIN = 16;
  private static final int NFNL_MSG_BATCH_END = 17;
  private static final int NEWTABLE = 0;
  private static final int NEWCHAIN = 3;
  private static final int NEWRULE = 6;
  private static final int DELRULE = 8;
  private static final int DELCHAIN = 5;
  private static final int NEWSET = 9;
  private static final int DELSET = 11;
  private static final int NEWSETELEM = 12;
  private static final int DELSETELEM = 14;
  static final int GETGEN = 16;
  private static final int NFPROTO_INET = 1;
  private static final int F_REQUEST = 1;
  private static final int F_CREATE = 0x400;
  private static final int F_APPEND = 0x800;

  // elements per NEWSETELEM (named or anonymous set): its element list is one attribute, at most
  // 64 KiB; 512 of the largest element netctl writes (a verdict map's, under 128 bytes) stay below
  private static final int ELEMENTS_PER_MESSAGE = 512;

  private final ByteBuffer b;
  private final String table;
  private final int firstSeq;
  private int seq;
  private int setIds;
  private final List<Integer> ops = new ArrayList<>(); // message index -> op index
  // one rule's expressions, before they are copied after its anonymous sets; one per batch
  private final ByteBuffer exprs = ByteBuffer.allocate(8192).order(ByteOrder.nativeOrder());
  private int op;

  private NftBatch(ByteBuffer b, String table, int firstSeq) {
    this.b = b;
    this.table = table;
    this.firstSeq = firstSeq;
    this.seq = firstSeq;
  }

  /**
   * The batch of {@code tx}, written to {@code b} (host order, from its position).
   *
   * @param firstSeq the batch begin's sequence number; messages take the following ones
   * @return the batch, to map a refused sequence number back to its command
   * @throws IllegalArgumentException for what is not encoded (a family or type netctl does not
   *     use): the caller uses nft
   * @throws java.nio.BufferOverflowException when {@code b} is too small
   */
  static NftBatch encode(NftTransaction tx, ByteBuffer b, int firstSeq) {
    if (!tx.family().equals("inet")) throw new IllegalArgumentException("family " + tx.family());
    NftBatch batch = new NftBatch(b, tx.table(), firstSeq);
    batch.header(NFNL_MSG_BATCH_BEGIN, F_REQUEST, 0, NFNL_SUBSYS_NFTABLES);
    batch.ops.add(-1);
    for (NftOp o : tx.ops()) {
      batch.op(o);
      batch.op++;
    }
    batch.header(NFNL_MSG_BATCH_END, F_REQUEST, 0, NFNL_SUBSYS_NFTABLES);
    batch.ops.add(-1);
    return batch;
  }

  /** The sequence number after the batch's last message. */
  int nextSeq() {
    return seq;
  }

  /** The index in the transaction of the command message {@code s} belongs to, or -1. */
  int opOf(int s) {
    int i = s - firstSeq;
    return i >= 0 && i < ops.size() ? ops.get(i) : -1;
  }

  private void op(NftOp o) {
    switch (o) {
      case NftOp.AddTable t -> {
        int m = message(NEWTABLE, F_REQUEST);
        string(b, 1, table); // NFTA_TABLE_NAME
        u32(b, 2, 0); // NFTA_TABLE_FLAGS
        finish(m);
      }
      case NftOp.AddChain c -> {
        int m = message(NEWCHAIN, F_REQUEST | F_CREATE);
        string(b, 1, table); // NFTA_CHAIN_TABLE
        string(b, 3, c.name()); // NFTA_CHAIN_NAME
        if (c.hook() != null) {
          string(b, 7, "filter"); // NFTA_CHAIN_TYPE
          u32(b, 5, 1); // NFTA_CHAIN_POLICY: accept
          int hook = begin(b, 4); // NFTA_CHAIN_HOOK
          u32(b, 1, c.hook().number); // NFTA_HOOK_HOOKNUM: NF_INET_LOCAL_IN or NF_INET_FORWARD
          u32(b, 2, 0); // NFTA_HOOK_PRIORITY: filter
          end(b, hook);
        }
        finish(m);
      }
      case NftOp.AddSet s -> newSet(s);
      case NftOp.FlushChain c -> {
        int m = message(DELRULE, F_REQUEST);
        string(b, 1, table); // NFTA_RULE_TABLE
        string(b, 2, c.name()); // NFTA_RULE_CHAIN
        finish(m);
      }
      case NftOp.DeleteChain c -> {
        int m = message(DELCHAIN, F_REQUEST);
        string(b, 1, table);
        string(b, 3, c.name());
        finish(m);
      }
      case NftOp.FlushSet s -> {
        int m = message(DELSETELEM, F_REQUEST);
        string(b, 1, table); // NFTA_SET_ELEM_LIST_TABLE
        string(b, 2, s.name()); // NFTA_SET_ELEM_LIST_SET
        finish(m);
      }
      case NftOp.DeleteSet s -> {
        int m = message(DELSET, F_REQUEST);
        string(b, 1, table); // NFTA_SET_TABLE
        string(b, 2, s.name()); // NFTA_SET_NAME
        finish(m);
      }
      case NftOp.Elements e -> {
        for (int i = 0; i < e.elements().size(); i += ELEMENTS_PER_MESSAGE) {
          List<String> part =
              e.elements().subList(i, Math.min(e.elements().size(), i + ELEMENTS_PER_MESSAGE));
          elements(e.add(), e.set(), e.type(), part);
        }
      }
      case NftOp.AddRule r -> rule(r);
    }
  }

  private void rule(NftOp.AddRule r) {
    // the expressions first, to a scratch buffer: the anonymous sets they use go before the rule
    exprs.clear();
    List<NftAnonymousSet> anonymous = new ArrayList<>(0);
    try {
      NftRuleEncoder.expressions(r.rule(), exprs, () -> ++setIds, anonymous);
    } catch (java.nio.BufferOverflowException e) {
      throw new IllegalArgumentException("rule too long: " + r.rule().text(), e);
    }
    for (NftAnonymousSet s : anonymous) anonymousSet(s);
    int m = message(NEWRULE, F_REQUEST | F_CREATE | F_APPEND);
    string(b, 1, table); // NFTA_RULE_TABLE
    string(b, 2, r.chain()); // NFTA_RULE_CHAIN
    int list = begin(b, 4); // NFTA_RULE_EXPRESSIONS
    b.put(exprs.flip());
    end(b, list);
    byte[] udata = NftRuleEncoder.userdata(r.rule());
    if (udata != null) attr(b, 7, udata); // NFTA_RULE_USERDATA
    finish(m);
  }

  private void anonymousSet(NftAnonymousSet s) {
    int m = message(NEWSET, F_REQUEST | F_CREATE);
    string(b, 1, table);
    string(b, 2, "__set%d"); // the kernel numbers it
    u32(b, 3, s.flags());
    u32(b, 4, s.keyType());
    u32(b, 5, s.keyLength());
    u32(b, 10, s.id()); // NFTA_SET_ID: the lookup finds it by this
    int desc = begin(b, 9); // NFTA_SET_DESC
    u32(b, 1, s.elements().size()); // NFTA_SET_DESC_SIZE: all of them, over every message
    end(b, desc);
    attr(b, 13, s.userdata());
    finish(m);
    // split like a named set's elements (nft splits the same way, by size): one message's
    // element list is one attribute of at most 64 KiB; the set id ties every part to the set
    List<NftAnonymousSet.Element> all = s.elements();
    for (int i = 0; i < all.size(); i += ELEMENTS_PER_MESSAGE) {
      m = message(NEWSETELEM, F_REQUEST | F_CREATE);
      string(b, 1, table);
      string(b, 2, "__set%d");
      u32(b, 4, s.id()); // NFTA_SET_ELEM_LIST_SET_ID
      int list = begin(b, 3);
      int n = 0;
      for (NftAnonymousSet.Element e :
          all.subList(i, Math.min(all.size(), i + ELEMENTS_PER_MESSAGE))) {
        int elem = begin(b, ++n); // numbered as nft numbers them (the kernel reads any type)
        if (e.intervalEnd()) u32(b, 3, 1); // NFTA_SET_ELEM_FLAGS: NFT_SET_ELEM_INTERVAL_END
        int key = begin(b, 1); // NFTA_SET_ELEM_KEY
        attr(b, 1, e.key());
        end(b, key);
        if (e.open()) attr(b, 6, OPEN_INTERVAL); // NFTA_SET_ELEM_USERDATA
        end(b, elem);
      }
      end(b, list);
      finish(m);
    }
  }

  // NFTNL_UDATA_SET_ELEM_FLAGS (1), 4 bytes: NFTNL_SET_ELEM_F_INTERVAL_OPEN
  private static final byte[] OPEN_INTERVAL = {1, 4, 1, 0, 0, 0};

  /**
   * The kernel description of the named set types netctl uses: key type and length, flags, data
   * type and length, and the userdata nft writes (key byte order; a concatenation's typeof).
   */
  private record SetType(int keyType, int keyLength, int flags, int dataType, byte[] userdata) {}

  private static SetType setType(String type) {
    var u = new SetUserdata();
    return switch (type) {
      case "ipv4_addr" ->
          new SetType(
              7, 4, 0, 0, u.u32(SetUserdata.KEY_BYTEORDER, SetUserdata.BIG_ENDIAN).toBytes());
      case "ipv6_addr" ->
          new SetType(
              8, 16, 0, 0, u.u32(SetUserdata.KEY_BYTEORDER, SetUserdata.BIG_ENDIAN).toBytes());
      case "ipv4_addr . inet_proto . inet_service" ->
          new SetType(0x730d, 12, 0, 0, concatenation(u));
      case "ipv6_addr . inet_proto . inet_service" ->
          new SetType(0x830d, 24, 0, 0, concatenation(u));
      case "ifname : verdict" ->
          new SetType(
              41,
              16,
              0x8,
              0xffffff00,
              u.u32(SetUserdata.KEY_BYTEORDER, SetUserdata.HOST_ORDER)
                  .u32(SetUserdata.DATA_BYTEORDER, 0)
                  .u32(SetUserdata.DATA_INTERVAL, 0)
                  .toBytes());
      default -> throw new IllegalArgumentException("set type " + type + " is not encoded");
    };
  }

  // an addr . proto . port key: byte order 0 (mixed), and the typeof nft writes for it, as captured
  private static byte[] concatenation(SetUserdata u) {
    return u.u32(SetUserdata.KEY_BYTEORDER, 0)
        .bytes(SetUserdata.KEY_TYPEOF, HexFormat.of().parseHex("00040d0000000100"))
        .toBytes();
  }

  private void newSet(NftOp.AddSet s) {
    SetType t = setType(s.type());
    int m = message(NEWSET, F_REQUEST | F_CREATE);
    string(b, 1, table);
    string(b, 2, s.name());
    u32(b, 3, t.flags());
    u32(b, 4, t.keyType());
    u32(b, 5, t.keyLength());
    if ((t.flags() & 0x8) != 0) {
      u32(b, 6, t.dataType()); // NFTA_SET_DATA_TYPE
      u32(b, 7, 0); // NFTA_SET_DATA_LEN: a verdict
    }
    u32(b, 10, ++setIds); // NFTA_SET_ID: the kernel requires one
    attr(b, 13, t.userdata());
    finish(m);
  }

  private void elements(boolean add, String set, String type, List<String> elements) {
    setType(type); // refuses a type not encoded
    int m = message(add ? NEWSETELEM : DELSETELEM, add ? F_REQUEST | F_CREATE : F_REQUEST);
    string(b, 1, table);
    string(b, 2, set);
    int list = begin(b, 3);
    String[] types = type.split(" : ", 2);
    int n = 0;
    for (String e : elements) {
      String[] kv = e.split(" : ", 2);
      int elem = begin(b, ++n);
      int key = begin(b, 1);
      attr(b, 1, NftNetlink.encode(types[0], kv[0]));
      end(b, key);
      if (kv.length == 2) {
        String[] v = kv[1].trim().split(" ");
        int code =
            v.length == 2 && v[0].equals("goto")
                ? NftStatement.Verdict.Kind.GOTO.code
                : v.length == 2 && v[0].equals("jump") ? NftStatement.Verdict.Kind.JUMP.code : 0;
        if (code == 0) throw new IllegalArgumentException("verdict " + kv[1] + " is not encoded");
        int data = begin(b, 2); // NFTA_SET_ELEM_DATA
        NftRuleEncoder.verdict(b, code, v[1]);
        end(b, data);
      }
      end(b, elem);
    }
    end(b, list);
    finish(m);
  }

  private int message(int msg, int flags) {
    ops.add(op);
    return header((NFNL_SUBSYS_NFTABLES << 8) | msg, flags, NFPROTO_INET, 0);
  }

  private int header(int type, int flags, int family, int resId) {
    int start = b.position();
    RouteMessages.putHeader(b, type, flags, seq++);
    b.put((byte) family).put((byte) 0).order(ByteOrder.BIG_ENDIAN).putShort((short) resId);
    b.order(ByteOrder.nativeOrder());
    b.putInt(start, b.position() - start);
    return start;
  }

  private void finish(int start) {
    b.putInt(start, b.position() - start);
  }
}
