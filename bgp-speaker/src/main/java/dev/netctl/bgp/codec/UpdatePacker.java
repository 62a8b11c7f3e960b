package dev.netctl.bgp.codec;

import dev.netctl.bgp.codec.BgpMessage.Update;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Packs routes into as few UPDATEs as the negotiated message size allows: routes with identical
 * attributes share one UPDATE, each filled up to the limit (RFC 4271 §9.2, RFC 8654 §4).
 */
public final class UpdatePacker {
  private UpdatePacker() {}

  /**
   * One route to announce.
   *
   * @param nlri the prefix (and path id)
   * @param attributes its attributes: NEXT_HOP for IPv4 unicast; for other families an {@link
   *     PathAttribute.MpReach} with the family and next hops and no NLRI, used as a template
   */
  public record Route(Nlri nlri, List<PathAttribute> attributes) {
    /** Validates and copies. */
    public Route {
      Objects.requireNonNull(nlri, "nlri");
      attributes = List.copyOf(attributes);
    }
  }

  /** Packs announcements, grouping by identical attributes in first-seen order. */
  public static List<Update> announce(List<Route> routes, CodecContext ctx) {
    Map<List<PathAttribute>, List<Nlri>> groups = new LinkedHashMap<>();
    for (Route r : routes) {
      groups.computeIfAbsent(r.attributes(), k -> new ArrayList<>()).add(r.nlri());
    }
    List<Update> out = new ArrayList<>();
    groups.forEach((attributes, nlri) -> out.addAll(announce(attributes, nlri, ctx)));
    return out;
  }

  /**
   * IPv4 attributes (with NEXT_HOP, without MP_REACH) encoded once for {@code ctx}, to pass to
   * {@link #announce(List, List, CodecContext)} as often as wanted: a caller that keeps it with an
   * interned attribute set packs and writes every later UPDATE of that set without encoding it
   * again. Throws as the encoder does for what cannot go on the wire.
   */
  public static List<PathAttribute> encode(List<PathAttribute> attributes, CodecContext ctx) {
    for (int i = 0, n = attributes.size(); i < n; i++) {
      if (attributes.get(i) instanceof PathAttribute.MpReach) {
        throw new IllegalArgumentException("MP_REACH_NLRI is encoded per UPDATE, with its NLRI");
      }
    }
    return EncodedAttributes.of(List.copyOf(attributes), ctx);
  }

  /**
   * As {@link #encode} for IPv4 attributes given as {@code sorted}, in type-code order and without
   * NEXT_HOP, MP_REACH_NLRI or MP_UNREACH_NLRI (an interned attribute set's), with a NEXT_HOP of
   * {@code nextHop} in its place. The array is kept, not copied: nothing may change it afterwards.
   * No list is built and copied per set encoded (a new set is encoded once per group context, a
   * thousand per churn).
   *
   * @throws IllegalArgumentException when {@code sorted} is out of order or holds one of those
   *     three, or as the encoder does for what cannot go on the wire
   */
  public static List<PathAttribute> encodeIpv4(
      PathAttribute[] sorted, Inet4Address nextHop, CodecContext ctx) {
    return EncodedAttributes.ipv4(sorted, new PathAttribute.NextHop(nextHop), ctx);
  }

  /** Whether {@code attributes} came from {@link #encode} with {@code ctx} (or one alike). */
  public static boolean encodedFor(List<PathAttribute> attributes, CodecContext ctx) {
    return attributes instanceof EncodedAttributes e && e.wireFor(ctx) != null;
  }

  /** An attribute list taken apart: its MP_REACH_NLRI (the template, or null) and the others. */
  private record Split(PathAttribute.MpReach template, List<PathAttribute> others) {
    static Split of(List<PathAttribute> attributes) {
      PathAttribute.MpReach template = null;
      List<PathAttribute> others = new ArrayList<>(attributes.size());
      for (PathAttribute a : attributes) {
        if (a instanceof PathAttribute.MpReach r) {
          template = r;
        } else {
          others.add(a);
        }
      }
      return new Split(template, others);
    }
  }

  /**
   * Octets left for NLRI in one UPDATE of {@code ctx} under {@code attributes} (as {@link
   * #announce(List, List, CodecContext)} takes them: IPv4 with NEXT_HOP, or an MP_REACH template);
   * negative when the attributes alone exceed the message size (RFC 4271 §4.3, RFC 8654 §4). Throws
   * as the encoder does for what cannot go on the wire.
   */
  public static int nlriRoom(List<PathAttribute> attributes, CodecContext ctx) {
    int max = ctx.maxMessageSize() - BgpDecoder.HEADER_SIZE - 4;
    if (attributes instanceof EncodedAttributes e && e.wireFor(ctx) != null) {
      return max - e.wireSize();
    }
    Split split = Split.of(attributes);
    PathAttribute.MpReach template = split.template();
    List<PathAttribute> others = split.others();
    // As announce counts it: MP_REACH with a 4-octet header in case it needs the extended length.
    return max
        - (template == null
            ? EncodedAttributes.of(others, ctx).wireSize()
            : AttributeEncoder.encode(withTemplate(others, template), ctx).length + 1);
  }

  /** Packs prefixes sharing one attribute set. */
  public static List<Update> announce(
      List<PathAttribute> attributes, List<Nlri> nlri, CodecContext ctx) {
    if (attributes instanceof EncodedAttributes e && e.wireFor(ctx) != null) {
      // Encoded already (see encode): IPv4 with NEXT_HOP, nothing to split or encode again.
      return announce(null, e, nlri, ctx, e);
    }
    Split split = Split.of(attributes);
    PathAttribute.MpReach template = split.template();
    List<PathAttribute> others = split.others();
    // Without MP_REACH the UPDATEs carry the attributes as encoded here, so the encoder writes
    // these octets instead of encoding the set again per UPDATE.
    return announce(
        template, template == null ? EncodedAttributes.of(others, ctx) : null, nlri, ctx, others);
  }

  /** Packs {@code nlri} under {@code others} (encoded, unless null) and the MP_REACH template. */
  private static List<Update> announce(
      PathAttribute.MpReach template,
      EncodedAttributes encoded,
      List<Nlri> nlri,
      CodecContext ctx,
      List<PathAttribute> others) {
    Ipv4NlriList packed = nlri instanceof Ipv4NlriList p ? p : null;
    // Packed IPv4 under IPv4 attributes fits by construction: no check, and no iterator.
    if (packed == null || template != null) {
      for (Nlri n : nlri) {
        AddressFamily family = n.prefix().family();
        boolean fits =
            template == null ? !n.prefix().ipv6() : template.family().afi().equals(family.afi());
        if (!fits) {
          throw new IllegalArgumentException(
              "route "
                  + n
                  + " does not match its attributes: "
                  + (template == null
                      ? "non-IPv4 routes need an MP_REACH_NLRI template"
                      : "MP_REACH_NLRI family is " + template.family()));
        }
      }
    }
    boolean addPath =
        ctx.addPath(template == null ? AddressFamily.IPV4_UNICAST : template.family());
    // Header + two length fields + attributes; MP_REACH counted with a 4-octet header in case
    // it needs the extended length.
    int base =
        BgpDecoder.HEADER_SIZE
            + 4
            + (encoded != null
                ? encoded.wireSize()
                : AttributeEncoder.encode(withTemplate(others, template), ctx).length + 1);
    List<PathAttribute> shared = encoded != null ? encoded : others;
    int max = ctx.maxMessageSize();
    if (packed != null) {
      if (base + (addPath ? 9 : 5) * packed.size() <= max) {
        // Fits even were every prefix a /32: one message, without a look at each prefix.
        return List.of(build(shared, template, packed));
      }
      int end = runEnd(packed, 0, base, max, addPath);
      if (end == packed.size()) {
        // The usual case (a churn's sets carry a few prefixes each): one message, no run list.
        return List.of(build(shared, template, packed));
      }
      List<Update> out = new ArrayList<>();
      for (int start = 0; start < packed.size(); start = end) {
        end = runEnd(packed, start, base, max, addPath);
        out.add(build(shared, template, packed.subList(start, end)));
      }
      return out;
    }
    List<Update> out = new ArrayList<>();
    List<Nlri> batch = new ArrayList<>();
    int size = base;
    for (Nlri n : nlri) {
      int entry = NlriCodec.size(n, addPath);
      if (base + entry > max) {
        throw new IllegalArgumentException(
            "attributes of " + (base - 23) + " octets leave no room for NLRI in " + max);
      }
      if (size + entry > max) {
        out.add(build(shared, template, batch));
        batch = new ArrayList<>();
        size = base;
      }
      batch.add(n);
      size += entry;
    }
    if (!batch.isEmpty()) {
      out.add(build(shared, template, batch));
    }
    return out;
  }

  private static List<PathAttribute> withTemplate(
      List<PathAttribute> others, PathAttribute.MpReach template) {
    List<PathAttribute> all = new ArrayList<>(others);
    all.add(template);
    return all;
  }

  private static Update build(
      List<PathAttribute> others, PathAttribute.MpReach template, List<Nlri> batch) {
    if (template == null) {
      return new Update(List.of(), others, batch);
    }
    List<PathAttribute> attributes = new ArrayList<>(others);
    attributes.add(new PathAttribute.MpReach(template.family(), template.nextHops(), batch));
    return new Update(List.of(), attributes, List.of());
  }

  /**
   * Where the run of {@code packed} from {@code start} ends: the index after the last prefix that
   * fits a message of {@code max} octets after {@code base}, found without building an element.
   */
  private static int runEnd(Ipv4NlriList packed, int start, int base, int max, boolean addPath) {
    int size = base;
    for (int i = start, n = packed.size(); i < n; i++) {
      int entry = packed.wireSize(i, addPath);
      if (base + entry > max) {
        throw new IllegalArgumentException(
            "attributes of " + (base - 23) + " octets leave no room for NLRI in " + max);
      }
      if (size + entry > max) {
        return i;
      }
      size += entry;
    }
    return packed.size();
  }

  /** Packs withdrawals: IPv4 unicast in the body field, IPv6 unicast in MP_UNREACH_NLRI. */
  public static List<Update> withdraw(List<Nlri> withdrawn, CodecContext ctx) {
    if (withdrawn instanceof Ipv4NlriList packed) {
      boolean addPath = ctx.addPath(AddressFamily.IPV4_UNICAST);
      int base = BgpDecoder.HEADER_SIZE + 4;
      List<Update> out = new ArrayList<>();
      for (int start = 0, end; start < packed.size(); start = end) {
        end = runEnd(packed, start, base, ctx.maxMessageSize(), addPath);
        out.add(
            new Update(
                start == 0 && end == packed.size() ? packed : packed.subList(start, end),
                List.of(),
                List.of()));
      }
      return out;
    }
    Map<AddressFamily, List<Nlri>> byFamily = new LinkedHashMap<>();
    for (Nlri n : withdrawn) {
      byFamily.computeIfAbsent(n.prefix().family(), k -> new ArrayList<>()).add(n);
    }
    List<Update> out = new ArrayList<>();
    int max = ctx.maxMessageSize();
    byFamily.forEach(
        (family, list) -> {
          boolean v4 = family.equals(AddressFamily.IPV4_UNICAST);
          boolean addPath = ctx.addPath(family);
          int base = BgpDecoder.HEADER_SIZE + 4 + (v4 ? 0 : 4 + 3);
          List<Nlri> batch = new ArrayList<>();
          int size = base;
          for (Nlri n : list) {
            int entry = NlriCodec.size(n, addPath);
            if (size + entry > max) {
              out.add(withdrawal(family, batch));
              batch = new ArrayList<>();
              size = base;
            }
            batch.add(n);
            size += entry;
          }
          if (!batch.isEmpty()) {
            out.add(withdrawal(family, batch));
          }
        });
    return out;
  }

  private static Update withdrawal(AddressFamily family, List<Nlri> batch) {
    if (family.equals(AddressFamily.IPV4_UNICAST)) {
      return new Update(batch, List.of(), List.of());
    }
    return new Update(List.of(), List.of(new PathAttribute.MpUnreach(family, batch)), List.of());
  }
}
