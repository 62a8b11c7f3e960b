package dev.netctl.bgp.speaker;

import static dev.netctl.bgp.speaker.BgpSpeakerRoutingTest.allEstablished;
import static dev.netctl.bgp.speaker.BgpSpeakerRoutingTest.ip;
import static dev.netctl.bgp.speaker.BgpSpeakerRoutingTest.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.policy.Action;
import dev.netctl.bgp.policy.Match;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.PrefixList;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BgpSpeaker#advertised}: the Adj-RIB-Out of one peer as its update group exports it,
 * checked against what the peer really receives. Speakers on 127.0.4.11-13, free ports.
 */
@Timeout(60)
class BgpSpeakerAdvertisedTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final List<BgpSpeaker> speakers = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() {
    speakers.forEach(BgpSpeaker::close);
  }

  private BgpSpeaker speaker(long as, String address) throws Exception {
    int port = 0; // free: peers find it through listenAddress()
    BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(
                as, ip(address), new InetSocketAddress(ip(address), port), Transport.best()));
    speakers.add(s);
    return s;
  }

  private static Map<Prefix, AdvertisedRoute> byPrefix(List<AdvertisedRoute> routes) {
    return routes.stream().collect(Collectors.toMap(r -> r.nlri().prefix(), Function.identity()));
  }

  @Test
  void advertisedIsWhatTheExportPolicyAndSplitHorizonLetThrough() throws Exception {
    BgpSpeaker a = speaker(65240, "127.0.4.11");
    BgpSpeaker ebgp = speaker(65241, "127.0.4.12");
    BgpSpeaker ibgp = speaker(65240, "127.0.4.13");
    Prefix allowed = Prefix.parse("10.41.0.0/24");
    Prefix denied = Prefix.parse("10.42.0.0/24");
    Prefix fromIbgp = Prefix.parse("10.43.0.0/24");
    a.originate(allowed, null, List.of());
    a.originate(denied, null, List.of());
    ibgp.originate(fromIbgp, null, List.of());
    Policy export =
        new Policy(
            "to-ebgp",
            List.of(
                new Statement(
                    List.of(
                        new Match.PrefixIn(PrefixList.of("out", "10.41.0.0/24", "10.43.0.0/24"))),
                    List.of(new Action.SetMed(7)),
                    Verdict.ACCEPT)),
            Verdict.REJECT);
    a.addPeer(Neighbor.of(spec(a, ebgp)).withPolicies(RoutePolicy.ACCEPT_ALL, export));
    a.addPeer(spec(a, ibgp));
    ebgp.addPeer(
        Neighbor.of(spec(ebgp, a)).withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL));
    ibgp.addPeer(spec(ibgp, a));
    InetAddress toEbgp = ebgp.config().routerId();
    InetAddress toIbgp = ibgp.config().routerId();
    assertThat(a.advertised(toEbgp)).as("not established yet, or unknown: nothing").isEmpty();
    await().atMost(WAIT).until(() -> allEstablished(a) && allEstablished(ebgp));
    await().atMost(WAIT).until(() -> ebgp.received(a.config().routerId()).size() == 2);

    Map<Prefix, AdvertisedRoute> out = byPrefix(a.advertised(toEbgp));
    assertThat(out).as("export policy: 10.42 rejected").containsOnlyKeys(allowed, fromIbgp);
    AdvertisedRoute r = out.get(allowed);
    assertThat(r.peer()).isEqualTo(toEbgp);
    assertThat(r.nextHop()).as("eBGP next-hop self").isEqualTo(a.config().routerId());
    assertThat(r.attribute(PathAttribute.AsPath.class))
        .contains(PathAttribute.AsPath.sequence(65240));
    assertThat(r.attribute(PathAttribute.MultiExitDisc.class))
        .contains(new PathAttribute.MultiExitDisc(7));
    // The query agrees with what the peer holds as received from us.
    Set<Prefix> received =
        ebgp.received(a.config().routerId()).stream()
            .map(x -> x.nlri().prefix())
            .collect(Collectors.toSet());
    assertThat(received).isEqualTo(out.keySet());

    // To the iBGP peer: no policy (iBGP accepts all), but never its own route back.
    await().atMost(WAIT).until(() -> byPrefix(a.advertised(toIbgp)).size() == 2);
    Map<Prefix, AdvertisedRoute> toPeer = byPrefix(a.advertised(toIbgp));
    assertThat(toPeer).containsOnlyKeys(allowed, denied);
    assertThat(toPeer.get(denied).attribute(PathAttribute.LocalPref.class))
        .contains(new PathAttribute.LocalPref(100));
    assertThat(a.advertised(ip("127.0.4.99"))).isEmpty();
  }
}
