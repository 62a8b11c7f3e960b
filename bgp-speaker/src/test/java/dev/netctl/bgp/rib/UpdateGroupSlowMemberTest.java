package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.attrs;
import static dev.netctl.bgp.rib.Fixtures.client;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A member split off its update group (its channel backed up) misses drains, and when put back ends
 * with exactly the table it would hold had it kept up: what changed while it was away at its
 * current state, what was withdrawn withdrawn, each key once however often it flapped.
 */
class UpdateGroupSlowMemberTest {
  private final ShardHarness h = new ShardHarness();
  private final Peer source = Fixtures.ibgp("10.0.0.1");
  private final Peer fast = client("10.0.0.11");
  private final Peer other = client("10.0.0.12");
  private final Peer slow = client("10.0.0.13");
  private final UpdateGroup g =
      h.group(ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET));

  private static Prefix v4(int i) {
    return Prefix.ipv4(0x0a000000 | i << 8, 24);
  }

  private static Prefix v6(int i) {
    return Prefix.parse("2001:db8:" + Integer.toHexString(i) + "::/48");
  }

  private static AttributeSet med(long med) {
    return attrs("10.0.0.1").med(med).build();
  }

  @Test
  void aMemberPutBackHoldsExactlyTheCurrentTableIncludingWhatWasWithdrawnWhileItWasAway() {
    for (int i = 0; i < 100; i++) {
      h.shard.announce(source, v4(i), 0, med(1));
    }
    h.shard.announce(source, v6(1), 0, attrs("2001:db8::1").build());
    h.shard.announce(source, v6(2), 0, attrs("2001:db8::1").build());
    h.join(g, fast);
    h.join(g, other);
    h.join(g, slow);
    h.drainAll();
    assertThat(h.view(slow)).hasSize(102).isEqualTo(h.view(fast));

    g.detach(slow);
    assertThat(g.detached()).containsExactly(slow);
    for (int i = 0; i < 30; i++) {
      h.shard.withdraw(source, v4(i), 0);
    }
    for (int i = 30; i < 60; i++) {
      h.shard.announce(source, v4(i), 0, med(2));
    }
    h.drainAll();
    for (int i = 100; i < 150; i++) {
      h.shard.announce(source, v4(i), 0, med(3));
    }
    // Came and went while the member was away: it must never hear of it.
    h.shard.announce(source, v4(150), 0, med(3));
    h.drainAll();
    h.shard.withdraw(source, v4(150), 0);
    h.shard.withdraw(source, v6(2), 0);
    // The slow member's own route: reflected to the others, never back to it.
    h.shard.announce(slow, v4(200), 0, attrs("10.0.0.13").build());
    h.drainAll();

    assertThat(h.view(fast)).as("the others were not held back").hasSize(100 - 30 + 50 + 1 + 1);
    assertThat(h.view(other)).isEqualTo(h.view(fast));
    assertThat(h.view(slow)).as("nothing reached the member while it was split off").hasSize(102);

    h.catchUp(g, slow);
    assertThat(g.detached()).isEmpty();
    h.drainAll();

    Map<Nlri, ShardHarness.Received> expected = new HashMap<>(h.view(fast));
    expected.remove(new Nlri(0, v4(200)));
    assertThat(h.view(slow)).isEqualTo(expected);
    assertThat(h.view(slow))
        .doesNotContainKeys(new Nlri(0, v4(0)), new Nlri(0, v4(29)), new Nlri(0, v4(150)))
        .doesNotContainKey(new Nlri(0, v6(2)))
        .containsKeys(new Nlri(0, v4(149)), new Nlri(0, v6(1)));

    // Back on the synchronous path: the next change reaches it with the others.
    h.shard.withdraw(source, v4(99), 0);
    h.drainAll();
    assertThat(h.view(slow)).doesNotContainKey(new Nlri(0, v4(99)));
  }

  @Test
  void aPrefixThatFlappedWhileTheMemberWasAwayIsSentToItOnceAtItsLastState() {
    h.join(g, fast);
    h.join(g, slow);
    h.drainAll();
    g.detach(slow);
    for (int round = 1; round <= 10; round++) {
      h.shard.announce(source, v4(7), 0, med(round));
      h.drainAll();
      h.shard.withdraw(source, v4(7), 0);
      h.drainAll();
    }
    h.shard.announce(source, v4(7), 0, med(42));
    h.drainAll();
    int before = h.inbox.getOrDefault(slow, List.of()).size();

    h.catchUp(g, slow);
    h.drainAll();

    List<Update> caughtUp = h.inbox.get(slow).subList(before, h.inbox.get(slow).size());
    long mentions =
        caughtUp.stream()
            .flatMap(u -> java.util.stream.Stream.concat(u.nlri().stream(), u.withdrawn().stream()))
            .filter(n -> n.prefix().equals(v4(7)))
            .count();
    assertThat(mentions).as("one announcement of the flapping prefix").isEqualTo(1);
    assertThat(h.view(slow).get(new Nlri(0, v4(7))))
        .isEqualTo(h.view(fast).get(new Nlri(0, v4(7))));
  }

  @Test
  void aMemberSplitOffBeforeItsInitialTableGetsTheTableThenOneEndOfRib() {
    for (int i = 0; i < 20; i++) {
      h.shard.announce(source, v4(i), 0, med(1));
    }
    h.join(g, fast);
    h.drainAll();
    h.join(g, slow);
    g.detach(slow);
    h.drainAll();
    h.shard.withdraw(source, v4(3), 0);
    h.drainAll();
    assertThat(h.messages.getOrDefault(slow, List.of())).isEmpty();

    h.catchUp(g, slow);
    h.drainAll();

    List<BgpMessage> got = h.messages.get(slow);
    assertThat(h.view(slow)).hasSize(19).isEqualTo(h.view(fast));
    long endOfRib =
        got.stream().filter(m -> m instanceof Update u && u.endOfRibFamily().isPresent()).count();
    assertThat(endOfRib).as("one End-of-RIB per family").isEqualTo(2);
    assertThat(got.getLast())
        .as("End-of-RIB follows the table")
        .matches(m -> m instanceof Update u && u.endOfRibFamily().isPresent());
    assertThat(got.subList(got.size() - 2, got.size()))
        .extracting(m -> ((Update) m).endOfRibFamily().orElseThrow())
        .containsExactlyInAnyOrder(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
  }
}
