package dev.netctl.bgp.fsm;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.CapabilityCode;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What we expect of one peer and offer it.
 *
 * @param localAs our AS
 * @param localId our BGP identifier
 * @param remoteAs the AS the peer must present (RFC 4271 §6.2 Bad Peer AS)
 * @param holdTime hold time we propose: 0 or at least 3 seconds
 * @param connectRetry delay between connection attempts
 * @param families families we offer; the session uses the intersection
 * @param addPathReceive families we offer to receive multiple paths for (RFC 7911)
 * @param addPathSend families we offer to send multiple paths for
 * @param gracefulRestartSeconds restart time to advertise, or -1 to not advertise it
 * @param extendedMessage whether to offer 65535-octet messages (RFC 8654)
 * @param requiredCapabilities capabilities the peer must advertise (RFC 5492 §5)
 * @param maxPrefixes Cease when more prefixes of one family are received, or 0 for no limit (RFC
 *     4486 §4: the Cease names that family); per family, as BIRD's import limit and FRR's
 *     maximum-prefix
 * @param acceptedAs the AS numbers the peer may present instead of exactly {@code remoteAs} (a
 *     dynamic-neighbour template's set), or null; {@code remoteAs} then stands in until the OPEN
 * @param enforceFirstAs whether an UPDATE from an external peer whose AS_PATH does not start with
 *     the peer's AS has its routes treated as withdrawn (RFC 4271 §6.3, RFC 7606 §7.2); off by
 *     default, as a route server (an IXP's) does not prepend its own AS
 * @param keepaliveTime seconds between KEEPALIVEs we send, at most a third of the negotiated hold
 *     time; 0 for a third of it (RFC 4271 §4.4, §10)
 * @param allowLocalAs how many times our own AS may appear in the AS_PATH of a route from the peer
 *     (external or internal) before it counts as a loop (BIRD's {@code allow local as}, Cisco's
 *     allowas-in); 0 for none (RFC 4271 §9.1.2)
 */
public record PeerConfig(
    long localAs,
    Inet4Address localId,
    long remoteAs,
    int holdTime,
    Duration connectRetry,
    Set<AddressFamily> families,
    Set<AddressFamily> addPathReceive,
    Set<AddressFamily> addPathSend,
    int gracefulRestartSeconds,
    boolean extendedMessage,
    Set<CapabilityCode> requiredCapabilities,
    long maxPrefixes,
    RemoteAs acceptedAs,
    boolean enforceFirstAs,
    int keepaliveTime,
    int allowLocalAs) {

  /** Validates ranges and copies sets. */
  public PeerConfig {
    Objects.requireNonNull(localId, "localId");
    Objects.requireNonNull(connectRetry, "connectRetry");
    if (holdTime == 1 || holdTime == 2 || holdTime < 0 || holdTime > 65535) {
      throw new IllegalArgumentException(
          "peer holdTime " + holdTime + " must be 0 or 3..65535 (RFC 4271 §4.2)");
    }
    checkAs("localAs", localAs);
    checkAs("remoteAs", remoteAs);
    if (gracefulRestartSeconds < -1 || gracefulRestartSeconds > 4095) {
      throw new IllegalArgumentException(
          "peer gracefulRestartSeconds " + gracefulRestartSeconds + " must be -1 or 0..4095");
    }
    if (keepaliveTime < 0 || keepaliveTime > 65535) {
      throw new IllegalArgumentException(
          "peer keepaliveTime "
              + keepaliveTime
              + " must be 0 (a third of the hold time) or 1..65535");
    }
    if (allowLocalAs < 0 || allowLocalAs > 255) {
      throw new IllegalArgumentException("peer allowLocalAs " + allowLocalAs + " must be 0..255");
    }
    if (maxPrefixes < 0) {
      throw new IllegalArgumentException("peer maxPrefixes " + maxPrefixes + " must be >= 0");
    }
    families = Set.copyOf(families);
    addPathReceive = Set.copyOf(addPathReceive);
    addPathSend = Set.copyOf(addPathSend);
    requiredCapabilities = Set.copyOf(requiredCapabilities);
  }

  private static void checkAs(String field, long asn) {
    if (asn < 1 || asn > 0xffffffffL) {
      throw new IllegalArgumentException("peer " + field + " " + asn + " must be 1..4294967295");
    }
  }

  /** A plain IPv4+IPv6 unicast config with 90 s hold time and 5 s connect retry. */
  public static PeerConfig of(long localAs, Inet4Address localId, long remoteAs) {
    return new PeerConfig(
        localAs,
        localId,
        remoteAs,
        90,
        Duration.ofSeconds(5),
        Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST),
        Set.of(),
        Set.of(),
        -1,
        false,
        Set.of(),
        0,
        null,
        false,
        0,
        0);
  }

  /** A copy with another hold time. */
  public PeerConfig withHoldTime(int seconds) {
    Copy c = new Copy(this);
    c.holdTime = seconds;
    return c.build();
  }

  /** A copy with another connect-retry delay. */
  public PeerConfig withConnectRetry(Duration delay) {
    Copy c = new Copy(this);
    c.connectRetry = delay;
    return c.build();
  }

  /** A copy with a prefix limit. */
  public PeerConfig withMaxPrefixes(long limit) {
    Copy c = new Copy(this);
    c.maxPrefixes = limit;
    return c.build();
  }

  /** A copy offering these families. */
  public PeerConfig withFamilies(Set<AddressFamily> offered) {
    Copy c = new Copy(this);
    c.families = offered;
    return c.build();
  }

  /** A copy requiring these capabilities of the peer. */
  public PeerConfig withRequiredCapabilities(Set<CapabilityCode> required) {
    Copy c = new Copy(this);
    c.requiredCapabilities = required;
    return c.build();
  }

  /** A copy with ADD-PATH, graceful restart and extended message offers set. */
  public PeerConfig withOptions(
      Set<AddressFamily> addPathRx, Set<AddressFamily> addPathTx, int grSeconds, boolean extended) {
    Copy c = new Copy(this);
    c.addPathReceive = addPathRx;
    c.addPathSend = addPathTx;
    c.gracefulRestartSeconds = grSeconds;
    c.extendedMessage = extended;
    return c.build();
  }

  /** A copy accepting a peer from any AS of {@code accepted} (null: exactly {@code remoteAs}). */
  public PeerConfig withAcceptedAs(RemoteAs accepted) {
    Copy c = new Copy(this);
    c.acceptedAs = accepted;
    return c.build();
  }

  /** A copy checking (or not) the first AS of external peers' AS_PATHs (RFC 4271 §6.3). */
  public PeerConfig withEnforceFirstAs(boolean enforce) {
    Copy c = new Copy(this);
    c.enforceFirstAs = enforce;
    return c.build();
  }

  /** A copy sending KEEPALIVEs every {@code seconds} (capped at a third of the hold time). */
  public PeerConfig withKeepaliveTime(int seconds) {
    Copy c = new Copy(this);
    c.keepaliveTime = seconds;
    return c.build();
  }

  /** A copy accepting routes whose AS_PATH holds our AS up to {@code times} times. */
  public PeerConfig withAllowLocalAs(int times) {
    Copy c = new Copy(this);
    c.allowLocalAs = times;
    return c.build();
  }

  /**
   * Seconds between the KEEPALIVEs we send once {@code negotiatedHold} is agreed: ours when set,
   * but never more than a third of the hold time, so a peer that proposed a shorter one does not
   * time out (FRR caps it the same way); 0 when the hold time is 0 (no KEEPALIVEs).
   */
  public int keepaliveSeconds(int negotiatedHold) {
    int third = negotiatedHold / 3;
    return keepaliveTime == 0 ? third : Math.min(keepaliveTime, third);
  }

  // The withers' scratch copy: each changes its fields and builds (validated again), so adding a
  // component means touching this class and the canonical constructor only.
  private static final class Copy {
    private final long localAs;
    private final Inet4Address localId;
    private final long remoteAs;
    int holdTime;
    Duration connectRetry;
    Set<AddressFamily> families;
    Set<AddressFamily> addPathReceive;
    Set<AddressFamily> addPathSend;
    int gracefulRestartSeconds;
    boolean extendedMessage;
    Set<CapabilityCode> requiredCapabilities;
    long maxPrefixes;
    RemoteAs acceptedAs;
    boolean enforceFirstAs;
    int keepaliveTime;
    int allowLocalAs;

    Copy(PeerConfig p) {
      localAs = p.localAs;
      localId = p.localId;
      remoteAs = p.remoteAs;
      holdTime = p.holdTime;
      connectRetry = p.connectRetry;
      families = p.families;
      addPathReceive = p.addPathReceive;
      addPathSend = p.addPathSend;
      gracefulRestartSeconds = p.gracefulRestartSeconds;
      extendedMessage = p.extendedMessage;
      requiredCapabilities = p.requiredCapabilities;
      maxPrefixes = p.maxPrefixes;
      acceptedAs = p.acceptedAs;
      enforceFirstAs = p.enforceFirstAs;
      keepaliveTime = p.keepaliveTime;
      allowLocalAs = p.allowLocalAs;
    }

    PeerConfig build() {
      return new PeerConfig(
          localAs,
          localId,
          remoteAs,
          holdTime,
          connectRetry,
          families,
          addPathReceive,
          addPathSend,
          gracefulRestartSeconds,
          extendedMessage,
          requiredCapabilities,
          maxPrefixes,
          acceptedAs,
          enforceFirstAs,
          keepaliveTime,
          allowLocalAs);
    }
  }

  /** Whether a peer presenting {@code peerAs} in its OPEN is the peer we expect (RFC 4271 §6.2). */
  public boolean acceptsAs(long peerAs) {
    return acceptedAs == null ? peerAs == remoteAs : acceptedAs.accepts(localAs, peerAs);
  }

  /** Whether the peer is in our AS (iBGP). */
  public boolean internal() {
    return localAs == remoteAs;
  }
}
