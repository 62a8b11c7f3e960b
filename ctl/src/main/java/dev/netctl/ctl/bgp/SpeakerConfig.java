package dev.netctl.ctl.bgp;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.netctl.datastore.model.AsNumber;
import java.util.List;
import java.util.Map;

/**
 * The file {@code netctl bgp run --config} reads: one standalone BGP speaker, its peers, the routes
 * it originates and where its admin endpoint listens. Values are kept as written (strings, boxed
 * numbers) so {@link SpeakerConfigReader} can name the field and the value of every violation;
 * {@link SpeakerPlan} is the checked form.
 *
 * @param routerId BGP identifier, an IPv4 address
 * @param asNumber our AS, 1..4294967295, plain or asdot ({@code 1.10}, RFC 5396) as in the
 *     datastore's resources ({@link AsNumber}); so are the other AS numbers of the file
 * @param listen where to accept BGP connections
 * @param peers the neighbours
 * @param originate routes announced to every peer
 * @param clusterId route reflector cluster id (an IPv4 address), default the router id
 * @param admin where the HTTP/JSON admin endpoint listens
 * @param definedSets named prefix and community sets the policies match on
 * @param policies named import/export policies, referenced by peers
 * @param ipv6NextHop global IPv6 address sent as next hop of IPv6 routes over IPv4 sessions whose
 *     peer sets none (RFC 2545 §2); without one such sessions do not offer IPv6 unicast
 * @param dynamicPeers peers accepted by address range, each from a template
 * @param ipv4NextHop IPv4 address sent as NEXT_HOP of the IPv4 routes that need this speaker as
 *     next hop, to peers (and range templates) that set none: what IPv6 sessions need to send them
 *     (RFC 4271 §5.1.3); IPv4 sessions without it use their own local address
 */
public record SpeakerConfig(
    String routerId,
    @JsonDeserialize(using = AsNumber.Deserializer.class) Long asNumber,
    Listen listen,
    List<Peer> peers,
    List<Origination> originate,
    String clusterId,
    Admin admin,
    DefinedSets definedSets,
    Map<String, PolicyDefinition> policies,
    String ipv6NextHop,
    List<DynamicPeers> dynamicPeers,
    String ipv4NextHop) {

  /**
   * Peers accepted by address range (BIRD's {@code neighbor range}, FRR's {@code bgp listen
   * range}): a connection from the range that matches no configured peer gets a passive session
   * from {@code template}, forgotten when it ends.
   *
   * @param name names the range in errors and in {@code bgp peers}
   * @param range the addresses accepted, a prefix
   * @param limit the most such sessions at once, 1..100000 (default 100); more are refused
   * @param template a peer entry without {@code address}, {@code passive} or {@code password}
   * @param remoteAs instead of the template's {@code asNumber}: {@code internal}, {@code external},
   *     or AS numbers and ranges ({@code 64512-65534,65550}) the peers may present in their OPEN
   */
  public record DynamicPeers(
      String name, String range, Integer limit, Peer template, String remoteAs) {}

  /**
   * @param address IP address to bind
   * @param port TCP port, default 179
   */
  public record Listen(String address, Integer port) {}

  /**
   * One neighbour.
   *
   * @param address the peer's IP address
   * @param port the peer's TCP port, default 179
   * @param localAddress address we connect from, default the listen address
   * @param asNumber the peer's AS; equal to ours means iBGP
   * @param passive only wait for the peer to connect
   * @param password TCP MD5 password (RFC 2385)
   * @param ttlSecurity GTSM hop count (RFC 5082), 1..255
   * @param holdTime proposed hold time, 0 or 3..65535, default 90
   * @param families {@code ipv4} and/or {@code ipv6}, default both
   * @param routeReflectorClient reflect routes to and from this iBGP peer (RFC 4456)
   * @param addPath offer to receive multiple paths per prefix (RFC 7911)
   * @param gracefulRestart restart time in seconds to advertise (RFC 4724), 0..4095
   * @param importPolicy which received routes to keep
   * @param exportPolicy which routes to advertise
   * @param ipv6NextHop global IPv6 address sent as next hop of IPv6 routes to this peer over an
   *     IPv4 session, default the top-level {@code ipv6NextHop}
   * @param enforceFirstAs withdraw routes from this eBGP peer whose AS_PATH does not start with its
   *     AS (RFC 4271 §6.3, RFC 7606 §7.2), default false (a route server does not prepend)
   * @param keepaliveTime seconds between KEEPALIVEs, at most a third of the negotiated hold time;
   *     default a third of it
   * @param allowLocalAs how many times our AS may appear in the AS_PATH of a route from this peer
   *     (eBGP or iBGP), 1..255 (BIRD's {@code allow local as}); default 0, such a route is a loop
   * @param ipv4NextHop IPv4 address of this node sent as NEXT_HOP of the IPv4 routes that need us
   *     as next hop (BIRD's {@code next hop address}), default the top-level {@code ipv4NextHop},
   *     else the session's local address; an IPv6 session has none, so needs it to send them
   * @param maxPrefixes the most prefixes of one family the peer may send, 1..4294967295; one more
   *     ends the session with Cease/Maximum Number of Prefixes Reached (RFC 4486 §4), kept down
   *     until reset by hand; default no limit
   */
  public record Peer(
      String address,
      Integer port,
      String localAddress,
      @JsonDeserialize(using = AsNumber.Deserializer.class) Long asNumber,
      Boolean passive,
      String password,
      Integer ttlSecurity,
      Integer holdTime,
      List<String> families,
      Boolean routeReflectorClient,
      Boolean addPath,
      Integer gracefulRestart,
      @JsonProperty("import") Policy importPolicy,
      @JsonProperty("export") Policy exportPolicy,
      String ipv6NextHop,
      Boolean enforceFirstAs,
      Integer keepaliveTime,
      Integer allowLocalAs,
      String ipv4NextHop,
      Long maxPrefixes) {}

  /**
   * A peer's reference to a policy: {@code accept-all}, {@code reject-all}, the name of one of
   * {@link SpeakerConfig#policies}, or accept only the listed prefixes.
   *
   * @param action {@code accept-all}, {@code reject-all} or a policy name; absent when {@code
   *     prefixes} is given
   * @param prefixes the only prefixes accepted, prefix-list entries ({@code 10.0.0.0/8 le 24})
   */
  public record Policy(String action, List<String> prefixes) {
    /** The object form {@code {prefixes: [...]}} or {@code {action: ...}}. */
    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public Policy(
        @JsonProperty("action") String action, @JsonProperty("prefixes") List<String> prefixes) {
      this.action = action;
      this.prefixes = prefixes;
    }

    /** The scalar form {@code import: accept-all} or {@code import: NAME}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Policy of(String action) {
      return new Policy(action, null);
    }
  }

  /**
   * Named sets that policy statements match on (GoBGP's defined-sets).
   *
   * @param prefixSets prefix lists: entries {@code 10.0.0.0/8}, {@code 10.0.0.0/8 ge 16 le 24} or
   *     {@code {prefix, ge, le}}
   * @param communitySets standard communities {@code asn:value} or well-known names
   * @param largeCommunitySets large communities {@code global:local1:local2}
   */
  public record DefinedSets(
      Map<String, List<PrefixEntry>> prefixSets,
      Map<String, List<String>> communitySets,
      Map<String, List<String>> largeCommunitySets) {}

  /**
   * One prefix-list entry: prefixes inside {@code prefix} with a length in {@code ge..le}; without
   * ge/le the prefix exactly. Written as a string ({@code 10.0.0.0/8 le 24}) or an object.
   *
   * @param prefix the covering prefix
   * @param ge shortest matching length, or null
   * @param le longest matching length, or null
   * @param text the string form as written, or null for the object form
   */
  public record PrefixEntry(String prefix, Integer ge, Integer le, String text) {
    /** The object form {@code {prefix: 10.0.0.0/8, le: 24}}. */
    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public PrefixEntry(
        @JsonProperty("prefix") String prefix,
        @JsonProperty("ge") Integer ge,
        @JsonProperty("le") Integer le) {
      this(prefix, ge, le, null);
    }

    /** The string form {@code 10.0.0.0/8 ge 16 le 24}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static PrefixEntry of(String text) {
      return new PrefixEntry(null, null, null, text);
    }
  }

  /**
   * A named policy: statements tried in order; the first that matches and says accept or reject
   * decides, {@code next} keeps its rewrites and goes on.
   *
   * @param statements the statements, in order
   * @param defaultAction {@code accept} or {@code reject} (the default) when no statement decides
   */
  public record PolicyDefinition(
      List<Statement> statements, @JsonProperty("default") String defaultAction) {}

  /**
   * One policy statement.
   *
   * @param name optional label, for messages
   * @param match conditions that must all hold; absent matches every route
   * @param actions rewrites applied to a matching route
   * @param then {@code accept}, {@code reject} or {@code next} (the default, as in GoBGP)
   */
  public record Statement(String name, Conditions match, Actions actions, String then) {}

  /**
   * Conditions of a statement, all of which must hold. Each set condition holds when the route
   * matches any member.
   *
   * @param prefixSet name of a prefix set
   * @param prefixes inline prefix-list entries
   * @param communitySet name of a community set
   * @param communities inline communities
   * @param largeCommunitySet name of a large community set
   * @param largeCommunities inline large communities
   * @param asPathContains an AS anywhere in the AS_PATH
   * @param asPathLength AS_PATH length bounds
   * @param neighborAs the first AS of the AS_PATH (the AS the route came from)
   * @param not conditions that must not all hold
   */
  public record Conditions(
      String prefixSet,
      List<PrefixEntry> prefixes,
      String communitySet,
      List<String> communities,
      String largeCommunitySet,
      List<String> largeCommunities,
      @JsonDeserialize(using = AsNumber.Deserializer.class) Long asPathContains,
      Range asPathLength,
      @JsonDeserialize(using = AsNumber.Deserializer.class) Long neighborAs,
      Conditions not) {}

  /**
   * Inclusive bounds.
   *
   * @param ge lower bound, or null for 0
   * @param le upper bound, or null for none
   */
  public record Range(Integer ge, Integer le) {}

  /**
   * Rewrites of a statement, applied in the order listed here.
   *
   * @param localPref LOCAL_PREF to set
   * @param med MULTI_EXIT_DISC to set
   * @param nextHop {@code self}, {@code keep} or an IP address
   * @param asPathPrepend AS to prepend and how often
   * @param communities set/add/remove standard communities
   * @param largeCommunities set/add/remove large communities
   */
  public record Actions(
      Long localPref,
      Long med,
      String nextHop,
      Prepend asPathPrepend,
      ListEdit communities,
      ListEdit largeCommunities) {}

  /**
   * AS-path prepend.
   *
   * @param as the AS to prepend, default ours
   * @param repeat how many times, 1..32 (default 1)
   */
  public record Prepend(
      @JsonProperty("as") @JsonDeserialize(using = AsNumber.Deserializer.class) Long as,
      Integer repeat) {}

  /**
   * Edits of a community list, applied as set, then add, then remove.
   *
   * @param set replace the list ({@code []} removes the attribute)
   * @param add append values not present
   * @param remove remove these values
   */
  public record ListEdit(List<String> set, List<String> add, List<String> remove) {}

  /**
   * A locally originated route.
   *
   * @param prefix the prefix, without host bits
   * @param nextHop next hop to advertise, default the session's local address
   * @param communities standard communities {@code asn:value}
   * @param largeCommunities large communities {@code global:local1:local2}
   */
  public record Origination(
      String prefix, String nextHop, List<String> communities, List<String> largeCommunities) {}

  /**
   * Where the admin endpoint listens: {@code address} (loopback {@code ip:port}) or {@code
   * unixSocket} (a path; the socket file is created with mode 0600).
   */
  public record Admin(String address, String unixSocket) {}
}
