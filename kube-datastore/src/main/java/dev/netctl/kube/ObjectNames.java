package dev.netctl.kube;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Maps datastore key names to Kubernetes object names and back, reversibly.
 *
 * <p>Object names must be DNS-1123 subdomains (lower-case alphanumerics, '-' and '.', labels
 * starting and ending alphanumeric, at most 253 characters). Most netctl names already are: pools,
 * nodes, IPAM blocks ({@code 10-244-0-0-26}), affinities and handles. Those are kept verbatim, so
 * {@code kubectl get ippools} shows the names users gave. Any other name (upper case, '/', ':', a
 * namespaced key {@code <namespace>/<name>}) becomes {@code x.} followed by the lower-case
 * base32hex (RFC 4648 §7, unpadded) of its UTF-8 bytes; base32hex's alphabet is {@code 0-9a-v}, so
 * the result is one valid label. A name that starts with {@code x.} is always encoded, so decoding
 * never guesses.
 */
public final class ObjectNames {
  private static final Pattern SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final String ESCAPED = "x.";
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuv".toCharArray();
  static final int MAX_LENGTH = 253;

  private ObjectNames() {}

  /**
   * The object name for a key name.
   *
   * @throws IllegalArgumentException when even the encoded form exceeds 253 characters
   */
  public static String encode(String name) {
    if (name.length() <= MAX_LENGTH
        && !name.startsWith(ESCAPED)
        && SUBDOMAIN.matcher(name).matches()) {
      return name;
    }
    String encoded = ESCAPED + base32hex(name.getBytes(StandardCharsets.UTF_8));
    if (encoded.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "name \""
              + name
              + "\" is too long for a Kubernetes object: encoded it has "
              + encoded.length()
              + " characters, the limit is "
              + MAX_LENGTH);
    }
    return encoded;
  }

  /** The key name an object name stands for; the inverse of {@link #encode}. */
  public static String decode(String objectName) {
    if (!objectName.startsWith(ESCAPED)) return objectName;
    return new String(unbase32hex(objectName.substring(ESCAPED.length())), StandardCharsets.UTF_8);
  }

  /** True when {@link #encode} does not keep {@code name} as it is. */
  public static boolean isEscaped(String objectName) {
    return objectName.startsWith(ESCAPED);
  }

  private static String base32hex(byte[] bytes) {
    StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
    return out.toString();
  }

  private static byte[] unbase32hex(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() * 5 / 8);
    int buffer = 0;
    int bits = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'v' ? c - 'a' + 10 : -1;
      if (v < 0) {
        throw new IllegalArgumentException(
            "object name \"x." + text + "\" is not a netctl-encoded name: '" + c + "'");
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >>> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }
}
