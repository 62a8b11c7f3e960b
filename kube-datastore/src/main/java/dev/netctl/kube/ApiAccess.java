package dev.netctl.kube;

import java.util.List;
import java.util.Set;

/**
 * The API calls this backend makes, as RBAC sees them: verbs on resources of {@value
 * StoredKinds#GROUP}. The ClusterRoles in {@code deploy/} must grant at least these; a test checks
 * it, and the conformance run checks that every request the backend sent is one listed here.
 */
public final class ApiAccess {
  /** Verbs on every netctl custom resource: the six operations of the datastore contract. */
  public static final Set<String> VERBS =
      Set.of("get", "list", "watch", "create", "update", "delete");

  private ApiAccess() {}

  /** The resources (plurals) of every kind netctl stores through this backend. */
  public static List<String> resources() {
    return StoredKinds.all().stream().map(StoredKinds::plural).toList();
  }

  /**
   * The RBAC verb of one HTTP request: GET of a collection is {@code list}, or {@code watch} with
   * {@code watch=true}; GET of one object is {@code get}; POST {@code create}; PUT {@code update};
   * PATCH {@code patch}; DELETE of one object {@code delete}.
   */
  public static String verb(String method, boolean collection, boolean watch) {
    return switch (method) {
      case "GET" -> watch ? "watch" : collection ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> collection ? "deletecollection" : "delete";
      default -> throw new IllegalArgumentException("HTTP method " + method);
    };
  }
}
