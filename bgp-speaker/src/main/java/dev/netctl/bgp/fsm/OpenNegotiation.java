package dev.netctl.bgp.fsm;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.codec.BgpError;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Open;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.codec.CapabilityCode;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.NotificationSubcode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds our OPEN from a {@link PeerConfig} and checks the peer's against it. */
public final class OpenNegotiation {
  private OpenNegotiation() {}

  /** The outcome: exactly one of the two is non-null. */
  public record Result(Negotiated negotiated, BgpError error) {}

  /** Our OPEN for this peer, not restarting. */
  public static Open localOpen(PeerConfig config) {
    return localOpen(config, false);
  }

  /**
   * Our OPEN for this peer. The graceful-restart capability lists every offered family, so the peer
   * keeps our routes while we restart (RFC 4724 §4.2); {@code restarting} sets the Restart State
   * bit and each family's Forwarding State bit (RFC 4724 §3). The N bit is always set: we keep a
   * peer's routes through a NOTIFICATION other than Hard Reset (RFC 8538 §2).
   */
  public static Open localOpen(PeerConfig config, boolean restarting) {
    List<Capability> caps = new ArrayList<>();
    // Sorted so the OPEN is the same bytes every time.
    List<AddressFamily> families =
        config.families().stream()
            .sorted(
                Comparator.comparingInt((AddressFamily f) -> f.afi().code())
                    .thenComparingInt(f -> f.safi().code()))
            .toList();
    families.forEach(f -> caps.add(new Capability.Multiprotocol(f)));
    caps.add(new Capability.RouteRefresh());
    caps.add(new Capability.EnhancedRouteRefresh());
    caps.add(new Capability.FourOctetAs(config.localAs()));
    if (config.gracefulRestartSeconds() >= 0) {
      caps.add(
          new Capability.GracefulRestart(
              restarting,
              true,
              config.gracefulRestartSeconds(),
              families.stream()
                  .map(f -> new Capability.GracefulRestartFamily(f, restarting))
                  .toList()));
    }
    // ADD-PATH for the offered families only (a family the session does not offer, e.g. IPv6 on an
    // IPv4 session without an IPv6 next hop, has no paths to add), in their sorted order.
    List<Capability.AddPathFamily> list = new ArrayList<>();
    for (AddressFamily f : families) {
      boolean rx = config.addPathReceive().contains(f);
      boolean tx = config.addPathSend().contains(f);
      if (rx || tx) {
        list.add(
            new Capability.AddPathFamily(
                f,
                rx && tx
                    ? Capability.AddPathMode.BOTH
                    : rx ? Capability.AddPathMode.RECEIVE : Capability.AddPathMode.SEND));
      }
    }
    if (!list.isEmpty()) {
      caps.add(new Capability.AddPath(list));
    }
    if (config.extendedMessage()) {
      caps.add(new Capability.ExtendedMessage());
    }
    return new Open(4, config.localAs(), config.holdTime(), config.localId(), caps);
  }

  /** Checks the peer's OPEN (RFC 4271 §6.2, RFC 5492 §5, RFC 6286) and negotiates. */
  public static Result negotiate(PeerConfig config, Open peer) {
    if (!config.acceptsAs(peer.myAs())) {
      byte[] data =
          peer.myAs() > 0xffff
              ? new byte[] {(byte) (BgpMessage.AS_TRANS >> 8), (byte) BgpMessage.AS_TRANS}
              : new byte[] {(byte) (peer.myAs() >> 8), (byte) peer.myAs()};
      return error(
          NotificationSubcode.BAD_PEER_AS,
          data,
          "peer AS "
              + peer.myAs()
              + (config.acceptedAs() == null
                  ? " is not the configured " + config.remoteAs()
                  : " is not in the accepted " + config.acceptedAs().text()));
    }
    if (peer.myAs() == config.localAs() && peer.bgpId().equals(config.localId())) {
      // RFC 6286 §2.2: within an AS the identifiers must differ.
      return error(
          NotificationSubcode.BAD_BGP_IDENTIFIER,
          new byte[0],
          "peer BGP identifier "
              + AddressText.of(peer.bgpId())
              + " equals ours on an iBGP session");
    }
    Map<CapabilityCode, Capability> byCode = new java.util.HashMap<>();
    peer.capabilities().forEach(c -> byCode.putIfAbsent(c.code(), c));
    for (CapabilityCode required : config.requiredCapabilities()) {
      if (!byCode.containsKey(required)) {
        // RFC 5492 §5: data lists the missing capability (code, length 0).
        return error(
            NotificationSubcode.UNSUPPORTED_CAPABILITY,
            new byte[] {(byte) required.code(), 0},
            "peer did not advertise required capability " + required);
      }
    }
    int holdTime = Math.min(config.holdTime(), peer.holdTime());
    Set<AddressFamily> peerFamilies = new HashSet<>();
    peer.capabilities(Capability.Multiprotocol.class).forEach(m -> peerFamilies.add(m.family()));
    if (peer.capabilities(Capability.Multiprotocol.class).isEmpty()) {
      // RFC 4760 §8: a peer without the capability speaks IPv4 unicast only.
      peerFamilies.add(AddressFamily.IPV4_UNICAST);
    }
    Set<AddressFamily> families = new HashSet<>(config.families());
    families.retainAll(peerFamilies);

    boolean fourOctet = peer.capability(Capability.FourOctetAs.class).isPresent();
    boolean extended =
        config.extendedMessage() && peer.capability(Capability.ExtendedMessage.class).isPresent();
    Set<AddressFamily> addPathRx = new HashSet<>();
    Set<AddressFamily> addPathTx = new HashSet<>();
    for (Capability.AddPath a : peer.capabilities(Capability.AddPath.class)) {
      for (Capability.AddPathFamily f : a.families()) {
        if (!families.contains(f.family())) {
          continue;
        }
        // RFC 7911 §4: we receive paths when we offered receive and the peer offered send.
        if (f.mode().canSend() && config.addPathReceive().contains(f.family())) {
          addPathRx.add(f.family());
        }
        if (f.mode().canReceive() && config.addPathSend().contains(f.family())) {
          addPathTx.add(f.family());
        }
      }
    }
    return new Result(
        new Negotiated(
            peer,
            holdTime,
            families,
            fourOctet,
            peer.capability(Capability.RouteRefresh.class).isPresent(),
            peer.capability(Capability.EnhancedRouteRefresh.class).isPresent(),
            peer.capability(Capability.GracefulRestart.class).isPresent(),
            new CodecContext(fourOctet, addPathRx, extended),
            new CodecContext(fourOctet, addPathTx, extended)),
        null);
  }

  private static Result error(NotificationSubcode subcode, byte[] data, String reason) {
    return new Result(null, new BgpError(subcode, data, reason));
  }
}
