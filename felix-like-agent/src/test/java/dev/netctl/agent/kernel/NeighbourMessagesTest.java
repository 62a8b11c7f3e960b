package dev.netctl.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.model.Cidr;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The VTEP neighbour and FDB messages: byte layouts per rtnetlink(7) ({@code struct ndmsg}). */
class NeighbourMessagesTest {

  @Test
  void anFdbEntryIsABridgeFamilySelfEntryWithItsUnderlay() {
    ByteBuffer b = RouteMessages.buffer(128);
    NeighbourMessages.putFdbReplace(b, 11, 7, "66:0A:00:00:00:01", Cidr.parseAddress("10.77.0.2"));

    assertThat(b.getInt(0)).isEqualTo(b.position()).isEqualTo(16 + 12 + 12 + 8);
    assertThat(b.getShort(4)).as("RTM_NEWNEIGH").isEqualTo((short) 28);
    assertThat(b.getShort(6)).as("REQUEST|CREATE|REPLACE").isEqualTo((short) 0x501);
    assertThat(b.getInt(8)).isEqualTo(11);
    // struct ndmsg: AF_BRIDGE, pads, ifindex 7, NUD_PERMANENT, NTF_SELF, type 0
    assertThat(b.get(16)).isEqualTo((byte) 7);
    assertThat(b.getInt(20)).isEqualTo(7);
    assertThat(b.getShort(24)).isEqualTo((short) 0x80);
    assertThat(b.get(26)).isEqualTo((byte) 2);
    // NDA_LLADDR: 6 bytes padded to 8
    assertThat(b.getShort(28)).isEqualTo((short) 10);
    assertThat(b.getShort(30)).isEqualTo((short) 2);
    assertThat(new byte[] {b.get(32), b.get(33), b.get(37)}).containsExactly(0x66, 0x0a, 1);
    // NDA_DST 10.77.0.2
    assertThat(b.getShort(40)).isEqualTo((short) 8);
    assertThat(b.getShort(42)).isEqualTo((short) 1);
    assertThat(new byte[] {b.get(44), b.get(45), b.get(46), b.get(47)})
        .containsExactly(10, 77, 0, 2);
  }

  @Test
  void aNeighbourEntryReadsBackAsWritten() {
    ByteBuffer b = RouteMessages.buffer(128);
    NeighbourMessages.putNeighbourReplace(
        b, 3, 9, Cidr.parseAddress("fd00:9::1"), "66:00:00:00:00:06");
    assertThat(b.position()).isLessThanOrEqualTo(NeighbourMessages.MAX_LENGTH);
    b.flip();
    List<RouteMessages.Reply> r = RouteMessages.decode(b, i -> null);
    assertThat(r)
        .containsExactly(
            new RouteMessages.Neigh(
                3,
                RouteMessages.AF_INET6,
                9,
                NeighbourMessages.NUD_PERMANENT,
                Cidr.parseAddress("fd00:9::1"),
                "66:00:00:00:00:06",
                false));
  }

  @Test
  void deletesNameTheEntryOnly() {
    ByteBuffer b = RouteMessages.buffer(128);
    NeighbourMessages.putFdbDelete(b, 1, 7, "66:00:00:00:00:01");
    assertThat(b.getShort(4)).as("RTM_DELNEIGH").isEqualTo((short) 29);
    assertThat(b.getShort(6)).as("REQUEST only").isEqualTo((short) 1);
    assertThat(b.getShort(24)).as("any state").isZero();
    assertThat(b.get(26)).as("NTF_SELF").isEqualTo((byte) 2);
    assertThat(b.position()).isEqualTo(16 + 12 + 12);
    int at = b.position();
    NeighbourMessages.putNeighbourDelete(b, 2, 7, Cidr.parseAddress("10.244.9.1"));
    assertThat(b.get(at + 16)).as("AF_INET").isEqualTo((byte) 2);
    assertThat(b.position() - at).isEqualTo(16 + 12 + 8);
  }

  @Test
  void dumpsFilterByDeviceTheWayEachFamilyExpects() {
    ByteBuffer fdb = RouteMessages.buffer(64);
    NeighbourMessages.putDump(fdb, 1, NeighbourMessages.AF_BRIDGE, 7);
    assertThat(fdb.position()).isEqualTo(28);
    assertThat(fdb.getShort(6)).as("REQUEST|DUMP").isEqualTo((short) 0x301);
    assertThat(fdb.getInt(20)).as("the FDB dump's device in the header").isEqualTo(7);

    ByteBuffer neigh = RouteMessages.buffer(64);
    NeighbourMessages.putDump(neigh, 1, RouteMessages.AF_INET, 7);
    assertThat(neigh.getInt(20)).as("no index in the header").isZero();
    assertThat(neigh.getShort(28)).isEqualTo((short) 8);
    assertThat(neigh.getShort(30)).as("NDA_IFINDEX").isEqualTo((short) 8);
    assertThat(neigh.getInt(32)).isEqualTo(7);
  }

  @Test
  void aMalformedMacIsRejectedNamingIt() {
    assertThatThrownBy(() -> NeighbourMessages.mac("66:00:00:00:00"))
        .hasMessageContaining("\"66:00:00:00:00\" is not a MAC address");
    assertThatThrownBy(() -> NeighbourMessages.mac("zz:00:00:00:00:00"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
