package dev.netctl.bgp.codec;

import java.util.Set;

/**
 * What a session negotiated that changes the wire format, for one direction of one session. Before
 * the OPEN exchange completes use {@link #INITIAL}.
 *
 * @param fourOctetAs both sides advertised 4-octet AS support (RFC 6793 §4)
 * @param addPath families whose NLRI carry a path identifier in this direction (RFC 7911 §5)
 * @param extendedMessage both sides advertised extended messages (RFC 8654 §4)
 */
public record CodecContext(
    boolean fourOctetAs, Set<AddressFamily> addPath, boolean extendedMessage) {
  /** Maximum message size without extended messages (RFC 4271 §4.1). */
  public static final int MAX_MESSAGE_SIZE = 4096;

  /** Maximum message size with extended messages (RFC 8654 §4). */
  public static final int MAX_EXTENDED_MESSAGE_SIZE = 65535;

  /** Context before negotiation: 2-octet AS, no ADD-PATH, 4096-octet messages. */
  public static final CodecContext INITIAL = new CodecContext(false, Set.of(), false);

  /** A modern peer's context: 4-octet AS, no ADD-PATH, 4096-octet messages. */
  public static final CodecContext FOUR_OCTET = new CodecContext(true, Set.of(), false);

  /** Copies the set. */
  public CodecContext {
    addPath = Set.copyOf(addPath);
  }

  /** The largest UPDATE this context allows; OPEN and KEEPALIVE stay within 4096. */
  public int maxMessageSize() {
    return extendedMessage ? MAX_EXTENDED_MESSAGE_SIZE : MAX_MESSAGE_SIZE;
  }

  /** Whether NLRI of {@code family} carry path identifiers. */
  public boolean addPath(AddressFamily family) {
    return addPath.contains(family);
  }
}
