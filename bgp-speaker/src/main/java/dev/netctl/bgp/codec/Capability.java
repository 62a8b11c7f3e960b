package dev.netctl.bgp.codec;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/** A capability advertised in an OPEN message (RFC 5492), one record per known kind. */
public sealed interface Capability {
  /** The capability code. */
  CapabilityCode code();

  /**
   * Multiprotocol extensions for one family (RFC 4760 §8).
   *
   * @param family the family the speaker can exchange
   */
  record Multiprotocol(AddressFamily family) implements Capability {
    /** Validates. */
    public Multiprotocol {
      Objects.requireNonNull(family, "family");
    }

    @Override
    public CapabilityCode code() {
      return CapabilityCode.MULTIPROTOCOL;
    }
  }

  /** Route refresh (RFC 2918 §3). */
  record RouteRefresh() implements Capability {
    @Override
    public CapabilityCode code() {
      return CapabilityCode.ROUTE_REFRESH;
    }
  }

  /** Enhanced route refresh (RFC 7313 §3). */
  record EnhancedRouteRefresh() implements Capability {
    @Override
    public CapabilityCode code() {
      return CapabilityCode.ENHANCED_ROUTE_REFRESH;
    }
  }

  /** Extended messages up to 65535 octets (RFC 8654 §3). */
  record ExtendedMessage() implements Capability {
    @Override
    public CapabilityCode code() {
      return CapabilityCode.EXTENDED_MESSAGE;
    }
  }

  /**
   * Support for 4-octet AS numbers (RFC 6793 §3).
   *
   * @param asn the speaker's real AS number
   */
  record FourOctetAs(long asn) implements Capability {
    /** Validates. */
    public FourOctetAs {
      if (asn < 0 || asn > 0xffffffffL) {
        throw new IllegalArgumentException("4-octet AS " + asn + " is outside 0..4294967295");
      }
    }

    @Override
    public CapabilityCode code() {
      return CapabilityCode.FOUR_OCTET_AS;
    }
  }

  /**
   * Per-family graceful-restart state (RFC 4724 §3).
   *
   * @param family the family
   * @param forwardingPreserved whether forwarding state was kept across the restart
   */
  record GracefulRestartFamily(AddressFamily family, boolean forwardingPreserved) {
    /** Validates. */
    public GracefulRestartFamily {
      Objects.requireNonNull(family, "family");
    }
  }

  /**
   * Graceful restart (RFC 4724 §3).
   *
   * @param restarting the Restart State bit
   * @param gracefulNotification the N bit (RFC 8538 §2): the sender keeps routes through a
   *     NOTIFICATION other than Hard Reset as through a TCP close
   * @param restartTimeSeconds 12-bit restart time
   * @param families families with preserved state
   */
  record GracefulRestart(
      boolean restarting,
      boolean gracefulNotification,
      int restartTimeSeconds,
      List<GracefulRestartFamily> families)
      implements Capability {
    /** Validates and copies. */
    public GracefulRestart {
      if (restartTimeSeconds < 0 || restartTimeSeconds > 4095) {
        throw new IllegalArgumentException(
            "graceful restart time " + restartTimeSeconds + " is outside 0..4095");
      }
      families = List.copyOf(families);
    }

    /** Without the N bit (RFC 4724 alone). */
    public GracefulRestart(
        boolean restarting, int restartTimeSeconds, List<GracefulRestartFamily> families) {
      this(restarting, false, restartTimeSeconds, families);
    }

    @Override
    public CapabilityCode code() {
      return CapabilityCode.GRACEFUL_RESTART;
    }
  }

  /** ADD-PATH direction (RFC 7911 §4). */
  enum AddPathMode {
    /** Able to receive multiple paths. */
    RECEIVE(1),
    /** Able to send multiple paths. */
    SEND(2),
    /** Both. */
    BOTH(3);

    private final int code;

    AddPathMode(int code) {
      this.code = code;
    }

    /** The wire value. */
    public int code() {
      return code;
    }

    /** The mode for a wire value, or null if undefined. */
    public static AddPathMode fromCode(int code) {
      for (AddPathMode m : values()) {
        if (m.code == code) {
          return m;
        }
      }
      return null;
    }

    /** Whether this mode includes receiving. */
    public boolean canReceive() {
      return this != SEND;
    }

    /** Whether this mode includes sending. */
    public boolean canSend() {
      return this != RECEIVE;
    }
  }

  /**
   * ADD-PATH for one family.
   *
   * @param family the family
   * @param mode send, receive or both
   */
  record AddPathFamily(AddressFamily family, AddPathMode mode) {
    /** Validates. */
    public AddPathFamily {
      Objects.requireNonNull(family, "family");
      Objects.requireNonNull(mode, "mode");
    }
  }

  /**
   * ADD-PATH (RFC 7911 §4).
   *
   * @param families per-family modes
   */
  record AddPath(List<AddPathFamily> families) implements Capability {
    /** Copies the list. */
    public AddPath {
      families = List.copyOf(families);
    }

    @Override
    public CapabilityCode code() {
      return CapabilityCode.ADD_PATH;
    }
  }

  /**
   * A capability this codec does not interpret, or a known one whose value was malformed; carried
   * so it can be reported (RFC 5492 §3: unknown capabilities are ignored).
   *
   * @param codeValue the capability code
   * @param value the capability value
   */
  record Unknown(int codeValue, byte[] value) implements Capability {
    /** Validates and copies. */
    public Unknown {
      if (codeValue < 0 || codeValue > 0xff) {
        throw new IllegalArgumentException("capability code " + codeValue + " must fit one octet");
      }
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    @Override
    public CapabilityCode code() {
      return CapabilityCode.valueOf(codeValue);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Unknown u && u.codeValue == codeValue && Arrays.equals(u.value, value);
    }

    @Override
    public int hashCode() {
      return codeValue * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "Unknown[code=" + codeValue + ", value=" + HexFormat.of().formatHex(value) + "]";
    }
  }
}
