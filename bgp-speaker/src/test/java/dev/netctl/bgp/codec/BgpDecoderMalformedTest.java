package dev.netctl.bgp.codec;

import static dev.netctl.bgp.codec.Hex.MARKER;
import static dev.netctl.bgp.codec.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpMessage.Update;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One test per error class of RFC 4271 §6.1–6.3 and RFC 7606, each checking the exact code, subcode
 * and data. Bad peer AS and unsupported capability depend on configuration and are checked by the
 * session's OPEN negotiation tests.
 */
class BgpDecoderMalformedTest {
  /** ORIGIN IGP, AS_PATH [65000] in 4-octet form, NEXT_HOP 10.0.0.1: 20 octets. */
  static final String GOOD_ATTRIBUTES =
      "40 01 01 00" + "40 02 06 02 01 0000fde8" + "40 03 04 0a000001";

  static BgpError failed(byte[] wire, CodecContext ctx) {
    DecodeResult r = BgpDecoder.decode(wire, ctx);
    assertThat(r).as("decode result").isInstanceOf(DecodeResult.Failed.class);
    BgpError e = ((DecodeResult.Failed) r).error();
    assertThat(e.reason()).doesNotStartWith(BgpDecoder.INTERNAL_ERROR);
    return e;
  }

  static DecodeResult.TreatAsWithdraw withdrawn(byte[] wire) {
    DecodeResult r = BgpDecoder.decode(wire, CodecContext.FOUR_OCTET);
    assertThat(r).as("decode result").isInstanceOf(DecodeResult.TreatAsWithdraw.class);
    return (DecodeResult.TreatAsWithdraw) r;
  }

  /** An UPDATE with the given attribute hex and NLRI 10.0.0.0/8, lengths computed. */
  static byte[] update(String attributes) {
    byte[] attrs = bytes(attributes);
    int length = 19 + 4 + attrs.length + 2;
    return bytes(
        MARKER,
        String.format("%04x", length),
        "02",
        "0000", // no withdrawals
        String.format("%04x", attrs.length),
        attributes,
        "08 0a"); // NLRI 10.0.0.0/8
  }

  static void assertError(BgpError e, NotificationSubcode subcode, String dataHex) {
    assertThat(e.subcode()).as("code/subcode of %s", e).isEqualTo(subcode);
    assertThat(Hex.hex(e.data())).as("data of %s", e).isEqualTo(dataHex.replace(" ", ""));
  }

  // --- RFC 4271 §6.1 message header errors

  @Test
  void markerNotAllOnesIsConnectionNotSynchronized() {
    byte[] wire = bytes("ffffffffffffffffffffffffffff00ff", "0013", "04");
    assertError(
        failed(wire, CodecContext.INITIAL), NotificationSubcode.CONNECTION_NOT_SYNCHRONIZED, "");
  }

  @Test
  void lengthBelowHeaderIsBadMessageLengthWithTheLengthField() {
    byte[] wire = bytes(MARKER, "0012", "04"); // claims 18 octets
    assertError(failed(wire, CodecContext.INITIAL), NotificationSubcode.BAD_MESSAGE_LENGTH, "0012");
  }

  @Test
  void lengthAbove4096WithoutExtendedMessageIsBadMessageLength() {
    byte[] wire = new byte[4097];
    System.arraycopy(bytes(MARKER, "1001", "02"), 0, wire, 0, 19);
    assertError(
        failed(wire, CodecContext.FOUR_OCTET), NotificationSubcode.BAD_MESSAGE_LENGTH, "1001");
  }

  @Test
  void keepaliveWithBodyIsBadMessageLength() {
    byte[] wire = bytes(MARKER, "0014", "04", "00");
    assertError(failed(wire, CodecContext.INITIAL), NotificationSubcode.BAD_MESSAGE_LENGTH, "0014");
  }

  @Test
  void unknownTypeIsBadMessageTypeWithTheType() {
    byte[] wire = bytes(MARKER, "0013", "07");
    assertError(failed(wire, CodecContext.INITIAL), NotificationSubcode.BAD_MESSAGE_TYPE, "07");
  }

  @Test
  void truncatedHeaderIsBadMessageLength() {
    assertThat(failed(bytes("ffff"), CodecContext.INITIAL).subcode())
        .isEqualTo(NotificationSubcode.BAD_MESSAGE_LENGTH);
  }

  // --- RFC 4271 §6.2 OPEN errors

  static byte[] open(String version, String holdTime, String bgpId, String params) {
    byte[] p = bytes(params);
    return bytes(
        MARKER,
        String.format("%04x", 29 + p.length),
        "01",
        version,
        "fde8", // AS 65000
        holdTime,
        bgpId,
        String.format("%02x", p.length),
        params);
  }

  @Test
  void versionThreeIsUnsupportedVersionWithLargestSupported() {
    byte[] wire = open("03", "005a", "0a000001", "");
    assertError(
        failed(wire, CodecContext.INITIAL), NotificationSubcode.UNSUPPORTED_VERSION_NUMBER, "0004");
  }

  @Test
  void zeroBgpIdentifierIsBadBgpIdentifier() {
    byte[] wire = open("04", "005a", "00000000", "");
    assertError(failed(wire, CodecContext.INITIAL), NotificationSubcode.BAD_BGP_IDENTIFIER, "");
  }

  @Test
  void holdTimeTwoIsUnacceptable() {
    byte[] wire = open("04", "0002", "0a000001", "");
    assertError(failed(wire, CodecContext.INITIAL), NotificationSubcode.UNACCEPTABLE_HOLD_TIME, "");
  }

  @Test
  void authenticationParameterIsUnsupportedOptionalParameter() {
    byte[] wire = open("04", "005a", "0a000001", "01 02 abcd"); // type 1 (deprecated auth)
    assertError(
        failed(wire, CodecContext.INITIAL), NotificationSubcode.UNSUPPORTED_OPTIONAL_PARAMETER, "");
  }

  @Test
  void parameterOverrunIsBadMessageLength() {
    byte[] wire =
        bytes(MARKER, "001f", "01", "04", "fde8", "005a", "0a000001", "02", "02 05"); // 5 > 0
    assertError(failed(wire, CodecContext.INITIAL), NotificationSubcode.BAD_MESSAGE_LENGTH, "001f");
  }

  // --- RFC 4271 §6.3 UPDATE errors and RFC 7606 handling

  @Test
  void withdrawnLengthPastMessageIsMalformedAttributeListAndResets() {
    byte[] wire = bytes(MARKER, "0017", "02", "0005", "0000"); // 5 withdrawn octets, none present
    assertError(
        failed(wire, CodecContext.FOUR_OCTET), NotificationSubcode.MALFORMED_ATTRIBUTE_LIST, "");
  }

  @Test
  void attributeLengthPastMessageIsMalformedAttributeList() {
    byte[] wire = bytes(MARKER, "0019", "02", "0000", "0009", "4001"); // 9 > 2 present
    assertError(
        failed(wire, CodecContext.FOUR_OCTET), NotificationSubcode.MALFORMED_ATTRIBUTE_LIST, "");
  }

  @Test
  void missingOriginIsTreatAsWithdrawWithTheTypeCode() {
    byte[] wire = update("40 02 06 02 01 0000fde8" + "40 03 04 0a000001");
    DecodeResult.TreatAsWithdraw r = withdrawn(wire);
    assertError(r.error(), NotificationSubcode.MISSING_WELL_KNOWN_ATTRIBUTE, "01");
    assertThat(r.withdrawal().withdrawn()).containsExactly(Nlri.of("10.0.0.0/8"));
    assertThat(r.withdrawal().nlri()).isEmpty();
  }

  @Test
  void missingNextHopWithIpv4NlriIsTreatAsWithdraw() {
    byte[] wire = update("40 01 01 00" + "40 02 06 02 01 0000fde8");
    assertError(withdrawn(wire).error(), NotificationSubcode.MISSING_WELL_KNOWN_ATTRIBUTE, "03");
  }

  @Test
  void originFlaggedOptionalIsAttributeFlagsErrorWithTheAttribute() {
    byte[] wire = update("c0 01 01 00" + "40 02 06 02 01 0000fde8" + "40 03 04 0a000001");
    assertError(withdrawn(wire).error(), NotificationSubcode.ATTRIBUTE_FLAGS_ERROR, "c0010100");
  }

  @Test
  void nextHopOfFiveOctetsIsAttributeLengthError() {
    byte[] wire = update("40 01 01 00" + "40 02 06 02 01 0000fde8" + "40 03 05 0a00000101");
    assertError(
        withdrawn(wire).error(), NotificationSubcode.ATTRIBUTE_LENGTH_ERROR, "4003050a00000101");
  }

  @Test
  void originValueThreeIsInvalidOrigin() {
    byte[] wire = update("40 01 01 03" + "40 02 06 02 01 0000fde8" + "40 03 04 0a000001");
    assertError(withdrawn(wire).error(), NotificationSubcode.INVALID_ORIGIN_ATTRIBUTE, "40010103");
  }

  @Test
  void multicastNextHopIsInvalidNextHop() {
    byte[] wire = update("40 01 01 00" + "40 02 06 02 01 0000fde8" + "40 03 04 e0000001");
    assertError(
        withdrawn(wire).error(), NotificationSubcode.INVALID_NEXT_HOP_ATTRIBUTE, "400304e0000001");
  }

  @Test
  void badMpReachNextHopLengthIsOptionalAttributeErrorAndResets() {
    byte[] wire = update(GOOD_ATTRIBUTES + "80 0e 08 0002 01 03 aabbcc 00"); // nh length 3
    assertError(
        failed(wire, CodecContext.FOUR_OCTET),
        NotificationSubcode.OPTIONAL_ATTRIBUTE_ERROR,
        "800e080002010" + "3aabbcc00");
  }

  @Test
  void prefixLengthAbove32IsInvalidNetworkField() {
    byte[] attrs = bytes(GOOD_ATTRIBUTES);
    byte[] wire =
        bytes(
            MARKER,
            String.format("%04x", 19 + 4 + attrs.length + 5),
            "02",
            "0000",
            String.format("%04x", attrs.length),
            GOOD_ATTRIBUTES,
            "21 0a000000"); // /33
    assertError(
        failed(wire, CodecContext.FOUR_OCTET), NotificationSubcode.INVALID_NETWORK_FIELD, "");
  }

  @Test
  void prefixRunningPastMessageIsInvalidNetworkField() {
    byte[] wire = bytes(MARKER, "001a", "02", "0000", "0000", "18 0a00"); // /24 needs 3 octets
    assertError(
        failed(wire, CodecContext.FOUR_OCTET), NotificationSubcode.INVALID_NETWORK_FIELD, "");
  }

  @Test
  void undefinedSegmentTypeIsMalformedAsPath() {
    byte[] wire = update("40 01 01 00" + "40 02 06 05 01 0000fde8" + "40 03 04 0a000001");
    assertError(withdrawn(wire).error(), NotificationSubcode.MALFORMED_AS_PATH, "");
  }

  @Test
  void zeroLengthSegmentIsMalformedAsPath() {
    byte[] wire = update("40 01 01 00" + "40 02 02 02 00" + "40 03 04 0a000001");
    assertError(withdrawn(wire).error(), NotificationSubcode.MALFORMED_AS_PATH, "");
  }

  @Test
  void segmentOverrunIsMalformedAsPath() {
    byte[] wire = update("40 01 01 00" + "40 02 06 02 02 0000fde8" + "40 03 04 0a000001");
    assertError(withdrawn(wire).error(), NotificationSubcode.MALFORMED_AS_PATH, "");
  }

  @Test
  void unknownWellKnownAttributeResets() {
    byte[] wire = update(GOOD_ATTRIBUTES + "40 63 01 00");
    assertError(
        failed(wire, CodecContext.FOUR_OCTET),
        NotificationSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
        "40630100");
  }

  @Test
  void attributeOverrunningTheFieldIsTreatAsWithdraw() {
    // Last attribute claims 9 octets but the field ends after 1 (RFC 7606 §4).
    DecodeResult.TreatAsWithdraw r = withdrawn(update(GOOD_ATTRIBUTES + "c0 08 09 00"));
    assertError(r.error(), NotificationSubcode.ATTRIBUTE_LENGTH_ERROR, "c0080900");
    assertThat(r.withdrawal().withdrawn()).containsExactly(Nlri.of("10.0.0.0/8"));
  }

  @Test
  void badAggregatorLengthIsDiscardedNotWithdrawn() {
    DecodeResult r =
        BgpDecoder.decode(
            update(GOOD_ATTRIBUTES + "c0 07 07 0000fde8 0a0000"), CodecContext.FOUR_OCTET);
    assertThat(r).isInstanceOf(DecodeResult.Decoded.class);
    DecodeResult.Decoded d = (DecodeResult.Decoded) r;
    assertThat(((Update) d.message()).attribute(PathAttribute.Aggregator.class)).isEmpty();
    assertThat(((Update) d.message()).nlri()).containsExactly(Nlri.of("10.0.0.0/8"));
    assertThat(d.discarded()).hasSize(1);
    assertError(
        d.discarded().get(0), NotificationSubcode.ATTRIBUTE_LENGTH_ERROR, "c007070000fde80a0000");
  }

  @Test
  void malformedAs4PathIsDiscarded() {
    DecodeResult r =
        BgpDecoder.decode(
            update(
                "40 01 01 00" + "40 02 04 02 01 fde8" + "40 03 04 0a000001" + "c0 11 03 02 01 00"),
            CodecContext.INITIAL);
    assertThat(r).isInstanceOf(DecodeResult.Decoded.class);
    assertThat(
            ((Update) ((DecodeResult.Decoded) r).message()).attribute(PathAttribute.As4Path.class))
        .isEmpty();
  }

  @Test
  void communitiesNotMultipleOfFourIsTreatAsWithdraw() {
    assertError(
        withdrawn(update(GOOD_ATTRIBUTES + "c0 08 03 000001")).error(),
        NotificationSubcode.ATTRIBUTE_LENGTH_ERROR,
        "c00803000001");
  }

  @Test
  void largeCommunityNotMultipleOfTwelveIsTreatAsWithdraw() {
    assertError(
        withdrawn(update(GOOD_ATTRIBUTES + "c0 20 04 00000001")).error(),
        NotificationSubcode.ATTRIBUTE_LENGTH_ERROR,
        "c0200400000001");
  }

  // Extended communities (RFC 4360, RFC 5701) are not interpreted, only passed on: one of a bad
  // length forwarded as it came made every peer that checks it (GoBGP, BIRD, FRR) withdraw the
  // route.

  @Test
  void extendedCommunitiesNotMultipleOfEightIsTreatAsWithdraw() {
    assertError(
        withdrawn(update(GOOD_ATTRIBUTES + "c0 10 01 00")).error(),
        NotificationSubcode.ATTRIBUTE_LENGTH_ERROR,
        "c0100100");
  }

  @Test
  void ipv6ExtendedCommunitiesNotMultipleOfTwentyIsTreatAsWithdraw() {
    assertError(
        withdrawn(update(GOOD_ATTRIBUTES + "c0 19 08 0002fde800000001")).error(),
        NotificationSubcode.ATTRIBUTE_LENGTH_ERROR,
        "c019080002fde800000001");
  }

  @Test
  void extendedCommunitiesFlaggedNonTransitiveIsTreatAsWithdraw() {
    assertError(
        withdrawn(update(GOOD_ATTRIBUTES + "80 10 08 0002fde800000001")).error(),
        NotificationSubcode.ATTRIBUTE_FLAGS_ERROR,
        "8010080002fde800000001");
  }

  @Test
  void wellFormedExtendedCommunitiesAreCarriedAsReceived() {
    DecodeResult r =
        BgpDecoder.decode(
            update(GOOD_ATTRIBUTES + "c0 10 08 0002fde800000001"), CodecContext.FOUR_OCTET);
    assertThat(r).isInstanceOf(DecodeResult.Decoded.class);
    Update u = (Update) ((DecodeResult.Decoded) r).message();
    assertThat(u.attributes())
        .filteredOn(a -> a.type().code() == 16)
        .singleElement()
        .isEqualTo(new PathAttribute.Unknown(0xc0, 16, bytes("0002fde800000001")));
  }

  @Test
  void duplicateMpReachResets() {
    String mp = "80 0e 0a 0001 01 04 0a000001 00 00"; // IPv4 via MP: next hop 10.0.0.1, 0.0.0.0/0
    BgpError e = failed(update(GOOD_ATTRIBUTES + mp + mp), CodecContext.FOUR_OCTET);
    assertError(e, NotificationSubcode.MALFORMED_ATTRIBUTE_LIST, "");
  }

  @Test
  void duplicateOriginKeepsTheFirst() {
    DecodeResult r =
        BgpDecoder.decode(update(GOOD_ATTRIBUTES + "40 01 01 02"), CodecContext.FOUR_OCTET);
    DecodeResult.Decoded d = (DecodeResult.Decoded) r;
    assertThat(((Update) d.message()).attribute(PathAttribute.Origin.class))
        .contains(new PathAttribute.Origin(PathAttribute.OriginType.IGP));
    assertThat(d.discarded()).hasSize(1);
  }

  @Test
  void treatAsWithdrawAlsoWithdrawsMpReachPrefixes() {
    // Invalid ORIGIN plus an IPv6 MP_REACH: the IPv6 prefix must be withdrawn too.
    String mp = "80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8";
    DecodeResult.TreatAsWithdraw r =
        withdrawn(update("40 01 01 07" + "40 02 06 02 01 0000fde8" + "40 03 04 0a000001" + mp));
    assertThat(r.withdrawal().allWithdrawn())
        .containsExactlyInAnyOrder(Nlri.of("10.0.0.0/8"), Nlri.of("2001:db8::/32"));
    assertThat(r.withdrawal().attributes())
        .containsExactly(
            new PathAttribute.MpUnreach(
                AddressFamily.IPV6_UNICAST, List.of(Nlri.of("2001:db8::/32"))));
  }

  @Test
  void enhancedRouteRefreshWithWrongLengthIsRouteRefreshErrorWithWholeMessage() {
    byte[] wire = bytes(MARKER, "0018", "05", "0001 01 01", "00"); // BoRR with one extra octet
    assertError(
        failed(wire, CodecContext.INITIAL),
        NotificationSubcode.INVALID_ROUTE_REFRESH_LENGTH,
        Hex.hex(wire));
  }
}
