package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpDecoder;
import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.DecodeResult;
import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.codec.UpdatePacker;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Runs the whole UPDATE path of a speaker — socket reads, framing, decode, session events and their
 * batches, Adj-RIB-In, Loc-RIB, update group, group writer, socket writes — before the real speaker
 * takes its first session: a private reflector on an ephemeral loopback port, fed by one scripted
 * client and read by another, through a table announced, churned (withdrawn and announced again
 * with other attributes) and withdrawn.
 *
 * <p>Why: the launcher runs the JVM with the client compiler only, and a method runs interpreted
 * until it has been called a few hundred times; code called once per message or per write is
 * reached that often only after thousands of UPDATEs, and a loop in a method called rarely (the
 * group writer's, once per portion of a drain) may never be compiled. A fresh process's first
 * tables — a restarted node's, exactly when convergence matters — then ran partly interpreted while
 * the compiler competed for the same cores: on the first 10,000-prefix churn of {@code bench/}, the
 * event loop spent 10 ms of CPU against 7 ms once warm, and the compiler another 3 to 5 ms
 * (docs/benchmarks.md, issue 14 session 21). {@link UpdatePathWarmup} covers the RIB without a
 * socket, and remains the fallback where no loopback address can be used.
 *
 * <p>The routes carry what a real peer's do (an AS path of one to three ASes, communities, MED,
 * LOCAL_PREF), so that the decoder's and the interner's code for each runs. Nothing of the private
 * speaker outlives the run; every wait is bounded.
 */
public final class SessionPathWarmup {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(SessionPathWarmup.class);
  private static final CodecContext CODEC = CodecContext.FOUR_OCTET;
  private static final long ASN = 64512;
  // Prefixes per attribute set (so per UPDATE), as a peer with many small groups sends them.
  private static final int PER_SET = 10;
  // The announcement, then this many churns (all withdrawn and announced again, new MED), then the
  // withdrawal: each pass sends every prefix once or twice.
  private static final int CHURNS = 3;
  // Whole warm-up, and the private speaker's close.
  private static final long DEADLINE_MILLIS = 10_000;

  private SessionPathWarmup() {}

  /**
   * Announces {@code prefixes} /24s from one client of a private reflector listening on 127.0.0.1,
   * churns them {@value #CHURNS} times and withdraws them, each pass until the other client has
   * received all of it. Returns whether it ran to the end; false (with the reason logged) when the
   * loopback addresses could not be used or a pass did not complete in time, after which nothing of
   * it is left running.
   */
  public static boolean run(Transport transport, int prefixes) {
    long deadline = System.nanoTime() + DEADLINE_MILLIS * 1_000_000;
    Inet4Address local = v4("127.0.0.1");
    Inet4Address sourceAddress = v4("127.0.0.2");
    Inet4Address sinkAddress = v4("127.0.0.3");
    BgpSpeaker reflector = null;
    Thread reader = null;
    Client source = new Client();
    Client sink = new Client();
    try {
      reflector =
          BgpSpeaker.start(
              SpeakerConfig.of(ASN, local, new InetSocketAddress(local, 0), transport));
      reflector.quiet();
      reflector.addPeer(client(sourceAddress, local));
      reflector.addPeer(client(sinkAddress, local));
      int port = reflector.listenAddress().getPort();
      source.connect(sourceAddress, local, port);
      sink.connect(sinkAddress, local, port);
      Tally tally = new Tally();
      reader = Thread.ofPlatform().daemon().name("bgp-warmup-sink").start(() -> sink.count(tally));
      for (int pass = 0; pass <= CHURNS + 1; pass++) {
        long withdrawnBefore = tally.withdrawn();
        if (pass > 0) {
          source.send(UpdatePacker.withdraw(nlri(0, prefixes), CODEC));
        }
        if (pass <= CHURNS) {
          for (int set = 0; set < prefixes; set += PER_SET) {
            source.send(
                UpdatePacker.announce(
                    attributes(set / PER_SET, pass, sourceAddress),
                    nlri(set, Math.min(prefixes, set + PER_SET)),
                    CODEC));
          }
        }
        source.flush();
        boolean done =
            pass <= CHURNS
                ? tally.awaitAnnounced(pass, prefixes, deadline)
                : tally.awaitWithdrawn(withdrawnBefore + prefixes, deadline);
        if (!done) {
          LOG.debug("UPDATE path warm-up stopped: pass {} not received in time", pass);
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.debug("UPDATE path warm-up through loopback not run: {}", e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      // The reflector first: it ends both sessions with a NOTIFICATION, and writes to no socket
      // its client has closed.
      if (reflector != null) {
        reflector.close();
      }
      source.close();
      sink.close();
      if (reader != null) {
        try {
          reader.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static Neighbor client(Inet4Address address, Inet4Address local) {
    return Neighbor.of(
            new PeerSpec(
                new InetSocketAddress(address, 179),
                local,
                PeerConfig.of(ASN, local, ASN),
                true,
                null,
                0))
        .asReflectorClient();
  }

  // Set k of pass p: an AS path of one to three ASes and two communities that differ from set to
  // set, and the pass as the MED, so that every pass brings attribute sets not seen before.
  private static List<PathAttribute> attributes(int k, int pass, Inet4Address nextHop) {
    long[] path = new long[1 + k % 3];
    for (int h = 0; h < path.length; h++) {
      path[h] = 64600 + (k * 7L + h * 13L) % 300;
    }
    return List.of(
        new PathAttribute.Origin(PathAttribute.OriginType.IGP),
        PathAttribute.AsPath.sequence(path),
        new PathAttribute.NextHop(nextHop),
        new PathAttribute.MultiExitDisc(pass),
        new PathAttribute.LocalPref(100),
        new PathAttribute.Communities(List.of((65000 << 16) | (k & 0xffff), (65001 << 16) | pass)));
  }

  private static Ipv4NlriList nlri(int from, int to) {
    Ipv4NlriList.Builder b = new Ipv4NlriList.Builder();
    for (int i = from; i < to; i++) {
      b.add(Ipv4NlriList.pack(Prefix.ipv4(0x0a000000 + (i << 8), 24)));
    }
    return b.build();
  }

  private static Inet4Address v4(String literal) {
    try {
      return (Inet4Address) InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  /** What the receiving client has counted: announced prefixes per pass (the MED), withdrawn. */
  private static final class Tally {
    private final long[] announced = new long[CHURNS + 1];
    private long withdrawn;
    private boolean ended;

    synchronized void add(Update u) {
      withdrawn += u.withdrawn().size();
      if (!u.nlri().isEmpty()) {
        for (PathAttribute a : u.attributes()) {
          if (a instanceof PathAttribute.MultiExitDisc m && m.value() < announced.length) {
            announced[(int) m.value()] += u.nlri().size();
          }
        }
      }
      notifyAll();
    }

    synchronized void end() {
      ended = true;
      notifyAll();
    }

    synchronized long withdrawn() {
      return withdrawn;
    }

    synchronized boolean awaitAnnounced(int pass, long count, long deadline)
        throws InterruptedException {
      while (announced[pass] < count) {
        if (!waitUntil(deadline)) {
          return false;
        }
      }
      return true;
    }

    synchronized boolean awaitWithdrawn(long count, long deadline) throws InterruptedException {
      while (withdrawn < count) {
        if (!waitUntil(deadline)) {
          return false;
        }
      }
      return true;
    }

    // Waits a while; false once the deadline passed or the reader ended.
    private boolean waitUntil(long deadline) throws InterruptedException {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0 || ended) {
        return false;
      }
      wait(left);
      return true;
    }
  }

  /** A scripted iBGP client on a blocking socket: the OPEN exchange, then UPDATEs either way. */
  private static final class Client implements AutoCloseable {
    private final Socket socket = new Socket();
    private DataInputStream in;
    private OutputStream out;

    void connect(Inet4Address from, Inet4Address to, int port) throws IOException {
      socket.bind(new InetSocketAddress(from, 0));
      socket.connect(new InetSocketAddress(to, port), 2000);
      socket.setSoTimeout((int) DEADLINE_MILLIS);
      in = new DataInputStream(socket.getInputStream());
      out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
      // The reflector, passive, opens first; then ours, and a KEEPALIVE each way.
      if (!(read() instanceof BgpMessage.Open)) {
        throw new IOException("warm-up reflector did not send an OPEN");
      }
      send(
          new BgpMessage.Open(
              4,
              ASN,
              90,
              from,
              List.of(
                  new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                  new Capability.FourOctetAs(ASN),
                  new Capability.RouteRefresh())));
      flush();
      if (!(read() instanceof BgpMessage.Keepalive)) {
        throw new IOException("warm-up reflector did not confirm the OPEN");
      }
      send(BgpMessage.Keepalive.INSTANCE);
      flush();
    }

    void send(BgpMessage m) throws IOException {
      out.write(BgpEncoder.encode(m, CODEC));
    }

    void send(List<Update> updates) throws IOException {
      for (Update u : updates) {
        send(u);
      }
    }

    void flush() throws IOException {
      out.flush();
    }

    /** Counts what arrives until the connection ends. */
    void count(Tally tally) {
      try {
        while (true) {
          if (read() instanceof Update u) {
            tally.add(u);
          }
        }
      } catch (IOException | RuntimeException e) {
        tally.end(); // closed at the end of the run, or broken: a waiting pass gives up
      }
    }

    private BgpMessage read() throws IOException {
      byte[] header = new byte[BgpDecoder.HEADER_SIZE];
      in.readFully(header);
      int length = ((header[16] & 0xff) << 8) | (header[17] & 0xff);
      if (length < BgpDecoder.HEADER_SIZE) {
        throw new IOException("warm-up reflector sent a message of length " + length);
      }
      byte[] all = new byte[length];
      System.arraycopy(header, 0, all, 0, header.length);
      in.readFully(all, header.length, length - header.length);
      if (BgpDecoder.decode(all, CODEC) instanceof DecodeResult.Decoded d) {
        return d.message();
      }
      throw new IOException("warm-up reflector sent a message that does not decode");
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // nothing was left to send
      }
    }
  }
}
