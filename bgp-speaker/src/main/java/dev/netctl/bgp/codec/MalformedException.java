package dev.netctl.bgp.codec;

/**
 * Internal signal from a parser to the decoder's entry point; never leaves the package. Carries no
 * stack trace because malformed input is expected, not exceptional.
 */
final class MalformedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient BgpError error;

  MalformedException(NotificationSubcode subcode, byte[] data, String reason) {
    super(reason, null, false, false);
    this.error = new BgpError(subcode, data, reason);
  }

  BgpError error() {
    return error;
  }
}
