package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ChangePublisherTest {
  private final Peer client = Fixtures.client("10.0.0.3");
  private final Peer other = Fixtures.client("10.0.0.4");
  private final AttributeSet x = Fixtures.attrs("10.0.0.3").build();
  private final List<BestPathChange> heard = new ArrayList<>();
  private boolean listening;
  private final List<RouteSink> sinks =
      new CopyOnWriteArrayList<>(
          List.of(
              new RouteSink() {
                @Override
                public void onChange(BestPathChange change) {
                  heard.add(change);
                }

                @Override
                public boolean listening() {
                  return listening;
                }
              }));
  private final UpdateGroup group =
      new UpdateGroup(
          ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET),
          ShardHarness.NO_RESYNC);
  private final ChangePublisher publisher =
      new ChangePublisher(Fixtures.config(), sinks, UpdateGroups.of(group));

  @Test
  void aSinkThatDoesNotListenIsNotToldAndTheGroupStillIs() {
    group.beginSync(other, 0);
    publisher.inserted(Prefix.parse("10.244.0.0/26"), client, x);
    assertThat(heard).isEmpty();
    listening = true;
    publisher.inserted(Prefix.parse("10.244.0.64/26"), client, x);
    assertThat(heard)
        .extracting(BestPathChange::prefix)
        .containsExactly(Prefix.parse("10.244.0.64/26"));
    assertThat(group.drain())
        .as("both prefixes reflected to the other client")
        .flatExtracting(u -> u.update().nlri())
        .hasSize(2);
  }

  @Test
  void anExportedIpv4SetIsEncodedForTheGroupBeforeItIsDrained() {
    group.beginSync(other, 0);
    Route route = new Route(client, 0, x, 1);
    AttributeSet out =
        publisher.export(group.profile(), Prefix.parse("10.244.0.0/26"), route, null);
    assertThat(out).isNotNull();
    List<PathAttribute> kept = out.encoded();
    assertThat(kept).as("encoded on the shard that exported it").isNotNull();
    assertThat(dev.netctl.bgp.codec.UpdatePacker.encodedFor(kept, group.profile().codec()))
        .as("for the group's codec context")
        .isTrue();
    publisher.inserted(Prefix.parse("10.244.0.0/26"), client, x);
    List<OutboundUpdate> drained = group.drain();
    assertThat(drained).hasSize(1);
    assertThat(drained.getFirst().update().attributes())
        .as("the drain sends the kept encoding, not a new one")
        .isSameAs(kept);
  }

  @Test
  void consecutivePrefixesOfOneSourceAndAttributeSetShareOneRouteValue() {
    listening = true;
    publisher.inserted(Prefix.parse("10.244.0.0/26"), client, x);
    publisher.inserted(Prefix.parse("10.244.0.64/26"), client, x);
    publisher.removed(Prefix.parse("10.244.0.0/26"), client, x);
    assertThat(heard).hasSize(3);
    Route first = heard.get(0).best();
    assertThat(first).isEqualTo(new Route(client, 0, x, 1));
    assertThat(heard.get(1).best()).isSameAs(first);
    assertThat(heard.get(1).multipath()).containsExactly(first);
    assertThat(heard.get(2).best()).as("withdrawn").isNull();
    assertThat(heard.get(2).multipath()).isEmpty();
  }

  @Test
  void attributeSetsAlternatingPrefixByPrefixEachKeepOneRouteValue() {
    listening = true;
    AttributeSet y = Fixtures.attrs("10.0.0.4").build();
    for (int i = 0; i < 4; i++) {
      publisher.inserted(
          Prefix.ipv4(0x0af40000 + (i << 8), 24), i % 2 == 0 ? client : other, i % 2 == 0 ? x : y);
    }
    assertThat(heard.get(0).best()).isEqualTo(new Route(client, 0, x, 1));
    assertThat(heard.get(1).best()).isEqualTo(new Route(other, 0, y, 1));
    assertThat(heard.get(2).best()).isSameAs(heard.get(0).best());
    assertThat(heard.get(3).best()).isSameAs(heard.get(1).best());
    // The same set from another source is another route, not the kept one.
    publisher.inserted(Prefix.parse("10.245.0.0/24"), other, x);
    assertThat(heard.get(4).best()).isEqualTo(new Route(other, 0, x, 1));
  }

  @Test
  void theExportAnswerKeptOnASetIsNeverGivenToAnotherSourceOrGroup() {
    // Non-client members: a client's routes are reflected to them, a non-client's are not.
    UpdateGroup nonClients =
        new UpdateGroup(
            ShardHarness.profile(PeerKind.IBGP, false, CodecContext.FOUR_OCTET),
            ShardHarness.NO_RESYNC);
    ChangePublisher both =
        new ChangePublisher(Fixtures.config(), sinks, UpdateGroups.of(group, nonClients));
    Peer member = Fixtures.ibgp("10.0.0.9");
    nonClients.beginSync(member, 0);
    group.beginSync(Fixtures.client("10.0.0.8"), 0);
    Peer nonClient = Fixtures.ibgp("10.0.0.5");
    Prefix fromClient = Prefix.parse("10.244.0.0/24");
    Prefix fromOther = Prefix.parse("10.244.1.0/24");
    Prefix fromNonClient = Prefix.parse("10.244.2.0/24");
    both.inserted(fromClient, client, x);
    both.inserted(fromOther, other, x);
    both.inserted(fromNonClient, nonClient, x);

    Map<Prefix, Peer> sources =
        Map.of(fromClient, client, fromOther, other, fromNonClient, nonClient);
    List<OutboundUpdate> toNonClients = nonClients.drain();
    assertThat(toNonClients)
        .as("a non-client's route is not reflected to non-clients, though its set was exported")
        .flatExtracting(u -> u.update().nlri())
        .extracting(n -> n.prefix())
        .containsExactlyInAnyOrder(fromClient, fromOther);
    List<OutboundUpdate> toClients = group.drain();
    assertThat(toClients)
        .as("clients hear all three")
        .flatExtracting(u -> u.update().nlri())
        .hasSize(3);
    for (OutboundUpdate u : concat(toNonClients, toClients)) {
      for (var n : u.update().nlri()) {
        assertThat(u.update().attribute(PathAttribute.OriginatorId.class))
            .as("ORIGINATOR_ID of %s is its own source's router id", n.prefix())
            .hasValueSatisfying(
                o -> assertThat(o.id()).isEqualTo(sources.get(n.prefix()).routerId()));
      }
    }
  }

  @Test
  void afterAnExportPolicyChangeTheSetKeepsTheAnswerOfTheGroupItsMembersMovedTo() {
    // The new policy makes a new profile and group; the old group stays, without members.
    OutboundProfile old = group.profile();
    UpdateGroup renewed =
        new UpdateGroup(
            new OutboundProfile(
                old.kind(),
                old.routeReflectorClient(),
                old.codec(),
                old.families(),
                new RoutePolicy.Named("renewed", true),
                old.ipv4NextHopSelf(),
                old.ipv6NextHopSelf(),
                old.ipv6LinkLocalNextHopSelf()),
            ShardHarness.NO_RESYNC);
    ChangePublisher both =
        new ChangePublisher(Fixtures.config(), sinks, UpdateGroups.of(group, renewed));
    Peer member = Fixtures.ibgp("10.0.0.9");
    // Sets only this test uses: interned sets are shared by the whole JVM.
    AttributeSet x = Fixtures.attrs("10.0.0.3").med(4242).build();
    AttributeSet y = Fixtures.attrs("10.0.0.4").med(4242).build();
    group.beginSync(member, 0);
    both.inserted(Prefix.parse("10.244.0.0/24"), client, x);
    assertThat(x.exportAnswer().profile()).isSameAs(old);

    group.removeMember(member);
    renewed.beginSync(member, 0);
    both.inserted(Prefix.parse("10.244.1.0/24"), client, y);
    both.inserted(Prefix.parse("10.244.2.0/24"), client, x);

    assertThat(x.exportAnswer().profile())
        .as("the answer kept is the live group's, not the deserted one's")
        .isSameAs(renewed.profile());
    both.inserted(Prefix.parse("10.244.3.0/24"), client, x);
    assertThat(x.exportAnswer().profile()).as("and stays so").isSameAs(renewed.profile());
  }

  private static List<OutboundUpdate> concat(List<OutboundUpdate> a, List<OutboundUpdate> b) {
    List<OutboundUpdate> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  @Test
  void changesOfADeferringTaskSignalTheGroupOnceWhenTheTaskEnds() {
    group.beginSync(other, 0);
    java.util.concurrent.atomic.AtomicInteger signals =
        new java.util.concurrent.atomic.AtomicInteger();
    group.onPending(signals::incrementAndGet);
    group.drain();
    signals.set(0); // whatever registration itself signalled
    publisher.deferSignals();
    try {
      for (int i = 0; i < 100; i++) {
        publisher.inserted(Prefix.ipv4(0x0a000000 | i << 8, 24), client, x);
      }
      assertThat(signals).as("no signal while the task runs").hasValue(0);
    } finally {
      publisher.releaseSignals();
    }
    assertThat(signals).as("one signal at its end").hasValue(1);
    assertThat(group.drain()).flatExtracting(u -> u.update().nlri()).hasSize(100);
    publisher.inserted(Prefix.ipv4(0x0a006400, 24), client, x);
    assertThat(signals).as("outside a task, a change signals at once").hasValue(2);
  }

  @Test
  void listenersThatThrowAtTheEndOfADeferringTaskDoNotKeepTheOtherGroupsFromTheirSignal() {
    java.util.concurrent.atomic.AtomicInteger signals =
        new java.util.concurrent.atomic.AtomicInteger();
    List<UpdateGroup> groups = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      UpdateGroup g =
          new UpdateGroup(
              ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET),
              ShardHarness.NO_RESYNC);
      g.beginSync(other, 0);
      // Both throw, whichever the release reaches first.
      g.onPending(
          () -> {
            if (signals.incrementAndGet() > 2) throw new IllegalStateException("listener broke");
          });
      g.drain();
      groups.add(g);
    }
    signals.set(0); // whatever registration itself signalled
    ChangePublisher two =
        new ChangePublisher(
            Fixtures.config(), sinks, UpdateGroups.of(groups.toArray(UpdateGroup[]::new)));
    two.deferSignals();
    RuntimeException thrown = null;
    try {
      two.inserted(Prefix.parse("10.0.1.0/24"), client, x);
      two.inserted(Prefix.parse("10.0.2.0/24"), client, x);
      signals.set(2); // the listeners throw from their next call on
    } finally {
      try {
        two.releaseSignals();
      } catch (RuntimeException e) {
        thrown = e;
      }
    }
    assertThat(thrown).as("the failure is not swallowed").hasMessage("listener broke");
    assertThat(signals).as("both groups were signalled, each once").hasValue(4);
    for (UpdateGroup g : groups) {
      assertThat(g.drain()).flatExtracting(u -> u.update().nlri()).hasSize(2);
    }
  }

  @Test
  void eachGroupGetsTheFamiliesItsProfileCarriesWhilePrefixesAlternateFamilies() {
    UpdateGroup v4only =
        new UpdateGroup(
            new OutboundProfile(
                PeerKind.IBGP,
                true,
                CodecContext.FOUR_OCTET,
                java.util.Set.of(dev.netctl.bgp.codec.AddressFamily.IPV4_UNICAST),
                RoutePolicy.ACCEPT_ALL,
                Fixtures.ip("10.255.0.1"),
                Fixtures.ip("2001:db8:ffff::1"),
                null),
            ShardHarness.NO_RESYNC);
    v4only.beginSync(other, 0);
    group.beginSync(other, 0);
    ChangePublisher both =
        new ChangePublisher(Fixtures.config(), sinks, UpdateGroups.of(v4only, group));
    AttributeSet v6 = Fixtures.attrs("2001:db8::3").build();
    for (int i = 0; i < 3; i++) {
      both.inserted(Prefix.ipv4(0x0a000000 | i << 8, 24), client, x);
      both.inserted(Prefix.ipv6(0x20010db800000000L | i, 0, 64), client, v6);
    }
    assertThat(v4only.drain())
        .as("the IPv4-only group: its three IPv4 prefixes")
        .flatExtracting(u -> u.update().nlri())
        .hasSize(3);
    assertThat(group.drain())
        .as("the dual-stack group: all six")
        .flatExtracting(
            u -> {
              List<Object> all = new ArrayList<>(u.update().nlri());
              u.update()
                  .attributes()
                  .forEach(
                      a -> {
                        if (a instanceof PathAttribute.MpReach r) all.addAll(r.nlri());
                      });
              return all;
            })
        .hasSize(6);
  }
}
