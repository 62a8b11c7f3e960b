package dev.netctl.ctl.bgp;

import java.util.List;

/**
 * The file {@code netctl bgp run --config} reads: one standalone BGP speaker, its peers, the routes
 * it originates and where its admin endpoint listens. Values are kept as written (strings, boxed
 * numbers) so {@link SpeakerConfigReader} can name the field and the value of every violation;
 * {@link SpeakerPlan} is the checked form.
 *
 * @param routerId BGP identifier, an IPv4 address
 * @param asNumber our AS, 1..4294967295
 * @param listen where to accept BGP connections
 * @param peers the neighbours
 * @param originate routes announced to every peer
 * @param clusterId route reflector cluster id (not supported yet: refused when set)
 * @param admin where the HTTP/JSON admin endpoint listens
 */
public record SpeakerConfig(
    String routerId,
    Long asNumber,
    Listen listen,
    List<Peer> peers,
    List<Origination> originate,
    String clusterId,
    Admin admin) {

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
   */
  public record Peer(
      String address,
      Integer port,
      String localAddress,
      Long asNumber,
      Boolean passive,
      String password,
      Integer ttlSecurity,
      Integer holdTime,
      List<String> families,
      Boolean routeReflectorClient,
      Boolean addPath,
      Integer gracefulRestart,
      @com.fasterxml.jackson.annotation.JsonProperty("import") Policy importPolicy,
      @com.fasterxml.jackson.annotation.JsonProperty("export") Policy exportPolicy) {}

  /**
   * A peer policy: {@code accept-all}, {@code reject-all}, or accept only the listed prefixes.
   *
   * @param action {@code accept-all} or {@code reject-all}; absent when {@code prefixes} is given
   * @param prefixes the only prefixes accepted (exact match)
   */
  public record Policy(String action, List<String> prefixes) {
    /** The object form {@code {prefixes: [...]}} or {@code {action: ...}}. */
    @com.fasterxml.jackson.annotation.JsonCreator(
        mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.PROPERTIES)
    public Policy(
        @com.fasterxml.jackson.annotation.JsonProperty("action") String action,
        @com.fasterxml.jackson.annotation.JsonProperty("prefixes") List<String> prefixes) {
      this.action = action;
      this.prefixes = prefixes;
    }

    /** The scalar form {@code import: accept-all}. */
    @com.fasterxml.jackson.annotation.JsonCreator(
        mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
    public static Policy of(String action) {
      return new Policy(action, null);
    }
  }

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
   * unixSocket} (not supported yet).
   */
  public record Admin(String address, String unixSocket) {}
}
