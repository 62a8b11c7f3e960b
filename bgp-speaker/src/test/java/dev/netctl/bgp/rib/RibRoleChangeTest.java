package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.client;
import static dev.netctl.bgp.rib.Fixtures.ibgp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.policy.Action;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Rib#changeRole}: a peer whose reflector-client role changes while its session stays up is
 * known to the RIB by two {@link Peer} values at once (its paths are re-keyed to the new one while
 * it is still a member of the old group under the old one). Split horizon must treat both as the
 * same session, whenever the old group's writer happens to drain.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RibRoleChangeTest {
  private static final Prefix ITS = Prefix.parse("10.63.1.0/24");
  private static final Prefix OTHERS = Prefix.parse("10.63.3.0/24");

  private final Peer nonClient = ibgp("10.0.0.11");
  private final Peer asClient = client("10.0.0.11");
  private final Peer third = ibgp("10.0.0.12");
  // Every UPDATE each session was sent, by address: the moving session has two Peer values.
  private final Map<InetAddress, List<Update>> sent = new HashMap<>();
  private Rib rib;
  private UpdateGroup nonClients;
  private UpdateGroup clients;

  @AfterEach
  void close() {
    rib.close();
  }

  private static OutboundProfile profile(boolean reflectorClient) {
    return Fixtures.ibgpProfile(reflectorClient, RoutePolicy.ACCEPT_ALL);
  }

  private static Update announce(Prefix prefix, String nextHop) {
    return announce(prefix, nextHop, 100);
  }

  private static Update announce(Prefix prefix, String nextHop, long localPref) {
    List<PathAttribute> attrs =
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            PathAttribute.AsPath.sequence(),
            new PathAttribute.NextHop(Fixtures.v4(nextHop)),
            new PathAttribute.LocalPref(localPref));
    return new Update(List.of(), attrs, List.of(Nlri.of(prefix)));
  }

  /** Drains a group as its writer does: to every member the audience includes, not split off. */
  private void drain(UpdateGroup g) {
    Fixtures.drain(
        g,
        (m, update) -> {
          if (!update.allNlri().isEmpty() || !update.allWithdrawn().isEmpty()) { // not End-of-RIB
            sent.computeIfAbsent(m.address(), k -> new ArrayList<>()).add(update);
          }
        });
  }

  private List<Update> sentTo(Peer p) {
    return sent.getOrDefault(p.address(), List.of());
  }

  private static List<Prefix> withdrawn(List<Update> updates) {
    return updates.stream().flatMap(u -> u.allWithdrawn().stream()).map(Nlri::prefix).toList();
  }

  private static List<Prefix> announced(List<Update> updates) {
    return updates.stream().flatMap(u -> u.nlri().stream()).map(Nlri::prefix).toList();
  }

  /** The moving peer and {@code third} established, each with one route, all drained. */
  private void establish(Peer moving, UpdateGroup movingGroup, UpdateGroup thirdGroup) {
    establish(moving, movingGroup, thirdGroup, 100);
  }

  private void establish(
      Peer moving, UpdateGroup movingGroup, UpdateGroup thirdGroup, long localPref) {
    rib.addPeer(moving, null).join();
    rib.addPeer(third, null).join();
    rib.join(movingGroup, moving).join();
    rib.join(thirdGroup, third).join();
    rib.apply(moving, announce(ITS, "10.0.0.11", localPref)).join();
    rib.apply(third, announce(OTHERS, "10.0.0.12")).join();
    // Every group, as the writers do: a group drains (to no one) even while it has no members.
    rib.groups().forEach(this::drain);
  }

  /**
   * Changes the role, the old group draining either as soon as a shard publishes the re-keyed paths
   * ({@code drainMidMove}: between the shards' re-key and the move's release of the member, which
   * the speaker hits when its loop runs the writer's drain before the shard thread gets to the
   * release) or only after the move; then drains everything.
   */
  private void changeRole(
      Peer before,
      Peer now,
      RoutePolicy importPolicy,
      UpdateGroup from,
      UpdateGroup to,
      boolean drainMidMove) {
    if (drainMidMove) {
      from.onPending(() -> drain(from));
    }
    rib.changeRole(before, now, importPolicy, from, to).join();
    rib.prefixCount().join(); // every shard ran what the move queued (the member's catch-up)
    from.onPending(() -> {});
    drain(from);
    drain(to);
  }

  /** A reflector with {@code shards} shards and its two iBGP update groups. */
  private void start(int shards) {
    rib =
        new Rib(
            new RibConfig(
                Fixtures.LOCAL_AS, Fixtures.ROUTER_ID, Fixtures.CLUSTER_ID, false, 1, shards),
            NextHopResolver.ALL_REACHABLE);
    nonClients = rib.group(profile(false));
    clients = rib.group(profile(true));
  }

  @ParameterizedTest(name = "{0} shard(s), old group drained mid-move: {1}")
  @CsvSource({"1, true", "2, true", "1, false", "2, false"})
  void becomingAClientReflectsBothWaysAndWithdrawsNothing(int shards, boolean drainMidMove) {
    start(shards);
    establish(nonClient, nonClients, nonClients);
    assertThat(sentTo(third)).as("RFC 4456 §6: nothing reflected between non-clients").isEmpty();
    assertThat(sentTo(nonClient)).isEmpty();

    changeRole(nonClient, asClient, null, nonClients, clients, drainMidMove);

    assertThat(announced(sentTo(third)))
        .as("the new client's route is reflected to the non-client")
        .containsExactly(ITS);
    assertThat(withdrawn(sentTo(third))).isEmpty();
    assertThat(announced(sentTo(asClient)))
        .as("the non-client's route is reflected to the new client")
        .containsExactly(OTHERS);
    assertThat(withdrawn(sentTo(asClient)))
        .as("the moving member never held its own route from us: nothing to withdraw")
        .isEmpty();
    assertThat(nonClients.members()).containsExactly(third);
    assertThat(clients.members()).containsExactly(asClient);
  }

  @ParameterizedTest(name = "{0} shard(s), old group drained mid-move: {1}")
  @CsvSource({"1, true", "2, true", "1, false", "2, false"})
  void ceasingToBeAClientWithdrawsOnlyWhatIsNoLongerReflected(int shards, boolean drainMidMove) {
    start(shards);
    establish(asClient, clients, nonClients);
    assertThat(announced(sentTo(third))).containsExactly(ITS);
    assertThat(announced(sentTo(asClient))).containsExactly(OTHERS);
    sent.clear();

    changeRole(asClient, nonClient, null, clients, nonClients, drainMidMove);

    assertThat(withdrawn(sentTo(third)))
        .as("RFC 4456 §6: a non-client's route is no longer reflected to a non-client")
        .containsExactly(ITS);
    assertThat(withdrawn(sentTo(nonClient)))
        .as("likewise the other way; its own route it never held from us")
        .containsExactly(OTHERS);
    assertThat(announced(sentTo(nonClient))).isEmpty();
    assertThat(announced(sentTo(third))).isEmpty();
  }

  @ParameterizedTest(name = "{0} shard(s), old group drained mid-move: {1}")
  @CsvSource({"1, true", "2, true", "1, false", "2, false"})
  void aRouteTheMemberHeldFromUsIsWithdrawnWhenItsOwnPathBecomesBest(
      int shards, boolean drainMidMove) {
    start(shards);
    // Our own route beats the peer's (LOCAL_PREF 50) and goes to every iBGP member, the peer too.
    rib.originate(
            ITS,
            AttributeSet.of(
                List.of(
                    new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                    PathAttribute.AsPath.sequence()),
                null))
        .join();
    rib.groups().forEach(this::drain); // to no one yet
    establish(nonClient, nonClients, nonClients, 50);
    assertThat(announced(sentTo(nonClient))).containsExactly(ITS);
    sent.clear();

    // With its new role comes an import policy that makes its own path the best.
    Policy preferred =
        new Policy(
            "preferred",
            List.of(
                new Statement(List.of(), List.of(new Action.SetLocalPref(200)), Verdict.ACCEPT)),
            Verdict.ACCEPT);
    changeRole(nonClient, asClient, preferred, nonClients, clients, drainMidMove);

    // Both groups may withdraw it (the new one cannot know the old one did): harmless.
    assertThat(withdrawn(sentTo(asClient)))
        .as("our route it held is no longer our best, and its own is not sent back")
        .containsOnly(ITS)
        .isNotEmpty();
    assertThat(announced(sentTo(asClient))).containsExactly(OTHERS);
    assertThat(announced(sentTo(third)))
        .as("the client's path, now best, is reflected")
        .containsExactly(ITS);
  }

  /**
   * An import policy that fails on the moving peer's path fails the role change, but the move
   * completes all the same: the member is in its new group and gets that group's table, and its
   * path is not left under the old role.
   */
  @ParameterizedTest(name = "{0} shard(s)")
  @CsvSource({"1", "4"})
  void aPolicyFailingDuringARoleChangeStillCompletesTheMove(int shards) {
    start(shards);
    establish(nonClient, nonClients, nonClients);
    RoutePolicy failing =
        (prefix, attributes, context) -> {
          throw new IllegalStateException("test: a policy that fails");
        };

    assertThatThrownBy(
            () -> rib.changeRole(nonClient, asClient, failing, nonClients, clients).join())
        .hasRootCauseMessage("test: a policy that fails");
    rib.prefixCount().join(); // every shard ran what the move queued (the member's catch-up)
    drain(nonClients);
    drain(clients);

    assertThat(clients.members()).containsExactly(asClient);
    assertThat(nonClients.members()).containsExactly(third);
    assertThat(announced(sentTo(asClient)))
        .as("the new client gets the non-client's route: its move completed")
        .containsExactly(OTHERS);
    assertThat(rib.prefixCount().join())
        .as("its own path, failed by the policy, is not imported, nor left under the old role")
        .isEqualTo(1);
  }
}
