package dev.netctl.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.model.Cidr;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rtnetlink route codec: byte layouts per rtnetlink(7) and netlink(7), in host byte order. */
class RouteMessagesTest {

  private static final Map<Integer, String> NAMES = Map.of(2, "eth0", 7, "vxlan.calico");

  private static Cidr c(String s) {
    return Cidr.parse(s);
  }

  private static InetAddress a(String s) {
    return Cidr.parseAddress(s);
  }

  private static int ifindex(Route r) {
    if (r.dev() == null) return 0;
    return NAMES.entrySet().stream()
        .filter(e -> e.getValue().equals(r.dev()))
        .findFirst()
        .orElseThrow()
        .getKey();
  }

  /** Reads a request back as the kernel would: one message, decoded as a dump reply. */
  private static RouteMessages.Dumped roundTrip(Route r) {
    ByteBuffer b = RouteMessages.buffer(512);
    RouteMessages.putReplace(b, 9, r, ifindex(r), false);
    assertThat(b.position()).as("length as announced").isEqualTo(RouteMessages.replaceLength(r));
    assertThat(b.getInt(0)).as("nlmsg_len").isEqualTo(b.position());
    b.flip();
    List<RouteMessages.Reply> replies = RouteMessages.decode(b, NAMES::get);
    assertThat(replies).hasSize(1);
    return (RouteMessages.Dumped) replies.getFirst();
  }

  @Test
  void aVxlanRouteIsEncodedFieldByField() {
    Route r = Route.via(c("10.244.1.0/26"), a("10.244.9.1"), "vxlan.calico", true);
    ByteBuffer b = RouteMessages.buffer(128);
    RouteMessages.putReplace(b, 42, r, 7, true);

    assertThat(b.position()).isEqualTo(16 + 12 + 8 + 8 + 8);
    // struct nlmsghdr: len, type RTM_NEWROUTE, flags REQUEST|ACK|REPLACE|CREATE, seq, pid
    assertThat(b.getInt(0)).isEqualTo(52);
    assertThat(b.getShort(4)).isEqualTo((short) 24);
    assertThat(b.getShort(6)).isEqualTo((short) (0x1 | 0x4 | 0x100 | 0x400));
    assertThat(b.getInt(8)).isEqualTo(42);
    assertThat(b.getInt(12)).isZero();
    // struct rtmsg: AF_INET, /26, src 0, tos 0, table main, proto 86, scope universe, unicast
    assertThat(new byte[] {b.get(16), b.get(17), b.get(18), b.get(19)})
        .containsExactly(2, 26, 0, 0);
    assertThat(new byte[] {b.get(20), b.get(21), b.get(22), b.get(23)})
        .containsExactly((byte) 254, 86, 0, 1);
    assertThat(b.getInt(24)).as("rtm_flags RTNH_F_ONLINK").isEqualTo(4);
    // RTA_DST 10.244.1.0 (network order), RTA_GATEWAY 10.244.9.1, RTA_OIF 7
    assertThat(b.getShort(28)).isEqualTo((short) 8);
    assertThat(b.getShort(30)).isEqualTo((short) 1);
    assertThat(new byte[] {b.get(32), b.get(33), b.get(34), b.get(35)})
        .containsExactly(10, (byte) 244, 1, 0);
    assertThat(b.getShort(38)).isEqualTo((short) 5);
    assertThat(new byte[] {b.get(40), b.get(41), b.get(42), b.get(43)})
        .containsExactly(10, (byte) 244, 9, 1);
    assertThat(b.getShort(46)).isEqualTo((short) 4);
    assertThat(b.getInt(48)).isEqualTo(7);
  }

  @Test
  void everyRouteKindSurvivesARoundTrip() {
    List<Route> routes =
        List.of(
            Route.via(c("10.244.1.0/26"), a("10.0.0.2"), "eth0", false),
            Route.via(c("10.244.1.64/26"), a("10.244.9.1"), "vxlan.calico", true),
            Route.via(c("10.244.1.128/26"), a("10.0.0.2"), null, false),
            Route.blackhole(c("10.244.2.0/26")),
            Route.blackhole(c("fd00:1::/122")),
            Route.link(c("10.244.2.5/32"), "eth0"),
            Route.link(c("fd00:1::5/128"), "eth0"),
            Route.via(c("fd00:2::/122"), a("fd00::2"), "eth0", false),
            Route.via(c("fd00:3::/122"), a("fd00:99::1"), "vxlan.calico", true),
            new Route(
                c("10.244.3.0/26"),
                Route.Type.UNICAST,
                List.of(a("10.0.0.2"), a("10.0.0.3"), a("10.0.0.4")),
                "eth0",
                false),
            new Route(
                c("fd00:4::/122"),
                Route.Type.UNICAST,
                List.of(a("fd00::2"), a("fd00::3")),
                "vxlan.calico",
                true));
    for (Route r : routes) {
      RouteMessages.Dumped d = roundTrip(r);
      assertThat(d.route()).as("%s", r).isEqualTo(r);
      assertThat(d.owned()).as("%s carries our protocol in main", r).isTrue();
      assertThat(d.seq()).isEqualTo(9);
    }
  }

  @Test
  void aLinkRouteHasLinkScope() {
    ByteBuffer b = RouteMessages.buffer(64);
    RouteMessages.putReplace(b, 1, Route.link(c("10.244.2.5/32"), "eth0"), 2, false);
    assertThat(b.get(22)).as("rtm_scope RT_SCOPE_LINK").isEqualTo((byte) 253);
    assertThat(b.get(23)).as("rtm_type RTN_UNICAST").isEqualTo((byte) 1);
  }

  @Test
  void aDeleteNamesOnlyTheDestinationAndOurProtocol() {
    ByteBuffer b = RouteMessages.buffer(64);
    Route r = Route.via(c("fd00:2::/122"), a("fd00::2"), "eth0", false);
    RouteMessages.putDelete(b, 5, r, false);
    assertThat(b.position()).isEqualTo(RouteMessages.deleteLength(r)).isEqualTo(16 + 12 + 20);
    assertThat(b.getShort(4)).as("RTM_DELROUTE").isEqualTo((short) 25);
    assertThat(b.getShort(6)).as("NLM_F_REQUEST only").isEqualTo((short) 1);
    assertThat(b.get(16)).as("AF_INET6").isEqualTo((byte) 10);
    assertThat(b.get(17)).isEqualTo((byte) 122);
    assertThat(b.get(21)).as("the kernel matches the protocol").isEqualTo((byte) 86);
    assertThat(b.get(22)).as("any scope").isEqualTo((byte) 255);
    assertThat(b.get(23)).as("any type").isZero();
    assertThat(b.getShort(28)).as("RTA_DST of 16 bytes").isEqualTo((short) 20);
  }

  @Test
  void aDumpRequestAsksForOneFamilyOfOurProtocol() {
    ByteBuffer b = RouteMessages.buffer(64);
    RouteMessages.putDump(b, 3, RouteMessages.AF_INET6);
    assertThat(b.position()).isEqualTo(28);
    assertThat(b.getShort(4)).as("RTM_GETROUTE").isEqualTo((short) 26);
    assertThat(b.getShort(6)).as("REQUEST|DUMP").isEqualTo((short) 0x301);
    assertThat(b.get(16)).isEqualTo((byte) 10);
    assertThat(b.get(21)).isEqualTo((byte) 86);
  }

  /** A dump datagram as the kernel sends it: three routes and the end. */
  @Test
  void aDumpReplyKeepsOurMainTableRoutesOnly() {
    ByteBuffer b = RouteMessages.buffer(1024);
    Route ours = Route.via(c("10.244.1.0/26"), a("10.0.0.2"), "eth0", false);
    RouteMessages.putReplace(b, 7, ours, 2, false);
    int foreign = b.position();
    RouteMessages.putReplace(b, 7, Route.blackhole(c("10.1.0.0/16")), 0, false);
    b.put(foreign + 21, (byte) 12); // proto bird
    int otherTable = b.position();
    RouteMessages.putReplace(b, 7, Route.blackhole(c("10.2.0.0/16")), 0, false);
    b.put(otherTable + 20, (byte) 100); // table 100
    // NLMSG_DONE: header plus an int
    b.putInt(20).putShort((short) 3).putShort((short) 2).putInt(7).putInt(0).putInt(0);
    b.flip();

    List<RouteMessages.Reply> replies = RouteMessages.decode(b, NAMES::get);

    assertThat(replies).hasSize(4);
    assertThat(replies.subList(0, 3))
        .map(r -> ((RouteMessages.Dumped) r).owned())
        .containsExactly(true, false, false);
    assertThat(((RouteMessages.Dumped) replies.getFirst()).route()).isEqualTo(ours);
    assertThat(replies.get(3)).isEqualTo(new RouteMessages.Done(7));
  }

  /** NLMSG_ERROR under NETLINK_CAP_ACK and NETLINK_EXT_ACK: capped request header, then TLVs. */
  @Test
  void anErrorNamesTheSequenceOfItsRequestAndTheKernelsReason() {
    ByteBuffer b = RouteMessages.buffer(256);
    byte[] text = "Nexthop has invalid gateway\0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int tlv = 4 + text.length;
    int len = 16 + 4 + 16 + ((tlv + 3) & ~3);
    b.putInt(len).putShort((short) 2).putShort((short) (0x100 | 0x200)).putInt(17).putInt(0);
    b.putInt(-101); // -ENETUNREACH
    b.putInt(52).putShort((short) 24).putShort((short) 0x501).putInt(17).putInt(0);
    b.putShort((short) tlv).putShort((short) 1).put(text);
    while (b.position() % 4 != 0) b.put((byte) 0);
    // an ACK (errno 0) for sequence 18 in the same datagram
    b.putInt(36).putShort((short) 2).putShort((short) 0x100).putInt(18).putInt(0);
    b.putInt(0).putInt(52).putShort((short) 24).putShort((short) 0x505).putInt(18).putInt(0);
    b.flip();

    List<RouteMessages.Reply> replies = RouteMessages.decode(b, i -> null);

    assertThat(replies)
        .containsExactly(
            new RouteMessages.Ack(17, 101, "Nexthop has invalid gateway"),
            new RouteMessages.Ack(18, 0, null));
    assertThat(RouteMessages.describe((RouteMessages.Ack) replies.getFirst()))
        .isEqualTo("RTNETLINK answers: Network is unreachable (Nexthop has invalid gateway)");
  }

  @Test
  void anUncappedErrorSkipsTheEchoedRequestBeforeItsReason() {
    ByteBuffer b = RouteMessages.buffer(256);
    byte[] text = "bad\0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // error, then the whole 28-byte request echoed, then the TLV
    int len = 16 + 4 + 28 + 8;
    b.putInt(len).putShort((short) 2).putShort((short) 0x200).putInt(4).putInt(0);
    b.putInt(-22);
    b.putInt(28).putShort((short) 26).putShort((short) 0x301).putInt(4).putInt(0);
    b.put(new byte[12]);
    b.putShort((short) 8).putShort((short) 1).put(text);
    b.flip();
    assertThat(RouteMessages.decode(b, i -> null))
        .containsExactly(new RouteMessages.Ack(4, 22, "bad"));
  }

  @Test
  void aTruncatedMessageIsRejectedNotReadPastItsEnd() {
    ByteBuffer b = RouteMessages.buffer(64);
    RouteMessages.putReplace(b, 1, Route.blackhole(c("10.0.0.0/8")), 0, false);
    b.putInt(0, 200); // claims more than the datagram holds
    b.flip();
    assertThatThrownBy(() -> RouteMessages.decode(b, i -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("length 200");
  }

  @Test
  void anAttributeLongerThanItsMessageIsRejected() {
    ByteBuffer b = RouteMessages.buffer(64);
    RouteMessages.putReplace(b, 1, Route.blackhole(c("10.0.0.0/8")), 0, false);
    b.putShort(28, (short) 60); // RTA_DST claims 60 bytes
    b.flip();
    assertThatThrownBy(() -> RouteMessages.decode(b, i -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attribute 1");
  }
}
