package dev.netctl.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.model.Cidr;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exact bytes of a batch against what nft 1.0.6 sends for the same script. The expected messages
 * were captured once from {@code strace -e write=3 nft -f} (decoded with {@code nft --debug=mnl}'s
 * help) of:
 *
 * <pre>
 * add table inet t
 * add chain inet t c
 * add rule inet t c meta l4proto 6 th dport 80 log prefix "netctl abc " comment "c"
 * add rule inet t c ip6 saddr { fd00::/64, fd01::1 } th sport { 80, 81 } drop
 * </pre>
 *
 * Each is written as its netlink header's type and flags (from {@code strace -e trace=sendmsg nft
 * -f}; {@code NLM_F_ACK}, which nft may ask for, masked out) and its bytes after the 16-byte header
 * (length and sequence numbers left out: the latter differ); nft numbered the two anonymous sets
 * 0x13 and 0x14 where the batch numbers them 1 and 2. The kernel-side oracle for every rule form is
 * {@code NftNetlinkOracleIT}.
 */
class NftBatchTest {

  // type and flags: NLM_F_REQUEST 0x1, NLM_F_CREATE 0x400, NLM_F_APPEND 0x800
  static final String BATCH_BEGIN = "0010 0001 ";
  static final String BATCH_END = "0011 0001 ";
  static final String NEWTABLE = "0a00 0001 ";
  static final String NEWCHAIN = "0a03 0401 ";
  static final String NEWRULE = "0a06 0c01 ";
  static final String NEWSET = "0a09 0401 ";
  static final String NEWSETELEM = "0a0c 0401 ";
  static final String TABLE = "0100000006000100740000000800020000000000";
  static final String CHAIN = "0100000006000100740000000600030063000000";
  static final String RULE_1 =
      "0100000006000100740000000600020063000000d400048024000180090001006d6574610000000014000280"
          + "080002000000001008000100000000012c00018008000100636d700020000280080001000000000108000200"
          + "000000000c0003800500010006000000340001800c0001007061796c6f616400240002800800010000000001"
          + "0800020000000002080003000000000208000400000000022c00018008000100636d70002000028008000100"
          + "0000000108000200000000000c000380060001000050000020000180080001006c6f67001400028010000200"
          + "6e657463746c2061626320000800070000026300";
  static final String SET_1 =
      "0100000006000100740000000c0002005f5f73657425640008000300000000070800040000000008080005000"
          + "000001008000a00000000010c000980080001000000000526000d0000040200000002040100000003140004"
          + "07000000010c00040d0000000104080000000000";
  static final String ELEMENTS_1 =
      "0100000006000100740000000c0002005f5f7365742564000800040000000001a800038024000180080003000"
          + "00000011800018014000100000000000000000000000000000000001c0002801800018014000100fd000000"
          + "0000000000000000000000002400038008000300000000011800018014000100fd00000000000001000000"
          + "00000000001c0004801800018014000100fd0100000000000000000000000000012400058008000300000000"
          + "011800018014000100fd010000000000000000000000000002";
  static final String SET_2 =
      "0100000006000100740000000c0002005f5f7365742564000800030000000003080004000000000d0800050000"
          + "00000208000a00000000020c000980080001000000000220000d000004020000000314000407000000010c00"
          + "040b000000010401000000";
  static final String ELEMENTS_2 =
      "0100000006000100740000000c0002005f5f736574256400080004000000000224000380100001800c000180060"
          + "0010000500000100002800c0001800600010000510000";
  static final String RULE_2 =
      "01000000060001007400000006000200630000004c01048024000180090001006d6574610000000014000280080"
          + "002000000000f08000100000000012c00018008000100636d70002000028008000100000000010800020000"
          + "0000000c000380050001000a000000340001800c0001007061796c6f61640024000280080001000000000108"
          + "0002000000000108000300000000080800040000000010300001800b0001006c6f6f6b75700000200002800800"
          + "0200000000010c0001005f5f7365742564000800040000000001340001800c0001007061796c6f616400240002"
          + "800800010000000001080002000000000208000300000000000800040000000002300001800b0001006c6f6f6b"
          + "757000002000028008000200000000010c0001005f5f7365742564000800040000000002300001800e000100"
          + "696d6d6564696174650000001c0002800800010000000000100002800c0002800800010000000000";

  @Test
  void aBatchIsByteForByteWhatNftSendsForTheSameScript() {
    NftRule logged =
        new NftRule(
            List.of(
                new NftMatch.L4proto(false, List.of(6)),
                new NftMatch.Ports(false, false, List.of(new PortRange(80, 80)))),
            List.of(new NftStatement.Log("netctl abc ")),
            "c");
    NftRule sets =
        NftRule.of(
            List.of(
                new NftMatch.Nets(
                    IpFamily.V6,
                    true,
                    false,
                    List.of(Cidr.parse("fd00::/64"), Cidr.parse("fd01::1/128"))),
                new NftMatch.Ports(
                    true, false, List.of(new PortRange(80, 80), new PortRange(81, 81)))),
            NftStatement.Verdict.DROP);
    NftTransaction tx =
        new NftTransaction(
            "inet",
            "t",
            List.of(
                new NftOp.AddTable(),
                new NftOp.AddChain("c"),
                new NftOp.AddRule("c", logged),
                new NftOp.AddRule("c", sets)));
    assertThat(tx.text())
        .isEqualTo(
            """
            add table inet t
            add chain inet t c
            add rule inet t c meta l4proto 6 th dport 80 log prefix "netctl abc " comment "c"
            add rule inet t c ip6 saddr { fd00::/64, fd01::1/128 } th sport { 80, 81 } drop
            """);
    ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
    NftBatch batch = NftBatch.encode(tx, b, 100);
    List<String> messages = messages(b.flip());
    assertThat(messages)
        .containsExactly(
            BATCH_BEGIN + "0000000a",
            NEWTABLE + TABLE,
            NEWCHAIN + CHAIN,
            NEWRULE + RULE_1,
            NEWSET + SET_1,
            NEWSETELEM + ELEMENTS_1,
            NEWSET + SET_2,
            NEWSETELEM + ELEMENTS_2,
            NEWRULE + RULE_2,
            BATCH_END + "0000000a");
    // a refusal's sequence number names the command: the second rule owns its sets' messages
    assertThat(batch.opOf(100)).isEqualTo(-1);
    assertThat(batch.opOf(103)).isEqualTo(2);
    assertThat(batch.opOf(104)).isEqualTo(3);
    assertThat(batch.opOf(108)).isEqualTo(3);
    assertThat(batch.nextSeq()).isEqualTo(110);
  }

  @Test
  void anAnonymousSetTooLargeForOneMessageIsSplitOverSeveralWithItsRule() {
    // 2,000 non-adjacent /30s: 4,000 interval elements, more than one attribute's 64 KiB hold
    List<Cidr> nets = new ArrayList<>();
    for (int i = 0; i < 2000; i++)
      nets.add(Cidr.parse("10." + i / 32 + "." + i % 32 * 8 + ".0/30"));
    NftRule rule =
        NftRule.of(
            List.of(new NftMatch.Nets(IpFamily.V4, true, false, nets)),
            NftStatement.Verdict.ACCEPT);
    NftTransaction tx = new NftTransaction("inet", "t", List.of(new NftOp.AddRule("c", rule)));
    ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.nativeOrder());
    NftBatch batch = NftBatch.encode(tx, b, 0);
    List<String> messages = messages(b.flip());
    assertThat(messages.stream().filter(m -> m.startsWith(NEWSET))).hasSize(1);
    // 4,000 elements, 512 a message
    assertThat(messages.stream().filter(m -> m.startsWith(NEWSETELEM))).hasSize(8);
    assertThat(messages.get(messages.size() - 2)).startsWith(NEWRULE);
    for (int s = 1; s < messages.size() - 1; s++) assertThat(batch.opOf(s)).isEqualTo(0);
  }

  /** Each message's type and flags (without NLM_F_ACK), then its bytes after the header, as hex. */
  private static List<String> messages(ByteBuffer b) {
    List<String> out = new ArrayList<>();
    while (b.remaining() >= 16) {
      int start = b.position();
      int len = b.getInt(start);
      int type = Short.toUnsignedInt(b.getShort(start + 4));
      int flags = Short.toUnsignedInt(b.getShort(start + 6)) & ~0x4;
      byte[] body = new byte[len - 16];
      b.get(start + 16, body);
      out.add("%04x %04x %s".formatted(type, flags, HexFormat.of().formatHex(body)));
      b.position(start + ((len + 3) & ~3));
    }
    return out;
  }
}
