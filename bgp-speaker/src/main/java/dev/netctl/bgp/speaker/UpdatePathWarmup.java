package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.codec.UpdatePacker;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.rib.NextHopResolver;
import dev.netctl.bgp.rib.OutboundProfile;
import dev.netctl.bgp.rib.OutboundUpdate;
import dev.netctl.bgp.rib.Peer;
import dev.netctl.bgp.rib.PeerKind;
import dev.netctl.bgp.rib.Rib;
import dev.netctl.bgp.rib.RibConfig;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.rib.UpdateGroup;
import dev.netctl.bgp.session.InProcessSession;
import dev.netctl.bgp.session.PeerSession;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.SessionListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Runs the UPDATE path — a session's receive pipeline (framing, decode, FSM, session), Adj-RIB-In
 * and Loc-RIB, update group, packing, encode — over synthetic routes in a private RIB, before a
 * speaker takes its first session. A JVM runs a method interpreted until it has been called often
 * enough to compile, so the first table a fresh process receives (a node's restart, exactly when
 * convergence matters) would otherwise be processed partly by the interpreter while the compiler
 * competes for the same cores. The routes come as a peer sends them: many small UPDATEs (ten
 * prefixes per attribute set), announced, changed and withdrawn, so that the per-message code runs
 * as often as the per-prefix code; their sets carry AS paths and communities that other sets share,
 * as a real table's do, so that decoding those attributes and interning a set whose path is already
 * known (comparing equal values) compile here too, not during the first change a peer sends. The
 * session is an {@link InProcessSession}: no socket, port or thread of its own. Nothing of the
 * private RIB outlives the run.
 */
public final class UpdatePathWarmup {
  private static final CodecContext CODEC = CodecContext.FOUR_OCTET;
  private static final long ASN = 64512;
  // Prefixes per attribute set, so per UPDATE.
  private static final int PER_SET = 10;
  // UPDATEs per read handed to the session, and so per batch to the RIB (as SessionEvents batches).
  private static final int PER_READ = 32;
  // Prefixes withdrawn per read: as a peer packs them, about a thousand per UPDATE.
  private static final int WITHDRAWN_PER_READ = 4 * 1000;
  // Announce, announce again with another MED (an attribute change), withdraw.
  private static final int PASSES = 3;

  private UpdatePathWarmup() {}

  /**
   * Announces, changes and withdraws {@code prefixes} synthetic /24s received through an in-process
   * session, reflected through a private RIB; returns how many prefixes the reflection sent out
   * (each prefix three times: announced, changed, withdrawn).
   */
  public static long run(int prefixes) {
    Inet4Address local = v4("192.0.2.254");
    Peer source = peer("192.0.2.1");
    Peer member = peer("192.0.2.2");
    long sent = 0;
    try (Rib rib =
        new Rib(new RibConfig(ASN, local, null, false, 1, 1), NextHopResolver.ALL_REACHABLE)) {
      rib.addPeer(source, null).join();
      UpdateGroup group =
          rib.group(
              new OutboundProfile(
                  PeerKind.IBGP,
                  true,
                  CODEC,
                  Set.of(AddressFamily.IPV4_UNICAST),
                  RoutePolicy.ACCEPT_ALL,
                  local,
                  null,
                  null));
      rib.join(group, member).join();
      List<Update> received = new ArrayList<>();
      SessionListener collect =
          new SessionListener() {
            @Override
            public void update(PeerSession peer, Update update) {
              received.add(update);
            }
          };
      PeerSpec spec =
          new PeerSpec(
              new InetSocketAddress(source.address(), 179),
              local,
              PeerConfig.of(ASN, local, ASN),
              true,
              null,
              0);
      ByteBuf wire = ByteBufAllocator.DEFAULT.heapBuffer();
      try (InProcessSession session = InProcessSession.open(spec, source.routerId(), collect)) {
        for (int pass = 0; pass < PASSES; pass++) {
          // Built a read at a time: a pass's messages at once would grow the heap for good.
          int step = pass == PASSES - 1 ? WITHDRAWN_PER_READ : PER_SET * PER_READ;
          for (int from = 0; from < prefixes; from += step) {
            ByteBuf read = Unpooled.buffer();
            for (Update u : updates(from, Math.min(prefixes, from + step), pass)) {
              BgpEncoder.encode(u, CODEC, read);
            }
            session.receive(read);
            rib.apply(source, List.copyOf(received)).join();
            received.clear();
            sent += drain(group, wire);
          }
          session.discardSent();
        }
      } finally {
        wire.release();
      }
      rib.peerDown(source).join();
    }
    batchHandOffs();
    allocatorChunks();
    return sent;
  }

  /**
   * The hand-offs of {@link SessionEvents}' batches that a table load may never take but a churn
   * does: a batch behind one still in the RIB's hands, and one behind other work. A lambda is
   * linked where it is first run, a class spun for it; those of these two paths were linked on the
   * event loop inside a fresh speaker's first churn (seen in a profile of one: about half a
   * millisecond). Returns whether each batch waited for the work before it and completed once that
   * had.
   */
  static boolean batchHandOffs() {
    Executor here = Runnable::run;
    CompletableFuture<Void> inRib = new CompletableFuture<>();
    UpdateBatch first = new UpdateBatch(CompletableFuture.completedFuture(null), null);
    first.handOff(updates -> inRib, here);
    UpdateBatch behindBatch = new UpdateBatch(first.done, first);
    behindBatch.handOff(updates -> CompletableFuture.completedFuture(null), here);
    CompletableFuture<Void> otherWork = new CompletableFuture<>();
    UpdateBatch behindWork = new UpdateBatch(otherWork, null);
    behindWork.handOff(updates -> CompletableFuture.completedFuture(null), here);
    // Neither may finish before the work ahead of it.
    boolean waited = !behindBatch.done.isDone() && !behindWork.done.isDone();
    inRib.complete(null);
    otherWork.complete(null);
    return waited && first.done.isDone() && behindBatch.done.isDone() && behindWork.done.isDone();
  }

  /**
   * Netty's allocator takes a chunk for a large buffer (a group writer's portion, a read that spans
   * messages) from its cache of released chunks once there are some; a first table may release
   * none, and the classes that search the cache were then loaded on the event loop inside the first
   * churn. Buffers of a few chunks, allocated, released and allocated again, in the sizes a portion
   * takes (from 32 KiB: smaller ones come from size classes, not chunks). With a heap of 512 MiB or
   * less (a --max-memory up to about 576m) Netty allocates such buffers unpooled, and this does
   * nothing useful but costs nothing either.
   */
  static void allocatorChunks() {
    List<ByteBuf> held = new ArrayList<>();
    try {
      for (int round = 0; round < 3; round++) {
        for (int size = 32 * 1024; size <= GroupWriter.PORTION; size *= 2) {
          held.add(ByteBufAllocator.DEFAULT.directBuffer(size));
          held.add(ByteBufAllocator.DEFAULT.directBuffer(size + size / 2));
        }
        held.forEach(ByteBuf::release);
        held.clear();
      }
    } finally {
      held.forEach(ByteBuf::release);
    }
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

  // Prefixes [from, to): withdrawn in the last pass, else PER_SET per attribute set (MED tells the
  // sets apart, and changes from pass to pass).
  static List<Update> updates(int from, int to, int pass) {
    if (pass == PASSES - 1) {
      return UpdatePacker.withdraw(nlri(from, to), CODEC);
    }
    List<Update> out = new ArrayList<>();
    for (int set = from; set < to; set += PER_SET) {
      int k = set / PER_SET;
      List<PathAttribute> attrs = new ArrayList<>(6);
      attrs.add(new PathAttribute.Origin(PathAttribute.OriginType.IGP));
      attrs.add(asPath(k));
      attrs.add(new PathAttribute.NextHop(v4("192.0.2.1")));
      attrs.add(new PathAttribute.MultiExitDisc(pass * 1_000_000L + k));
      attrs.add(new PathAttribute.LocalPref(100));
      // Two sets in three carry communities: one of ours and one of a neighbour's.
      if (k % 3 != 0) {
        attrs.add(
            new PathAttribute.Communities(
                List.of((int) (ASN << 16 | k % 5), 65000 << 16 | 100 + k % 2)));
      }
      out.addAll(UpdatePacker.announce(attrs, nlri(set, Math.min(to, set + PER_SET)), CODEC));
    }
    return out;
  }

  // A path of one to three ASNs through 24 neighbouring ASes: 72 paths, each shared by every 72nd
  // set, as the routes of a real table share a few paths. A table of distinct (or empty) paths
  // never compares two equal ones when it interns a set.
  private static PathAttribute.AsPath asPath(int k) {
    int neighbour = k % 24;
    long[] path = new long[1 + k % 72 / 24];
    for (int h = 0; h < path.length; h++) {
      path[h] = 65000 + (neighbour + h) % 24;
    }
    return PathAttribute.AsPath.sequence(path);
  }

  private static Ipv4NlriList nlri(int from, int to) {
    Ipv4NlriList.Builder b = new Ipv4NlriList.Builder();
    for (int i = from; i < to; i++) {
      b.add(Ipv4NlriList.pack(Prefix.ipv4(0x0a000000 + (i << 8), 24)));
    }
    return b.build();
  }

  private static Peer peer(String address) {
    return new Peer(v4(address), v4(address), ASN, PeerKind.IBGP, true);
  }

  private static Inet4Address v4(String literal) {
    try {
      return (Inet4Address) InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
