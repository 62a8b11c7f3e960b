package dev.netctl.bgp.codec;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A BGP-4 message (RFC 4271 §4), one record per message type. */
public sealed interface BgpMessage {
  /** Message type code: OPEN. */
  int TYPE_OPEN = 1;

  /** Message type code: UPDATE. */
  int TYPE_UPDATE = 2;

  /** Message type code: NOTIFICATION. */
  int TYPE_NOTIFICATION = 3;

  /** Message type code: KEEPALIVE. */
  int TYPE_KEEPALIVE = 4;

  /** Message type code: ROUTE-REFRESH (RFC 2918). */
  int TYPE_ROUTE_REFRESH = 5;

  /** AS_TRANS, the 2-octet stand-in for a 4-octet AS (RFC 6793 §9). */
  long AS_TRANS = 23456;

  /** The message type code. */
  int typeCode();

  /**
   * OPEN (RFC 4271 §4.2). {@code myAs} is the speaker's real AS: the 4-octet capability value when
   * present, else the 2-octet field; the encoder writes AS_TRANS in the 2-octet field when the AS
   * does not fit (RFC 6793 §3).
   *
   * @param version protocol version, 4
   * @param myAs the sender's AS number
   * @param holdTime proposed hold time in seconds (0 or at least 3)
   * @param bgpId the sender's BGP identifier
   * @param capabilities advertised capabilities, in order
   */
  record Open(
      int version, long myAs, int holdTime, Inet4Address bgpId, List<Capability> capabilities)
      implements BgpMessage {
    /** Validates ranges and copies. */
    public Open {
      if (version < 0 || version > 255) {
        throw new IllegalArgumentException("OPEN version " + version + " must fit one octet");
      }
      if (myAs < 0 || myAs > 0xffffffffL) {
        throw new IllegalArgumentException("OPEN AS " + myAs + " is outside 0..4294967295");
      }
      if (holdTime < 0 || holdTime > 0xffff) {
        throw new IllegalArgumentException("OPEN hold time " + holdTime + " is outside 0..65535");
      }
      Objects.requireNonNull(bgpId, "bgpId");
      capabilities = List.copyOf(capabilities);
    }

    /** The first capability of the given record type, if advertised. */
    public <C extends Capability> Optional<C> capability(Class<C> type) {
      return capabilities.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** All capabilities of the given record type. */
    public <C extends Capability> List<C> capabilities(Class<C> type) {
      return capabilities.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public int typeCode() {
      return TYPE_OPEN;
    }

    @Override
    public String toString() {
      return "Open[version="
          + version
          + ", myAs="
          + myAs
          + ", holdTime="
          + holdTime
          + ", bgpId="
          + AddressText.of(bgpId)
          + ", capabilities="
          + capabilities
          + "]";
    }
  }

  /**
   * UPDATE (RFC 4271 §4.3). IPv4 unicast NLRI travel in the body fields; other families in
   * MP_REACH/MP_UNREACH attributes.
   *
   * @param withdrawn withdrawn IPv4 unicast routes
   * @param attributes path attributes in received order
   * @param nlri reachable IPv4 unicast routes
   */
  record Update(List<Nlri> withdrawn, List<PathAttribute> attributes, List<Nlri> nlri)
      implements BgpMessage {
    /** Copies the lists (an {@link Ipv4NlriList} is immutable already and kept as it is). */
    public Update {
      withdrawn = Ipv4NlriList.copyOf(withdrawn);
      // Attributes the packer encoded are kept with their wire form, and those the decoder
      // collected as they are (both immutable already).
      attributes =
          attributes instanceof EncodedAttributes || attributes instanceof AttributeList
              ? attributes
              : List.copyOf(attributes);
      nlri = Ipv4NlriList.copyOf(nlri);
    }

    /** The End-of-RIB marker for a family (RFC 4724 §2). */
    public static Update endOfRib(AddressFamily family) {
      if (family.equals(AddressFamily.IPV4_UNICAST)) {
        return new Update(List.of(), List.of(), List.of());
      }
      return new Update(
          List.of(), List.of(new PathAttribute.MpUnreach(family, List.of())), List.of());
    }

    /** The family this message is an End-of-RIB marker for, if it is one (RFC 4724 §2). */
    public Optional<AddressFamily> endOfRibFamily() {
      if (withdrawn.isEmpty() && nlri.isEmpty()) {
        if (attributes.isEmpty()) {
          return Optional.of(AddressFamily.IPV4_UNICAST);
        }
        if (attributes.size() == 1
            && attributes.get(0) instanceof PathAttribute.MpUnreach u
            && u.withdrawn().isEmpty()) {
          return Optional.of(u.family());
        }
      }
      return Optional.empty();
    }

    /** The first attribute of the given record type, if present. */
    @SuppressWarnings("unchecked")
    public <A extends PathAttribute> Optional<A> attribute(Class<A> type) {
      // A loop, not a stream: called several times per received UPDATE, and a stream pipeline
      // per call was among the largest allocators of a 10,000-prefix churn (docs/benchmarks.md).
      // Every attribute type is a record, so a final class: comparing classes is the instanceof
      // test, without the subtype check C1 compiles Class.isInstance to, and without an iterator.
      boolean any = type == PathAttribute.class;
      for (int i = 0, n = attributes.size(); i < n; i++) {
        PathAttribute a = attributes.get(i);
        if (any || a.getClass() == type) {
          return Optional.of((A) a);
        }
      }
      return Optional.empty();
    }

    /** Every withdrawn prefix: body field plus MP_UNREACH. */
    public List<Nlri> allWithdrawn() {
      List<Nlri> out = new ArrayList<>(withdrawn);
      for (PathAttribute a : attributes) {
        if (a instanceof PathAttribute.MpUnreach u) {
          out.addAll(u.withdrawn());
        }
      }
      return out;
    }

    /** Every reachable prefix: body field plus MP_REACH. */
    public List<Nlri> allNlri() {
      List<Nlri> out = new ArrayList<>(nlri);
      for (PathAttribute a : attributes) {
        if (a instanceof PathAttribute.MpReach r) {
          out.addAll(r.nlri());
        }
      }
      return out;
    }

    @Override
    public int typeCode() {
      return TYPE_UPDATE;
    }
  }

  /**
   * NOTIFICATION (RFC 4271 §4.5).
   *
   * @param code error code
   * @param subcode error subcode
   * @param data diagnostic data
   */
  record Notification(int code, int subcode, byte[] data) implements BgpMessage {
    /** Validates and copies. */
    public Notification {
      if (code < 0 || code > 255 || subcode < 0 || subcode > 255) {
        throw new IllegalArgumentException(
            "NOTIFICATION code " + code + " and subcode " + subcode + " must each fit one octet");
      }
      data = data.clone();
    }

    /** A notification for a named subcode. */
    public static Notification of(NotificationSubcode subcode, byte[] data) {
      return new Notification(subcode.code(), subcode.subcode(), data);
    }

    /** A notification for a named subcode without data. */
    public static Notification of(NotificationSubcode subcode) {
      return of(subcode, new byte[0]);
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    /** The code as an open enum. */
    public NotificationCode errorCode() {
      return NotificationCode.valueOf(code);
    }

    /** The subcode as an open enum. */
    public NotificationSubcode errorSubcode() {
      return NotificationSubcode.valueOf(code, subcode);
    }

    @Override
    public int typeCode() {
      return TYPE_NOTIFICATION;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Notification n
          && n.code == code
          && n.subcode == subcode
          && Arrays.equals(n.data, data);
    }

    @Override
    public int hashCode() {
      return (code * 256 + subcode) * 31 + Arrays.hashCode(data);
    }

    /**
     * The shutdown communication of a Cease / Administrative Shutdown or Reset (RFC 9003 §2: a
     * length octet, then that many octets of UTF-8), or null when there is none or the data is not
     * one. Control characters become {@code ?}: the text goes into single-line logs and tables.
     */
    public String shutdownCommunication() {
      if (code != 6 || (subcode != 2 && subcode != 4) || data.length == 0) {
        return null;
      }
      int length = data[0] & 0xff;
      if (length == 0 || length + 1 > data.length) {
        return null;
      }
      try {
        String text =
            java.nio.charset.StandardCharsets.UTF_8
                .newDecoder()
                .decode(java.nio.ByteBuffer.wrap(data, 1, length))
                .toString();
        return text.codePoints()
            .map(c -> Character.isISOControl(c) ? '?' : c)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString();
      } catch (java.nio.charset.CharacterCodingException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      String communication = shutdownCommunication();
      if (communication != null) {
        return "Notification[" + errorSubcode() + ", \"" + communication + "\"]";
      }
      return "Notification["
          + errorSubcode()
          + (data.length == 0 ? "" : ", data=" + HexFormat.of().formatHex(data))
          + "]";
    }
  }

  /** KEEPALIVE (RFC 4271 §4.4). */
  record Keepalive() implements BgpMessage {
    /** The only instance needed. */
    public static final Keepalive INSTANCE = new Keepalive();

    @Override
    public int typeCode() {
      return TYPE_KEEPALIVE;
    }
  }

  /**
   * ROUTE-REFRESH (RFC 2918 §3; subtype from RFC 7313 §3.2).
   *
   * @param family the family to refresh
   * @param subtype 0 normal request, 1 begin-of-route-refresh, 2 end-of-route-refresh
   */
  record RouteRefresh(AddressFamily family, int subtype) implements BgpMessage {
    /** Validates. */
    public RouteRefresh {
      Objects.requireNonNull(family, "family");
      if (subtype < 0 || subtype > 255) {
        throw new IllegalArgumentException(
            "ROUTE-REFRESH subtype " + subtype + " must fit one octet");
      }
    }

    /** A normal refresh request. */
    public static RouteRefresh request(AddressFamily family) {
      return new RouteRefresh(family, 0);
    }

    @Override
    public int typeCode() {
      return TYPE_ROUTE_REFRESH;
    }
  }
}
