package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.client;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.policy.Match;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.PrefixList;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Rib#move}: a member whose export policy changes moves to another update group without
 * losing or keeping a route, even for changes the shards made between the move being asked for and
 * their cutting over, which the old group had not yet drained.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RibMoveTest {
  private final Peer source = Fixtures.ibgp("10.0.0.1");
  private final Peer moving = client("10.0.0.11");
  private final Peer stays = client("10.0.0.12");
  private final Map<Peer, Map<Prefix, List<PathAttribute>>> views = new HashMap<>();
  // Every prefix announced to each member, in order.
  private final Map<Peer, List<String>> announced = new HashMap<>();
  private Rib rib;

  @AfterEach
  void close() {
    rib.close();
  }

  private static OutboundProfile profile(dev.netctl.bgp.rib.RoutePolicy export) {
    return Fixtures.ibgpProfile(true, export);
  }

  /** Exports everything but 10.9.0.0/16. */
  private static Policy allBut9() {
    return new Policy(
        "all-but-10.9",
        List.of(
            new Statement(
                List.of(new Match.PrefixIn(PrefixList.of("l", "10.9.0.0/16 le 32"))),
                List.of(),
                Verdict.REJECT)),
        Verdict.ACCEPT);
  }

  private static Update announce(String... prefixes) {
    List<PathAttribute> attrs =
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            PathAttribute.AsPath.sequence(),
            new PathAttribute.NextHop(Fixtures.v4("10.0.0.1")),
            new PathAttribute.LocalPref(100));
    return new Update(List.of(), attrs, Arrays.stream(prefixes).map(Nlri::of).toList());
  }

  private static Update withdraw(String... prefixes) {
    return new Update(Arrays.stream(prefixes).map(Nlri::of).toList(), List.of(), List.of());
  }

  /** Drains a group and applies each message to the views of the members it is addressed to. */
  private void drain(UpdateGroup g) {
    Fixtures.drain(
        g,
        (m, update) -> {
          Map<Prefix, List<PathAttribute>> view = views.computeIfAbsent(m, k -> new HashMap<>());
          update.allWithdrawn().forEach(n -> view.remove(n.prefix()));
          update.nlri().forEach(n -> view.put(n.prefix(), update.attributes()));
          List<String> log = announced.computeIfAbsent(m, k -> new ArrayList<>());
          update.nlri().forEach(n -> log.add(n.prefix().toString()));
        });
  }

  /** A RIB of {@code shards} shards that knows the source and the moving member. */
  private void start(int shards) {
    rib = Fixtures.rib(shards);
    rib.addPeer(source, null).join();
    rib.addPeer(moving, null).join();
  }

  private Set<String> held(Peer member) {
    List<String> out = new ArrayList<>();
    views.getOrDefault(member, Map.of()).keySet().forEach(p -> out.add(p.toString()));
    return Set.copyOf(out);
  }

  @ParameterizedTest(name = "{0} shard(s)")
  @ValueSource(ints = {1, 2})
  void changesTheOldGroupHadNotDrainedReachTheMovingMemberAtTheirCurrentState(int shards) {
    start(shards);
    UpdateGroup all = rib.group(profile(dev.netctl.bgp.rib.RoutePolicy.ACCEPT_ALL));
    UpdateGroup filtered = rib.group(profile(allBut9()));
    rib.addPeer(stays, null).join();
    rib.join(all, moving).join();
    rib.join(filtered, stays).join();
    rib.apply(source, announce("10.1.0.0/24", "10.2.0.0/24", "10.9.0.0/24")).join();
    drain(all);
    drain(filtered);
    assertThat(held(moving)).containsExactlyInAnyOrder("10.1.0.0/24", "10.2.0.0/24", "10.9.0.0/24");

    // Between the request and the shards' cut-over: one prefix goes, one comes. The new group
    // drains (to its other member) before the move; the old one only after.
    rib.apply(source, withdraw("10.1.0.0/24")).join();
    rib.apply(source, announce("10.3.0.0/24")).join();
    drain(filtered);
    rib.move(all, filtered, moving).join();
    rib.prefixCount().join(); // every shard ran what the move queued
    drain(all);
    drain(filtered);

    assertThat(held(moving))
        .as("10.1 withdrawn before the cut-over, 10.9 not exported by the new policy, 10.3 new")
        .containsExactlyInAnyOrder("10.2.0.0/24", "10.3.0.0/24");
    assertThat(views.get(moving)).isEqualTo(views.get(stays));
    assertThat(all.members()).doesNotContain(moving);
    assertThat(filtered.members()).contains(moving);

    // From now on it follows the new group like any member.
    rib.apply(source, withdraw("10.2.0.0/24")).join();
    drain(all);
    drain(filtered);
    assertThat(held(moving)).containsExactly("10.3.0.0/24");
  }

  @Test
  void aMemberMovingWithAWholeBacklogGetsTheTableOnceAndWhatWasWithdrawn() {
    start(2);
    UpdateGroup all = rib.group(profile(dev.netctl.bgp.rib.RoutePolicy.ACCEPT_ALL));
    UpdateGroup filtered = rib.group(profile(allBut9()));
    rib.join(all, moving).join();
    rib.apply(source, announce("10.1.0.0/24", "10.2.0.0/24", "10.4.0.0/24", "10.9.0.0/24")).join();
    drain(all);
    // Past a cap of one key, what the old group does not drain to it leaves only withdrawals.
    all.backlogCap(1);
    rib.apply(source, withdraw("10.1.0.0/24")).join();
    rib.apply(source, announce("10.3.0.0/24", "10.5.0.0/24")).join();
    drain(filtered); // the new group is up to date; the old one drains only after the move
    int before = announced.get(moving).size();

    rib.move(all, filtered, moving).join();
    rib.prefixCount().join(); // every shard ran what the move queued
    drain(all);
    drain(filtered);

    assertThat(held(moving))
        .containsExactlyInAnyOrder("10.2.0.0/24", "10.3.0.0/24", "10.4.0.0/24", "10.5.0.0/24");
    List<String> sinceMove = announced.get(moving).subList(before, announced.get(moving).size());
    assertThat(sinceMove)
        .as("the move's dump, no walk of the whole table after it")
        .containsExactlyInAnyOrder("10.2.0.0/24", "10.3.0.0/24", "10.4.0.0/24", "10.5.0.0/24");
  }
}
