package dev.netctl.bgp.speaker;

import static dev.netctl.bgp.speaker.BgpSpeakerSlowMemberTest.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpDecoder;
import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.DecodeResult;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.policy.Match;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.PrefixList;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import dev.netctl.bgp.rib.OutboundProfile;
import dev.netctl.bgp.rib.Peer;
import dev.netctl.bgp.rib.PeerKind;
import dev.netctl.bgp.rib.Rib;
import dev.netctl.bgp.rib.RibConfig;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.rib.UpdateGroup;
import dev.netctl.bgp.session.GroupOutput;
import dev.netctl.bgp.session.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GroupWriter} over Netty channels with small write marks: a member's writability change
 * fires inside the flush that emptied its channel (as Netty does), and its listener asks the writer
 * for a drain right there, as the speaker's session listener does. Such a drain used to run in the
 * middle of writing a batch and write it again: a split-off member got its catch-up chunk twice,
 * and one that stopped reading once it had the table kept the second copy queued and was never put
 * back (how {@code BgpSpeakerSlowMemberTest} failed under load).
 */
class GroupWriterTest {
  static final long AS = 65020;
  static final int PREFIXES = 1000;

  /**
   * A member's channel: what the writer writes, with a write mark far below one batch. While its
   * reader stops ({@code reading} false), flushes leave the bytes queued.
   */
  record Member(EmbeddedChannel channel, Set<String> notices, AtomicBoolean reading)
      implements GroupOutput {
    Member() {
      this(new EmbeddedChannel(), new HashSet<>(), new AtomicBoolean(true));
      channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1024, 2048));
    }

    @Override
    public boolean writeEncoded(ByteBuf encoded) {
      channel.write(encoded);
      return true;
    }

    @Override
    public void flush() {
      if (reading.get()) {
        channel.flush();
      }
    }

    @Override
    public boolean writable() {
      return channel.isWritable();
    }

    @Override
    public long pendingBytes() {
      return channel.unsafe().outboundBuffer().totalPendingWriteBytes();
    }

    @Override
    public void notice(String text) {
      notices.add(text);
    }

    @Override
    public void clearNotice(String text) {
      notices.remove(text);
    }

    /**
     * Has a writability change to writable ask for a drain right there, inside the flush that
     * emptied the channel, as the speaker's session listener does (SessionEvents.writable); a
     * failure closes the channel, as Connection does.
     */
    void onWritable(Runnable drain) {
      channel
          .pipeline()
          .addLast(
              new ChannelInboundHandlerAdapter() {
                @Override
                public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                  if (ctx.channel().isWritable()) {
                    drain.run();
                  }
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                  ctx.close();
                }
              });
    }

    /** The prefixes it holds after everything it was sent since the last call, applied in order. */
    void applyTo(Set<Prefix> held) {
      for (BgpMessage message : received()) {
        if (message instanceof BgpMessage.Update u) {
          u.withdrawn().forEach(n -> held.remove(n.prefix()));
          u.nlri().forEach(n -> held.add(n.prefix()));
        }
      }
    }

    /** Every message written so far, decoded. */
    List<BgpMessage> received() {
      ByteBuf all = Unpooled.buffer();
      for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
        all.writeBytes(b);
        b.release();
      }
      List<BgpMessage> out = new ArrayList<>();
      while (all.readableBytes() > 0) {
        int length = all.getUnsignedShort(all.readerIndex() + 16);
        DecodeResult r = BgpDecoder.decode(all.readSlice(length), CodecContext.FOUR_OCTET);
        out.add(((DecodeResult.Decoded) r).message());
      }
      return out;
    }
  }

  // The speaker's kind of loop: a task that fails is logged, and the loop goes on.
  private final EventLoopGroup loops = Transport.nio().newGroup(1);
  private final EventLoop loop = loops.next();
  private final Rib rib =
      new Rib(new RibConfig(AS, ip("10.255.0.1"), null, false, 1, 1), Ipv6NextHop.RESOLVER);

  @AfterEach
  void close() {
    rib.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  // Reflector clients, IPv4, next-hop self.
  static final OutboundProfile CLIENTS =
      new OutboundProfile(
          PeerKind.IBGP,
          true,
          CodecContext.FOUR_OCTET,
          Set.of(AddressFamily.IPV4_UNICAST),
          RoutePolicy.ACCEPT_ALL,
          ip("10.255.0.1"),
          null,
          null);

  /** An UPDATE announcing {@code count} /24s from 16.0.0.0 with one attribute set. */
  static BgpMessage.Update table(int count) {
    List<Nlri> nlri = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      nlri.add(Nlri.of(Prefix.ipv4((16 << 24) + (i << 8), 24)));
    }
    return new BgpMessage.Update(
        List.of(),
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            PathAttribute.AsPath.EMPTY,
            new PathAttribute.NextHop(ip("100.64.0.1")),
            new PathAttribute.LocalPref(100)),
        nlri);
  }

  static Peer client(String address) {
    return new Peer(ip(address), ip(address), AS, PeerKind.IBGP, true);
  }

  private final Peer injector = client("10.0.0.1");
  private final Peer a = client("10.0.0.2");
  private final Peer b = client("10.0.0.3");

  /** The RIB knowing the injector and members a and b; their (empty) group. */
  private UpdateGroup clientsGroup() throws Exception {
    for (Peer p : List.of(injector, a, b)) {
      rib.addPeer(p, RoutePolicy.ACCEPT_ALL).get(5, TimeUnit.SECONDS);
    }
    return rib.group(CLIENTS);
  }

  @Test
  void aWritabilityChangeFiredInsideAFlushDoesNotReenterTheWriterAndIsNotLost() throws Exception {
    UpdateGroup group = clientsGroup();
    rib.join(group, a).get(5, TimeUnit.SECONDS);
    rib.join(group, b).get(5, TimeUnit.SECONDS);
    rib.apply(injector, table(PREFIXES)).get(5, TimeUnit.SECONDS);
    // Both initial tables and the change are waiting: the first drain writes them as one batch,
    // several times the write mark, so each member's flush makes it writable again.
    assertThat(group.hasPending()).isTrue();

    Map<Peer, Member> members = Map.of(a, new Member(), b, new Member());
    GroupWriter[] writer = new GroupWriter[1];
    for (Member m : members.values()) {
      m.onWritable(() -> writer[0].drain());
    }
    // b has stopped reading: split off, its channel full of what it was sent before.
    group.detach(b);
    Member behind = members.get(b);
    for (int i = 0; i < 150; i++) {
      behind
          .channel()
          .write(
              Unpooled.wrappedBuffer(
                  BgpEncoder.encode(BgpMessage.Keepalive.INSTANCE, CodecContext.FOUR_OCTET)));
    }
    assertThat(behind.writable()).isFalse();
    loop.submit(() -> writer[0] = new GroupWriter(group, loop, members)).get(5, TimeUnit.SECONDS);
    // The first drain, the one it schedules, and what those schedule: a few tasks in all.
    for (int i = 0; i < 10; i++) {
      loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
    }
    assertThat(group.detached()).containsExactly(b);

    // b reads again: its writability change alone starts its catch-up, whose chunk (several times
    // the write mark) makes it writable again inside the flush, and so on until it is back.
    loop.submit(() -> behind.channel().flush()).get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> group.detached().isEmpty());
    for (int i = 0; i < 10; i++) {
      loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
    }

    for (Map.Entry<Peer, Member> e : members.entrySet()) {
      Member m = e.getValue();
      m.channel().checkException();
      Map<Prefix, Integer> announced = new HashMap<>();
      int endOfRib = 0;
      for (BgpMessage message : m.received()) {
        if (!(message instanceof BgpMessage.Update u)) {
          continue; // b's keepalives
        }
        if (u.endOfRibFamily().isPresent()) {
          endOfRib++;
        }
        u.nlri().forEach(n -> announced.merge(n.prefix(), 1, Integer::sum));
      }
      assertThat(endOfRib).as("End-of-RIB to %s", e.getKey()).isEqualTo(1);
      assertThat(announced).as("prefixes to %s", e.getKey()).hasSize(PREFIXES);
      assertThat(Set.copyOf(announced.values())).as("each once, to %s", e.getKey()).containsOnly(1);
      assertThat(m.channel().isOpen()).as("the session of %s", e.getKey()).isTrue();
    }
    assertThat(group.detached()).isEmpty();
  }

  /** Every message {@code m} was written since the last call: its End-of-RIBs and prefixes. */
  private static Map<Prefix, Integer> announcedTo(Member m, int[] endOfRib) {
    Map<Prefix, Integer> announced = new HashMap<>();
    for (BgpMessage message : m.received()) {
      if (message instanceof BgpMessage.Update u) {
        endOfRib[0] += u.endOfRibFamily().isPresent() ? 1 : 0;
        u.nlri().forEach(n -> announced.merge(n.prefix(), 1, Integer::sum));
      }
    }
    return announced;
  }

  private void settle(UpdateGroup group) throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> !group.hasPending());
    for (int i = 0; i < 10; i++) {
      loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRetiredGroupsWriterStopsAndTheRevivedGroupIsWrittenByTheNextWriterAlone() throws Exception {
    UpdateGroup group = clientsGroup();
    Map<Peer, Member> members = Map.of(a, new Member(), b, new Member());
    List<GroupWriter> stopped = new CopyOnWriteArrayList<>();
    GroupWriter first =
        loop.submit(() -> new GroupWriter(group, loop, members, stopped::add))
            .get(5, TimeUnit.SECONDS);
    rib.join(group, a).get(5, TimeUnit.SECONDS);
    rib.apply(injector, table(50)).get(5, TimeUnit.SECONDS);
    settle(group);
    int[] endOfRib = {0};
    assertThat(announcedTo(members.get(a), endOfRib)).hasSize(50);

    // Its last member leaves: the group is retired, and its writer stops.
    rib.peerDown(a).get(5, TimeUnit.SECONDS);
    assertThat(group.retired()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> stopped.contains(first));
    assertThat(loop.submit(first::closed).get(5, TimeUnit.SECONDS)).isTrue();

    // A peer joins through the kept group, which revives it. The stopped writer, asked for a drain
    // (a late writability change), takes nothing: two writers would split the group's output.
    rib.join(group, b).get(5, TimeUnit.SECONDS);
    assertThat(group.retired()).isFalse();
    boolean stillPending =
        loop.submit(
                () -> {
                  first.drain();
                  return group.hasPending();
                })
            .get(5, TimeUnit.SECONDS);
    assertThat(stillPending).as("the stopped writer drained nothing").isTrue();
    loop.submit(() -> new GroupWriter(group, loop, members, stopped::add)).get(5, TimeUnit.SECONDS);
    settle(group);

    endOfRib[0] = 0;
    Map<Prefix, Integer> toB = announcedTo(members.get(b), endOfRib);
    assertThat(endOfRib[0]).as("End-of-RIB to the new member").isEqualTo(1);
    assertThat(toB).as("the table, each prefix once").hasSize(50);
    assertThat(Set.copyOf(toB.values())).containsOnly(1);
    assertThat(announcedTo(members.get(a), endOfRib))
        .as("nothing more to the one that left")
        .isEmpty();
    assertThat(stopped).containsExactly(first);
  }

  private static Prefix slash24(int firstOctet, int i) {
    return Prefix.ipv4((firstOctet << 24) + (i << 8), 24);
  }

  @Test
  void aMemberMovedOutWhileItsGroupWaitsInABatchEndsWithExactlyWhatItsNewGroupExports()
      throws Exception {
    for (Peer p : List.of(injector, a, b)) {
      rib.addPeer(p, RoutePolicy.ACCEPT_ALL).get(5, TimeUnit.SECONDS);
    }
    // The new export policy leaves out 18.0.0.0/8.
    RoutePolicy allBut18 =
        new Policy(
            "all-but-18",
            List.of(
                new Statement(
                    List.of(new Match.PrefixIn(PrefixList.of("l", "18.0.0.0/8 le 32"))),
                    List.of(),
                    Verdict.REJECT)),
            Verdict.ACCEPT);
    UpdateGroup from = rib.group(CLIENTS);
    UpdateGroup to =
        rib.group(
            new OutboundProfile(
                PeerKind.IBGP,
                true,
                CodecContext.FOUR_OCTET,
                Set.of(AddressFamily.IPV4_UNICAST),
                allBut18,
                ip("10.255.0.1"),
                null,
                null));
    Map<Peer, Member> members = Map.of(a, new Member(), b, new Member());
    GroupWriter[] writers = new GroupWriter[2];
    // The writer of each member's group now, which its writability change drains (as the speaker
    // drains the group of the peer's session).
    Map<Peer, Integer> groupOf = new java.util.concurrent.ConcurrentHashMap<>(Map.of(a, 0, b, 0));
    for (Map.Entry<Peer, Member> e : members.entrySet()) {
      e.getValue().onWritable(() -> writers[groupOf.get(e.getKey())].drain());
    }
    loop.submit(
            () -> {
              writers[0] = new GroupWriter(from, loop, members);
              writers[1] = new GroupWriter(to, loop, members);
            })
        .get(5, TimeUnit.SECONDS);
    rib.join(from, a).get(5, TimeUnit.SECONDS);
    rib.join(from, b).get(5, TimeUnit.SECONDS);
    // 16/8: 100 prefixes withdrawn later. 17/8: 5000 prefixes of distinct MEDs, an UPDATE each, so
    // that a dump of the table is more than one portion.
    List<BgpMessage.Update> load = new ArrayList<>(List.of(table(100)));
    load.addAll(distinctMeds(5000));
    rib.apply(injector, load).get(10, TimeUnit.SECONDS);
    settle(from);
    Set<Prefix> held = new HashSet<>();
    members.get(a).applyTo(held);
    assertThat(held).as("a's table before").hasSize(5100);

    // b stopped reading long ago (split off, its channel full); a stops now, its channel empty.
    loop.submit(
            () -> {
              Member behind = members.get(b);
              behind.reading().set(false);
              for (int i = 0; i < 150; i++) {
                behind.writeEncoded(
                    Unpooled.wrappedBuffer(
                        BgpEncoder.encode(BgpMessage.Keepalive.INSTANCE, CodecContext.FOUR_OCTET)));
              }
              from.detach(b);
              members.get(a).reading().set(false);
            })
        .get(5, TimeUnit.SECONDS);
    // One batch for the group: a's table again (a route refresh), then the withdrawal of 16/8 and
    // 100 new prefixes of 18/8. Its first portion fills a's channel: the batch waits for a, the
    // only member on the shared path, with the changes still to be written.
    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    loop.execute(
        () -> {
          try {
            gate.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    try {
      rib.refresh(from, a, AddressFamily.IPV4_UNICAST, false).get(5, TimeUnit.SECONDS);
      List<Nlri> gone = new ArrayList<>();
      List<Nlri> added = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        gone.add(Nlri.of(slash24(16, i)));
        added.add(Nlri.of(slash24(18, i)));
      }
      rib.apply(injector, new BgpMessage.Update(gone, table(0).attributes(), added))
          .get(5, TimeUnit.SECONDS);
    } finally {
      gate.countDown();
    }
    for (int i = 0; i < 10; i++) {
      loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
    }
    assertThat(loop.submit(() -> members.get(a).writable()).get(5, TimeUnit.SECONDS))
        .as("a's channel full, the batch waiting for it")
        .isFalse();

    // a's export policy changes: it moves to the other group, as the speaker moves it.
    loop.submit(
            () -> {
              groupOf.put(a, 1);
              writers[0].drain();
              writers[0].moving(a);
              return rib.move(from, to, a);
            })
        .get(5, TimeUnit.SECONDS)
        .get(5, TimeUnit.SECONDS);
    // The move queued the new group's catch-up of what a missed on the shards: a query behind it
    // on every shard returns once it is published, so settle(to) below waits for it.
    rib.prefixCount().get(5, TimeUnit.SECONDS);
    // a reads again: its new group writes; later the old group goes on with its batch (a change,
    // b's channel, anything may resume it).
    loop.submit(
            () -> {
              members.get(a).reading().set(true);
              members.get(a).flush();
            })
        .get(5, TimeUnit.SECONDS);
    settle(to);
    loop.submit(() -> writers[0].drain()).get(5, TimeUnit.SECONDS);
    settle(from);
    settle(to);

    members.get(a).applyTo(held);
    Set<Prefix> expected = new HashSet<>();
    for (int i = 0; i < 5000; i++) {
      expected.add(slash24(17, i));
    }
    assertThat(
            held.stream()
                .filter(p -> !expected.contains(p))
                .map(Prefix::toString)
                .sorted()
                .limit(5)
                .toList())
        .as(
            "a holds nothing its new group does not export: no 16/8 (withdrawn), no 18/8 (rejected)")
        .isEmpty();
    assertThat(held).as("a holds every 17/8 route").hasSameSizeAs(expected);
    assertThat(members.get(a).channel().isOpen()).isTrue();
  }

  /**
   * The narrow half of the test above: once told a member is moving, the writer writes it nothing
   * more of the batch in progress, neither the runs addressed to all nor those addressed to it
   * alone. Driven by hand: no member registers a writability listener, and with every member on the
   * shared path full the writer just waits (no split-off timer runs), so nothing happens between
   * the steps but what the test does.
   */
  @Test
  void aMovingMemberIsWrittenNothingMoreOfTheOldGroupsBatch() throws Exception {
    UpdateGroup from = clientsGroup();
    UpdateGroup to =
        rib.group(
            new OutboundProfile(
                PeerKind.IBGP,
                true,
                CodecContext.FOUR_OCTET,
                Set.of(AddressFamily.IPV4_UNICAST),
                new Policy("also-all", List.of(), Verdict.ACCEPT),
                ip("10.255.0.1"),
                null,
                null));
    Map<Peer, Member> members = Map.of(a, new Member(), b, new Member());
    // No writer for `to`: whatever reaches a's channel from here on comes from the old group's.
    GroupWriter writer =
        loop.submit(() -> new GroupWriter(from, loop, members)).get(5, TimeUnit.SECONDS);
    rib.join(from, a).get(5, TimeUnit.SECONDS);
    rib.join(from, b).get(5, TimeUnit.SECONDS);
    // 10,000 prefixes of distinct MEDs, an UPDATE each: a dump of the table is a few portions.
    int routes = 10_000;
    List<BgpMessage.Update> load = distinctMeds(routes);
    rib.apply(injector, load).get(10, TimeUnit.SECONDS);
    settle(from);
    members.get(a).received();
    members.get(b).received();

    // b stopped reading long ago (split off, its channel full); a stops now, its channel empty.
    loop.submit(
            () -> {
              Member behind = members.get(b);
              behind.reading().set(false);
              for (int i = 0; i < 150; i++) {
                behind.writeEncoded(
                    Unpooled.wrappedBuffer(
                        BgpEncoder.encode(BgpMessage.Keepalive.INSTANCE, CodecContext.FOUR_OCTET)));
              }
              from.detach(b);
              members.get(a).reading().set(false);
            })
        .get(5, TimeUnit.SECONDS);
    // a asks for the table again (a route refresh): a batch addressed to it alone, several
    // portions.
    // The first fills a's channel, and the writer waits in the batch with the rest still to write.
    rib.refresh(from, a, AddressFamily.IPV4_UNICAST, false).get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> !from.hasPending());
    for (int i = 0; i < 10; i++) {
      loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
    }
    assertThat(loop.submit(() -> members.get(a).writable()).get(5, TimeUnit.SECONDS))
        .as("a's channel full, the batch waiting for it")
        .isFalse();

    // a moves to the other group, as the speaker moves it; then the old group's writer goes on.
    long[] queued = new long[1];
    loop.submit(
            () -> {
              queued[0] = members.get(a).pendingBytes();
              writer.moving(a);
              return rib.move(from, to, a);
            })
        .get(5, TimeUnit.SECONDS)
        .get(5, TimeUnit.SECONDS);
    loop.submit(writer::drain).get(5, TimeUnit.SECONDS);
    // A later change drained proves the writer is done with the batch: it takes a new one only
    // then.
    rib.apply(
            injector, new BgpMessage.Update(List.of(Nlri.of(slash24(17, 0))), List.of(), List.of()))
        .get(5, TimeUnit.SECONDS);
    settle(from);

    assertThat(loop.submit(() -> members.get(a).pendingBytes()).get(5, TimeUnit.SECONDS))
        .as("nothing more written to a once it was moving")
        .isEqualTo(queued[0]);
    loop.submit(
            () -> {
              members.get(a).reading().set(true);
              members.get(a).flush();
            })
        .get(5, TimeUnit.SECONDS);
    long sent = 0;
    for (BgpMessage m : members.get(a).received()) {
      if (m instanceof BgpMessage.Update u) {
        sent += u.nlri().size();
      }
    }
    assertThat(sent)
        .as("a had part of the refreshed table when it moved: the batch had more for it")
        .isPositive()
        .isLessThan(routes);
  }

  /** {@code n} UPDATEs of one 17.x.y.0/24 each, MED i for the i-th: no two share attributes. */
  private static List<BgpMessage.Update> distinctMeds(int n) {
    List<BgpMessage.Update> load = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      load.add(
          new BgpMessage.Update(
              List.of(),
              List.of(
                  new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                  PathAttribute.AsPath.EMPTY,
                  new PathAttribute.NextHop(ip("100.64.0.1")),
                  new PathAttribute.MultiExitDisc(i),
                  new PathAttribute.LocalPref(100)),
              List.of(Nlri.of(slash24(17, i)))));
    }
    return load;
  }
}
