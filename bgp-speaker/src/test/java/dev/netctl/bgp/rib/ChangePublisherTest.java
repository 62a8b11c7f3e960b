package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.List;
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
      new ChangePublisher(Fixtures.config(), sinks, new CopyOnWriteArrayList<>(List.of(group)));

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
}
