package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpDecoder;
import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.DecodeResult;
import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.codec.UpdatePacker;
import dev.netctl.bgp.rib.NextHopResolver;
import dev.netctl.bgp.rib.OutboundProfile;
import dev.netctl.bgp.rib.OutboundUpdate;
import dev.netctl.bgp.rib.Peer;
import dev.netctl.bgp.rib.PeerKind;
import dev.netctl.bgp.rib.Rib;
import dev.netctl.bgp.rib.RibConfig;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.rib.UpdateGroup;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs the per-prefix UPDATE path — decode, Adj-RIB-In and Loc-RIB, update group, packing, encode —
 * over synthetic routes in a private RIB, before a speaker takes its first session. A JVM runs a
 * method interpreted until it has been called often enough to compile, so the first table a fresh
 * process receives (a node's restart, exactly when convergence matters) would otherwise be
 * processed partly by the interpreter while the compiler competes for the same cores. Nothing of
 * the private RIB outlives the run.
 */
public final class UpdatePathWarmup {
  private static final CodecContext CODEC = CodecContext.FOUR_OCTET;

  private UpdatePathWarmup() {}

  /**
   * Announces, reflects and withdraws {@code prefixes} synthetic /24s through a private RIB;
   * returns how many prefixes the reflection sent out (each prefix twice: announced, then
   * withdrawn).
   */
  public static long run(int prefixes) {
    Peer source = peer("192.0.2.1", true);
    Peer member = peer("192.0.2.2", true);
    long sent = 0;
    try (Rib rib =
        new Rib(
            new RibConfig(64512, v4("192.0.2.254"), null, false, 1, 1),
            NextHopResolver.ALL_REACHABLE)) {
      rib.addPeer(source, null).join();
      UpdateGroup group =
          rib.group(
              new OutboundProfile(
                  PeerKind.IBGP,
                  true,
                  CODEC,
                  Set.of(AddressFamily.IPV4_UNICAST),
                  RoutePolicy.ACCEPT_ALL,
                  v4("192.0.2.254"),
                  null,
                  null));
      rib.join(group, member).join();
      ByteBuf wire = ByteBufAllocator.DEFAULT.heapBuffer();
      try {
        for (int pass = 0; pass < 2; pass++) {
          boolean withdraw = pass == 1;
          for (Update u : updates(prefixes, withdraw)) {
            wire.clear();
            BgpEncoder.encode(u, CODEC, wire);
            if (BgpDecoder.decode(wire, CODEC) instanceof DecodeResult.Decoded d
                && d.message() instanceof Update received) {
              rib.apply(source, received).join();
            }
            sent += drain(group, wire);
          }
        }
      } finally {
        wire.release();
      }
      rib.peerDown(source).join();
    }
    return sent;
  }

  private static long drain(UpdateGroup group, ByteBuf wire) {
    long sent = 0;
    for (OutboundUpdate out : group.drain()) {
      wire.clear();
      BgpEncoder.encode(out.message(), CODEC, wire);
      if (out.message() instanceof Update u) {
        sent += u.nlri().size() + u.withdrawn().size();
      }
    }
    return sent;
  }

  // A thousand prefixes per attribute set (MED tells the sets apart), as a full table has.
  private static List<Update> updates(int prefixes, boolean withdraw) {
    List<Update> out = new ArrayList<>();
    for (int from = 0; from < prefixes; from += 1000) {
      Ipv4NlriList.Builder nlri = new Ipv4NlriList.Builder();
      for (int i = from; i < Math.min(prefixes, from + 1000); i++) {
        nlri.add(Ipv4NlriList.pack(Prefix.ipv4(0x0a000000 + (i << 8), 24)));
      }
      Ipv4NlriList list = nlri.build();
      if (withdraw) {
        out.addAll(UpdatePacker.withdraw(list, CODEC));
      } else {
        List<PathAttribute> attrs =
            List.of(
                new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                PathAttribute.AsPath.EMPTY,
                new PathAttribute.NextHop(v4("192.0.2.1")),
                new PathAttribute.MultiExitDisc(from / 1000),
                new PathAttribute.LocalPref(100));
        out.addAll(UpdatePacker.announce(attrs, list, CODEC));
      }
    }
    return out;
  }

  private static Peer peer(String address, boolean client) {
    return new Peer(v4(address), v4(address), 64512, PeerKind.IBGP, client);
  }

  private static Inet4Address v4(String literal) {
    try {
      return (Inet4Address) InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
