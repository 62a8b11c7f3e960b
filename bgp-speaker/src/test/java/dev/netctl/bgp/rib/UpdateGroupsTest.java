package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.client;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link UpdateGroups} through the {@link Rib}: a group left without members is retired (no more
 * offers, nothing pending, gone from the RIB's list), and a member joining later, through a kept
 * reference to the retired group or a new one, receives exactly the Loc-RIB's current state, even
 * when the group still held a change when it emptied and the prefix changed while it was retired.
 * Each member's view is built from what the drains address to it, as a receiver would.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpdateGroupsTest {
  private static final OutboundProfile CLIENTS = Fixtures.ibgpProfile(true, RoutePolicy.ACCEPT_ALL);
  private final Peer source = Fixtures.ibgp("10.0.0.1");
  // Per member, prefix → LOCAL_PREF it was last sent (the tests use LOCAL_PREF as a version).
  private final Map<Peer, Map<Prefix, Long>> views = new HashMap<>();
  private Rib rib;

  @AfterEach
  void close() {
    rib.close();
  }

  private void start(int shards) {
    rib = Fixtures.rib(shards);
    rib.addPeer(source, null).join();
  }

  private static Update announce(long version, String... prefixes) {
    List<PathAttribute> attrs =
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            PathAttribute.AsPath.sequence(),
            new PathAttribute.NextHop(Fixtures.v4("10.0.0.1")),
            new PathAttribute.LocalPref(version));
    return new Update(List.of(), attrs, List.of(prefixes).stream().map(Nlri::of).toList());
  }

  private static Update withdraw(String... prefixes) {
    return new Update(List.of(prefixes).stream().map(Nlri::of).toList(), List.of(), List.of());
  }

  /** A member joins: what it held from an earlier session is gone with that session. */
  private void join(UpdateGroup g, Peer member) {
    views.put(member, new HashMap<>());
    rib.join(g, member);
  }

  /** Drains a group and applies each UPDATE to the views of the members it is addressed to. */
  private void drain(UpdateGroup g) {
    Fixtures.drain(
        g,
        (m, update) -> {
          Map<Prefix, Long> view = views.computeIfAbsent(m, k -> new HashMap<>());
          update.allWithdrawn().forEach(n -> view.remove(n.prefix()));
          long version =
              update
                  .attribute(PathAttribute.LocalPref.class)
                  .map(PathAttribute.LocalPref::value)
                  .orElse(-1L);
          update.nlri().forEach(n -> view.put(n.prefix(), version));
        });
  }

  private Map<String, Long> view(Peer member) {
    Map<String, Long> out = new TreeMap<>();
    views.getOrDefault(member, Map.of()).forEach((p, v) -> out.put(p.toString(), v));
    return out;
  }

  @Test
  void aGroupLeftWithoutMembersIsRetiredAndOfferedNoMoreChanges() {
    start(2);
    UpdateGroup g = rib.group(CLIENTS);
    Peer member = client("10.0.0.11");
    join(g, member);
    rib.apply(source, announce(100, "10.1.0.0/24", "10.2.0.0/24")).join();
    rib.prefixCount().join(); // every shard published its part of the member's table
    drain(g);
    rib.apply(source, announce(200, "10.1.0.0/24")).join();
    assertThat(g.hasPending()).as("a change waits for the member").isTrue();

    rib.peerDown(member).join();

    assertThat(g.retired()).isTrue();
    assertThat(rib.groups()).as("the RIB's groups").doesNotContain(g);
    assertThat(g.hasPending()).as("what it held went with its last member").isFalse();
    rib.apply(source, announce(300, "10.1.0.0/24", "10.3.0.0/24")).join();
    rib.apply(source, withdraw("10.2.0.0/24")).join();
    assertThat(g.hasPending()).as("the shards no longer offer it changes").isFalse();
    assertThat(g.drain()).isEmpty();
    UpdateGroup fresh = rib.group(CLIENTS);
    assertThat(fresh).as("the profile's next group is a new one").isNotSameAs(g);
    assertThat(rib.groups()).containsExactly(fresh);
  }

  /**
   * A group held by a peer that had not joined yet is retired, its profile gets a new group for
   * another peer, and then the first peer joins the old one: both are listed. When the newer one
   * empties, the profile's next peer must join the survivor, not a third group.
   */
  @Test
  void whenTheNewerOfTwoGroupsOfAProfileEmptiesTheProfileKeepsTheOther() {
    start(1);
    UpdateGroup kept = rib.group(CLIENTS);
    Peer early = client("10.0.0.11");
    join(kept, early);
    rib.peerDown(early).join();
    assertThat(kept.retired()).isTrue();
    UpdateGroup newer = rib.group(CLIENTS);
    Peer b = client("10.0.0.12");
    join(newer, b);
    Peer a = client("10.0.0.13");
    join(kept, a); // revived beside the newer group
    assertThat(rib.groups()).containsExactlyInAnyOrder(kept, newer);

    rib.peerDown(b).join();

    assertThat(newer.retired()).isTrue();
    assertThat(rib.groups()).containsExactly(kept);
    assertThat(rib.group(CLIENTS)).as("the profile's group for the next peer").isSameAs(kept);
  }

  /**
   * The race the retirement must not lose: the last member leaves while a change is pending, the
   * prefixes change while the group is retired, and a member joins before anything drains.
   */
  @ParameterizedTest(name = "{0} shard(s), joining through the kept group: {1}")
  @CsvSource({"1, true", "2, true", "1, false", "2, false"})
  void aMemberJoiningAfterTheGroupEmptiedWithChangesPendingGetsTheCurrentTable(
      int shards, boolean keptGroup) {
    start(shards);
    UpdateGroup g = rib.group(CLIENTS);
    Peer first = client("10.0.0.11");
    join(g, first);
    rib.apply(source, announce(100, "10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24")).join();
    rib.prefixCount().join();
    drain(g);
    assertThat(view(first))
        .containsExactlyEntriesOf(
            new TreeMap<>(Map.of("10.1.0.0/24", 100L, "10.2.0.0/24", 100L, "10.3.0.0/24", 100L)));
    // Pending when the member leaves: a replacement, a withdrawal, a new prefix.
    rib.apply(source, announce(200, "10.1.0.0/24", "10.4.0.0/24")).join();
    rib.apply(source, withdraw("10.2.0.0/24")).join();
    rib.peerDown(first).join();
    // While the group is empty every one of them changes again.
    rib.apply(source, announce(300, "10.1.0.0/24", "10.2.0.0/24")).join();
    rib.apply(source, withdraw("10.4.0.0/24")).join();

    UpdateGroup joined = keptGroup ? g : rib.group(CLIENTS);
    Peer second = client("10.0.0.12");
    join(joined, second);
    rib.prefixCount().join(); // every shard published its part of the table
    drain(joined);

    assertThat(view(second))
        .as("the Loc-RIB now: 10.1 and 10.2 at version 300, 10.3 at 100, 10.4 withdrawn")
        .containsExactlyEntriesOf(
            new TreeMap<>(Map.of("10.1.0.0/24", 300L, "10.2.0.0/24", 300L, "10.3.0.0/24", 100L)));
    assertThat(joined.retired()).isFalse();
    assertThat(rib.groups()).contains(joined);
    // And it follows later changes like any member.
    rib.apply(source, withdraw("10.3.0.0/24")).join();
    drain(joined);
    assertThat(view(second)).doesNotContainKey("10.3.0.0/24");
  }

  /**
   * Members of one profile come and go (through kept groups and new ones, with the RIB's work not
   * waited for in between) while the table changes and groups drain at random points; every member
   * left at the end holds exactly the Loc-RIB.
   */
  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"1", "2", "3", "4"})
  void joinAndLeaveChurnOnOneProfileKeepsEveryMembersTableExact(long seed) {
    start(2);
    Random random = new Random(seed);
    List<String> prefixes = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      prefixes.add("10." + (i + 1) + ".0.0/24");
    }
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      peers.add(client("10.0.0." + (11 + i)));
    }
    Map<String, Long> table = new TreeMap<>();
    // Every group handed out, in order, so each can be drained; and where each member is.
    Set<UpdateGroup> handed = new LinkedHashSet<>();
    Map<Peer, UpdateGroup> memberOf = new HashMap<>();
    UpdateGroup kept = rib.group(CLIENTS);
    handed.add(kept);
    int retirements = 0;
    for (int step = 1; step <= 400; step++) {
      int op = random.nextInt(10);
      String prefix = prefixes.get(random.nextInt(prefixes.size()));
      if (op < 4) {
        rib.apply(source, announce(step, prefix));
        table.put(prefix, (long) step);
      } else if (op < 6) {
        rib.apply(source, withdraw(prefix));
        table.remove(prefix);
      } else if (op < 8) {
        Peer p = peers.get(random.nextInt(peers.size()));
        if (memberOf.containsKey(p)) {
          rib.peerDown(p);
          UpdateGroup left = memberOf.remove(p);
          retirements += left.retired() ? 1 : 0;
        } else {
          // Through the group kept from the start (revived if retired) or the profile's current.
          UpdateGroup g = random.nextBoolean() ? kept : rib.group(CLIENTS);
          handed.add(g);
          join(g, p);
          memberOf.put(p, g);
        }
      } else {
        List<UpdateGroup> all = new ArrayList<>(handed);
        drain(all.get(random.nextInt(all.size())));
      }
    }
    rib.prefixCount().join(); // every shard ran everything queued
    for (int i = 0; i < 3; i++) {
      handed.forEach(this::drain);
    }

    assertThat(retirements).as("the churn emptied the group at times").isPositive();
    Map<String, Long> expected = new TreeMap<>(table);
    for (Map.Entry<Peer, UpdateGroup> m : memberOf.entrySet()) {
      assertThat(view(m.getKey()))
          .as("%s holds exactly the Loc-RIB", m.getKey().address())
          .containsExactlyEntriesOf(expected);
      assertThat(m.getValue().members()).contains(m.getKey());
    }
    for (UpdateGroup g : handed) {
      assertThat(g.retired())
          .as("a group is retired exactly when it has no members")
          .isEqualTo(g.members().isEmpty());
      assertThat(rib.groups().contains(g)).isEqualTo(!g.retired());
    }
  }
}
