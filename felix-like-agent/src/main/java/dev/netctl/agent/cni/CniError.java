package dev.netctl.agent.cni;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CNI error (SPEC.md "Error"): a well-known code, a short message and details. Thrown anywhere on
 * the agent's side of a request and turned into the error JSON the plugin prints. Part of the
 * plugin executable, so JDK only.
 */
public final class CniError extends RuntimeException {

  /** The versions this plugin speaks; VERSION lists them. */
  public static final List<String> SUPPORTED_VERSIONS = List.of("0.3.1", "0.4.0", "1.0.0", "1.1.0");

  /** The newest supported version, used when the caller's is unknown. */
  public static final String LATEST = "1.1.0";

  public static final int INCOMPATIBLE_VERSION = 1;
  public static final int UNSUPPORTED_FIELD = 2;
  public static final int UNKNOWN_CONTAINER = 3;
  public static final int INVALID_ENVIRONMENT = 4;
  public static final int IO_FAILURE = 5;
  public static final int DECODE_FAILURE = 6;
  public static final int INVALID_CONFIG = 7;
  public static final int TRY_AGAIN_LATER = 11;
  public static final int NOT_AVAILABLE = 50;
  public static final int LIMITED_CONNECTIVITY = 51;

  /** Our own codes (100+): IPAM refusals, kernel plumbing failures, datastore failures. */
  public static final int IPAM_FAILURE = 100;

  public static final int PLUMBING_FAILURE = 101;
  public static final int DATASTORE_FAILURE = 102;
  public static final int CHECK_FAILED = 103;

  private final int code;
  private final String details;

  public CniError(int code, String msg, String details) {
    super(msg);
    this.code = code;
    this.details = details == null ? "" : details;
  }

  public CniError(int code, String msg) {
    this(code, msg, "");
  }

  public int code() {
    return code;
  }

  public String details() {
    return details;
  }

  /** The error as the spec's JSON object, for a caller that spoke {@code cniVersion}. */
  public Map<String, Object> toJson(String cniVersion) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "cniVersion",
        cniVersion == null || !SUPPORTED_VERSIONS.contains(cniVersion) ? LATEST : cniVersion);
    m.put("code", (long) code);
    m.put("msg", getMessage());
    if (!details.isEmpty()) m.put("details", details);
    return m;
  }
}
