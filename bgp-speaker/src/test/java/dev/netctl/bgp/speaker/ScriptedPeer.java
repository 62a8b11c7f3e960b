package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.WireIo;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A BGP peer scripted message by message on a plain socket, so a test controls exactly what a
 * speaker receives: which capabilities, when End-of-RIB comes, and a TCP close without
 * NOTIFICATION.
 */
final class ScriptedPeer implements AutoCloseable {
  final Socket socket = new Socket();
  final DataInputStream in;
  final long as;
  // Whether the speaker is in our AS, known from its OPEN (established).
  private boolean internal;

  ScriptedPeer(String local, String remote, int port, long as) throws IOException {
    this(local, remote, port, as, 0);
  }

  /** A peer whose socket receive buffer is {@code receiveBuffer} bytes (0: the system's). */
  ScriptedPeer(String local, String remote, int port, long as, int receiveBuffer)
      throws IOException {
    this.as = as;
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer); // before connect: it sets the window offered
    }
    socket.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
    socket.connect(new InetSocketAddress(InetAddress.getByName(remote), port), 2000);
    socket.setSoTimeout(5000);
    in = new DataInputStream(socket.getInputStream());
  }

  /** Capabilities of a four-octet, IPv4+IPv6 peer with route refresh, plus {@code extra}. */
  static List<Capability> caps(long as, Capability... extra) {
    List<Capability> caps = new ArrayList<>();
    caps.add(new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST));
    caps.add(new Capability.Multiprotocol(AddressFamily.IPV6_UNICAST));
    caps.add(new Capability.FourOctetAs(as));
    caps.add(new Capability.RouteRefresh());
    caps.addAll(Arrays.asList(extra));
    return caps;
  }

  /** Graceful restart capability listing IPv4 unicast with the given F bit. */
  static Capability.GracefulRestart gr(int seconds, boolean forwarding) {
    return new Capability.GracefulRestart(
        false,
        seconds,
        List.of(new Capability.GracefulRestartFamily(AddressFamily.IPV4_UNICAST, forwarding)));
  }

  void send(BgpMessage m) throws IOException {
    sendRaw(BgpEncoder.encode(m, CodecContext.FOUR_OCTET));
  }

  void sendRaw(byte[] b) throws IOException {
    socket.getOutputStream().write(b);
    socket.getOutputStream().flush();
  }

  BgpMessage read() throws IOException {
    return WireIo.read(in);
  }

  /** The next message that is not a KEEPALIVE (at most 50 skipped). */
  BgpMessage next() throws IOException {
    for (int i = 0; i < 50; i++) {
      BgpMessage m = read();
      if (!(m instanceof BgpMessage.Keepalive)) {
        return m;
      }
    }
    throw new AssertionError("only KEEPALIVEs");
  }

  /** Whether only KEEPALIVEs (or nothing) arrive during {@code d}. */
  boolean quietFor(java.time.Duration d) throws IOException {
    socket.setSoTimeout((int) d.toMillis());
    try {
      for (int i = 0; i < 10; i++) {
        if (!(read() instanceof BgpMessage.Keepalive)) {
          return false;
        }
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return true;
    } finally {
      socket.setSoTimeout(5000);
    }
  }

  /** Runs the OPEN exchange with these capabilities; returns the speaker's OPEN. */
  BgpMessage.Open establish(String id, List<Capability> caps) throws IOException {
    BgpMessage.Open theirs = (BgpMessage.Open) read();
    internal = theirs.myAs() == as;
    send(new BgpMessage.Open(4, as, 90, (Inet4Address) InetAddress.getByName(id), caps));
    BgpMessage k = read();
    if (!(k instanceof BgpMessage.Keepalive)) {
      throw new AssertionError("expected KEEPALIVE, got " + k);
    }
    send(BgpMessage.Keepalive.INSTANCE);
    return theirs;
  }

  /** Messages up to and including End-of-RIB for every family in {@code families}. */
  List<BgpMessage> readUntilEndOfRib(AddressFamily... families) throws IOException {
    List<BgpMessage> out = new ArrayList<>();
    List<AddressFamily> left = new ArrayList<>(Arrays.asList(families));
    while (!left.isEmpty()) {
      BgpMessage m = next();
      out.add(m);
      if (m instanceof Update u) {
        u.endOfRibFamily().ifPresent(left::remove);
      }
    }
    return out;
  }

  /**
   * Announces IPv4 prefixes with next hop {@code nextHop}, as their originator: AS_PATH our AS
   * toward an external speaker, empty toward an internal one (RFC 4271 §5.1.2; our AS there would
   * be a loop).
   */
  void announce(String nextHop, String... prefixes) throws IOException {
    send(
        new Update(
            List.of(),
            List.of(
                new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                internal ? PathAttribute.AsPath.EMPTY : PathAttribute.AsPath.sequence(as),
                new PathAttribute.NextHop((Inet4Address) InetAddress.getByName(nextHop))),
            Arrays.stream(prefixes).map(Nlri::of).toList()));
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
